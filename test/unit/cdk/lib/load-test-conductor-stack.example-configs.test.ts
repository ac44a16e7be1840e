import { readdirSync } from 'node:fs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../../lambdas/core/config-file';
import { synthesizeExample } from '../../../support/synthesized';

/** The deployable example configurations (config/local.json is the local runner's template). */
const deployable = readdirSync('config').filter((f) => f.endsWith('.json') && f !== 'local.json');

describe.each(deployable)('config/%s', (file) => {
  // Synthesized as `cdk synth` would with the VPC lookup cached, not against CDK's dummy VPC.
  const { stack, template, missingContext } = synthesizeExample(file);

  it('synthesizes one schedule per configured schedule, with nothing left to look up', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', loadConfigFile(`config/${file}`).schedules.length);
    expect(missingContext).toEqual([]);
  });

  it('passes cdk-nag AwsSolutions', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const described = report.violations.map(
      (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
    );
    expect(described, described.join('\n')).toEqual([]);
  });
});

it('covers the http, EKS/ECS, Fargate and private-network examples', () => {
  expect(deployable).toEqual(
    expect.arrayContaining([
      'example.json',
      'example-eks-ecs.json',
      'example-fargate.json',
      'example-private-network.json',
    ]),
  );
});
