import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { LoadTestJanitor } from '../../../../cdk/lib/janitor';
import { LoadTestConductorStack } from '../../../../cdk/lib/load-test-conductor-stack';
import { loadConfigFile } from '../../../../lambdas/core/config-file';

/** The janitor as the stack deploys it from config/example-eks-ecs.json (EKS, ECS, node groups; no bundling). */
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new LoadTestConductorStack(app, 'LoadTestConductor', {
  config: loadConfigFile('config/example-eks-ecs.json'),
  env: { account: '123456789012', region: 'eu-central-1' },
});
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const { pipeline } = stack;
const janitor = pipeline.node.findChild('Janitor') as LoadTestJanitor;
const id = (c: IConstruct) => stack.resolve(stack.getLogicalId(c.node.defaultChild as CfnElement)) as string;
const FN = id(janitor.handler.function);
const RULE = id(janitor.rule);
const STATE_MACHINE = id(pipeline.stateMachine);
const TABLE = id(pipeline.runsTable);
const TEARDOWN_ROLE = id(pipeline.functions.teardown.function.role as unknown as IConstruct);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const statementsOf = (role: string): Statement[] =>
  Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${role}"`))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

describe('the janitor construct', () => {
  it('listens to this state machine only, for ABORTED, TIMED_OUT and FAILED', () => {
    const rule = resources[RULE]?.Properties as {
      EventPattern: Record<string, unknown>;
      State?: string;
      Targets: { Arn: unknown; RetryPolicy?: { MaximumRetryAttempts: number } }[];
    };
    expect(rule.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: [{ Ref: STATE_MACHINE }], status: ['ABORTED', 'TIMED_OUT', 'FAILED'] },
    });
    expect(rule.State ?? 'ENABLED').toBe('ENABLED');
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0]?.Arn).toEqual({ 'Fn::GetAtt': [FN, 'Arn'] });
    expect(rule.Targets[0]?.RetryPolicy?.MaximumRetryAttempts).toBe(4);
  });

  it('may be invoked by EventBridge from this rule only', () => {
    const permissions = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(`"${FN}"`),
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]?.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [RULE, 'Arn'] },
    });
  });

  it("has its own role: its log group, the lock and run records, and Teardown's platform access, nothing wider", () => {
    const role = id(janitor.handler.function.role as unknown as IConstruct);
    const fn = resources[FN]?.Properties as { Role: unknown; Environment: { Variables: object } };
    expect(fn.Role).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
    expect(role).not.toBe(TEARDOWN_ROLE);
    expect(fn.Environment.Variables).toMatchObject({ RUNS_TABLE: { Ref: TABLE } });
    expect(resources[role]?.Properties.ManagedPolicyArns).toBeUndefined();

    const statements = statementsOf(role);
    const table = statements.filter((s) => JSON.stringify(s.Resource).includes(`"${TABLE}"`));
    // The run's items (read, its own record) and the lock (taken when free, released): nothing else.
    const onItems = (Action: string[], prefix: string) => ({
      Effect: 'Allow',
      Action,
      Resource: { 'Fn::GetAtt': [TABLE, 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [prefix] } },
    });
    expect(table).toEqual([
      onItems(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'], 'RUN#*'),
      onItems(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], 'LOCK#*'),
    ]);
    for (const s of statements) {
      expect(
        [s.Action].flat().some((a) => a === '*' || a.endsWith(':*')),
        JSON.stringify(s),
      ).toBe(false);
    }
    // Teardown's platform statements (EKS, ECS, node groups), the same ones: not the reports, not the topic.
    const platform = (ss: Statement[]) =>
      ss
        .filter((s) => [s.Action].flat().some((a) => /^(eks|ecs|sts|iam):/.test(a)))
        .map((s) => JSON.stringify(s))
        .sort();
    expect(platform(statements).length).toBeGreaterThan(0);
    expect(platform(statements)).toEqual(platform(statementsOf(TEARDOWN_ROLE)));
    expect(JSON.stringify(statements)).not.toMatch(/s3:|sns:|cloudwatch:/);
  });

  it('has one EKS access entry wherever Teardown has one: Teardown’s namespaces and the worker fleet’s', () => {
    const role = id(janitor.handler.function.role as unknown as IConstruct);
    const entries = (principal: string) =>
      Object.values(resources)
        .filter(
          (r) =>
            r.Type === 'AWS::EKS::AccessEntry' &&
            JSON.stringify(r.Properties.PrincipalArn).includes(`"${principal}"`),
        )
        .map((r) => ({ ...r.Properties, PrincipalArn: null }) as Record<string, unknown>);
    const teardown = entries(TEARDOWN_ROLE);
    expect(teardown.length).toBeGreaterThan(0);
    // The example's Locust workers are a Deployment in namespace load-test of the same cluster (staging).
    const withFleet = teardown.map((e) =>
      e.ClusterName !== 'staging'
        ? e
        : {
            ...e,
            AccessPolicies: [
              {
                PolicyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
                AccessScope: {
                  Type: 'namespace',
                  Namespaces: [
                    ...((e.AccessPolicies as { AccessScope: { Namespaces: string[] } }[])[0]?.AccessScope
                      .Namespaces ?? []),
                    'load-test',
                  ].sort(),
                },
              },
            ],
          },
    );
    expect(entries(role)).toEqual(withFleet);
  });

  it('queues every first pass for a second one after the longest step timeout, which it consumes itself', () => {
    const queue = id(janitor.recheckQueue);
    const fn = resources[FN]?.Properties as { Environment: { Variables: Record<string, unknown> } };
    expect(fn.Environment.Variables).toMatchObject({
      JANITOR_RECHECK_QUEUE_URL: { Ref: queue },
      JANITOR_RECHECK_DELAY_SECONDS: '900',
    });
    const props = resources[queue]?.Properties as {
      SqsManagedSseEnabled: boolean;
      VisibilityTimeout: number;
      RedrivePolicy: { maxReceiveCount: number };
    };
    expect(props.SqsManagedSseEnabled).toBe(true);
    expect(props.VisibilityTimeout).toBeGreaterThanOrEqual(900);
    expect(props.RedrivePolicy.maxReceiveCount).toBe(5);
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings.map((m) => [m.Properties.FunctionName, m.Properties.EventSourceArn])).toEqual([
      [{ Ref: FN }, { 'Fn::GetAtt': [queue, 'Arn'] }],
    ]);
    const role = id(janitor.handler.function.role as unknown as IConstruct);
    const onQueue = statementsOf(role).filter((s) => JSON.stringify(s.Resource).includes(`"${queue}"`));
    expect([...new Set(onQueue.flatMap((s) => [s.Action].flat()))].sort()).toEqual(
      [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ].sort(),
    );
  });

  it('is cdk-nag clean', () => {
    const report = new AwsSolutionsChecks().validateScope(janitor);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
