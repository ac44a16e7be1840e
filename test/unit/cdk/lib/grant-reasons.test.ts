import { readdirSync } from 'node:fs';
import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { WILDCARD_RESOURCE_REASONS } from '../../../../cdk/lib/grant-reasons';
import { LoadTestConductorStack } from '../../../../cdk/lib/load-test-conductor-stack';
import { loadConfigFile } from '../../../../lambdas/core/config-file';

interface Statement {
  readonly Sid?: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every identity-policy statement of the template: inline in roles and in `AWS::IAM::Policy` resources. */
function statements(template: Template): { at: string; statement: Statement }[] {
  const out: { at: string; statement: Statement }[] = [];
  for (const [id, r] of Object.entries(template.toJSON().Resources as Record<string, Resource>)) {
    const documents =
      r.Type === 'AWS::IAM::Policy'
        ? [r.Properties.PolicyDocument]
        : r.Type === 'AWS::IAM::Role'
          ? ((r.Properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map(
              (p) => p.PolicyDocument,
            )
          : [];
    for (const d of documents)
      for (const statement of (d as { Statement: Statement[] }).Statement) out.push({ at: id, statement });
  }
  return out;
}

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** The network interfaces Lambda attaches in a VPC: their grants carry their own reason (Sid). */
const LAMBDA_VPC_ENI_SID = /^LambdaVpcEni/;

/**
 * Actions the reference gives a resource type that these calls do not name: ListTasks of a whole cluster
 * (no container instance; limited to the cluster by ecs:cluster), PutMetricData to a namespace (its
 * `dataset` resource is optional, for OTLP datasets; limited by cloudwatch:namespace).
 */
const AUTHORIZED_ON_STAR = ['ecs:ListTasks', 'cloudwatch:PutMetricData'];

const configs = readdirSync('config').filter((f) => f.endsWith('.json'));

describe.each(configs)('config/%s: Resource "*"', (file) => {
  const stack = new LoadTestConductorStack(
    new App({ context: { 'aws:cdk:bundling-stacks': [] } }),
    'Example',
    { config: loadConfigFile(`config/${file}`), env: { account: '123456789012', region: 'eu-central-1' } },
  );
  const wildcards = statements(Template.fromStack(stack)).filter(
    ({ statement }) =>
      [statement.Resource].flat().includes('*') && !LAMBDA_VPC_ENI_SID.test(statement.Sid ?? ''),
  );

  it('is granted only with a documented reason for each action', () => {
    const unexplained = wildcards.flatMap(({ at, statement }) =>
      [statement.Action]
        .flat()
        .filter((a) => !WILDCARD_RESOURCE_REASONS[a])
        .map((a) => `${at}: ${a} on "*" has no reason in cdk/lib/grant-reasons.ts`),
    );
    expect(unexplained).toEqual([]);
  });

  it('is granted only for actions with no resource-level permission (AWS service authorization reference)', async () => {
    const actions = [...new Set(wildcards.flatMap(({ statement }) => [statement.Action].flat()))];
    const scopable: string[] = [];
    for (const a of actions) {
      const [service, name] = a.split(':') as [string, string];
      if (!(await isWildcardOnlyAction(service, name))) scopable.push(a);
    }
    expect(scopable.filter((a) => !AUTHORIZED_ON_STAR.includes(a))).toEqual([]);
  });
});
