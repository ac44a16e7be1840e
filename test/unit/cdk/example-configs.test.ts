import { readdirSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LoadTestConductorStack } from '../../../cdk/lib/load-test-conductor-stack';
import { loadConfigFile } from '../../../lambdas/core/config-file';

/** The deployable example configurations (config/local.json is the local runner's template). */
const deployable = readdirSync('config').filter((f) => f.endsWith('.json') && f !== 'local.json');

describe.each(deployable)('config/%s', (file) => {
  const config = loadConfigFile(`config/${file}`);
  const stack = new LoadTestConductorStack(
    new App({ context: { 'aws:cdk:bundling-stacks': [] } }),
    'Example',
    {
      config,
      env: { account: '123456789012', region: 'eu-central-1' },
    },
  );

  it('synthesizes one schedule per configured schedule', () => {
    Template.fromStack(stack).resourceCountIs('AWS::Scheduler::Schedule', config.schedules.length);
  });

  it('passes cdk-nag AwsSolutions', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const described = report.violations.map(
      (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
    );
    expect(described, described.join('\n')).toEqual([]);
  });
});

it('covers both the http example and the EKS/ECS one', () => {
  expect(deployable).toEqual(expect.arrayContaining(['example.json', 'example-eks-ecs.json']));
});
