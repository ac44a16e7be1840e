import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LoadTestConductorStack } from '../../../../cdk/lib/load-test-conductor-stack';
import { parseConfig } from '../../../../lambdas/core/config';

const TASK_ROLE = 'arn:aws:iam::123456789012:role/checkout-staging-task';
const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/checkout-staging-execution';
const CLEANUP_ROLE = 'arn:aws:iam::123456789012:role/reset-task';

/** The template of one ECS application (test and production) and an `ecs-task` cleanup action. */
function template(taskRoleArns?: readonly string[], cleanupRoleArns?: readonly string[]): Template {
  const ecs = (cluster: string) => ({ type: 'ecs', cluster, service: 'checkout' });
  const config = parseConfig({
    environments: {
      staging: {
        maxOrdersPerMinute: 1000,
        scenarios: ['checkout'],
        defaultScenario: 'checkout',
        locust: { url: 'http://locust.internal:8089' },
        applications: [
          {
            name: 'checkout',
            test: { ...ecs('staging'), ...(taskRoleArns ? { taskRoleArns } : {}) },
            production: ecs('production'),
          },
        ],
        cleanup: [
          {
            type: 'ecs-task',
            name: 'reset',
            cluster: 'staging',
            taskDefinition: 'reset-data',
            ...(cleanupRoleArns ? { taskRoleArns: cleanupRoleArns } : {}),
            timeoutSeconds: 300,
          },
        ],
      },
    },
  });
  const stack = new LoadTestConductorStack(
    new App({ context: { 'aws:cdk:bundling-stacks': [] } }),
    'PlatformAccess',
    { config, env: { account: '123456789012', region: 'eu-central-1' } },
  );
  return Template.fromStack(stack);
}

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** The statements of the role of the function whose description names `step`, with `action`. */
function statementsWith(t: Template, step: string, action: string): Statement[] {
  const resources = t.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const fn = Object.values(resources).find(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === `Load Test Conductor: ${step}`,
  );
  if (!fn) throw new Error(`no function for ${step}`);
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles as { Ref: string }[]).some((x) => x.Ref === role),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => [s.Action].flat().includes(action));
}

const TO_ECS_TASKS = { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } };

describe('iam:PassRole', () => {
  it.each(['deploy', 'scale', 'ramp-tick', 'teardown', 'janitor'])(
    '%s may pass the configured task roles only, and only to ECS tasks',
    (step) => {
      expect(statementsWith(template([TASK_ROLE, EXECUTION_ROLE]), step, 'iam:PassRole')).toEqual([
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: [TASK_ROLE, EXECUTION_ROLE],
          Condition: TO_ECS_TASKS,
        },
      ]);
    },
  );

  it('without taskRoleArns: roles of this account only, to ECS tasks only', () => {
    const [passRole, ...more] = statementsWith(template(), 'deploy', 'iam:PassRole');
    expect(more).toEqual([]);
    expect(passRole?.Condition).toEqual(TO_ECS_TASKS);
    expect(JSON.stringify(passRole?.Resource)).toMatch(/:iam::",\{"Ref":"AWS::AccountId"\},":role\/\*"/);
  });

  it('Cleanup passes its task definition’s configured roles only', () => {
    expect(statementsWith(template(undefined, [CLEANUP_ROLE]), 'cleanup', 'iam:PassRole')).toEqual([
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: CLEANUP_ROLE, Condition: TO_ECS_TASKS },
    ]);
  });

  it('is not granted to steps that register no task definition', () => {
    const t = template([TASK_ROLE]);
    for (const step of [
      'validate-input',
      'plan-dry-run',
      'start-load',
      'stop-load',
      'evaluate',
      'release-lock',
    ])
      expect(statementsWith(t, step, 'iam:PassRole'), step).toEqual([]);
  });
});

describe('ecs:RegisterTaskDefinition', () => {
  it('is scoped to task definitions of the test service’s region and account, for the writers only', () => {
    const t = template([TASK_ROLE]);
    for (const step of ['deploy', 'scale', 'ramp-tick', 'teardown']) {
      const [register, ...more] = statementsWith(t, step, 'ecs:RegisterTaskDefinition');
      expect(more, step).toEqual([]);
      expect(JSON.stringify(register?.Resource), step).toMatch(/:task-definition\/\*"\]\]\}$/);
    }
    expect(statementsWith(t, 'plan-dry-run', 'ecs:RegisterTaskDefinition')).toEqual([]);
  });
});
