import { describe, expect, it } from 'vitest';
import { parseConfig, platformTarget } from '../../../../../lambdas/core/config';
import { ValidationError } from '../../../../../lambdas/core/errors';

const prodCluster = {
  eks: { name: 'prod', region: 'eu-central-1', roleArn: 'arn:aws:iam::111111111111:role/ltc-read' },
};
const testCluster = { eks: { name: 'staging', region: 'eu-central-1' } };

function config(env: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    environments: {
      staging: {
        maxOrdersPerMinute: 100,
        scenarios: ['checkout'],
        defaultScenario: 'checkout',
        locust: { url: 'http://locust:8089' },
        applications: [
          {
            name: 'checkout',
            test: {
              type: 'kubernetes',
              cluster: testCluster,
              namespace: 'shop',
              deployment: 'checkout',
              hpa: 'checkout',
            },
            production: {
              type: 'kubernetes',
              cluster: prodCluster,
              namespace: 'shop',
              deployment: 'checkout',
              hpa: 'checkout',
            },
          },
          {
            name: 'payments',
            test: { type: 'ecs', cluster: 'staging', service: 'payments', region: 'eu-central-1' },
            production: {
              type: 'ecs',
              cluster: 'main',
              service: 'payments',
              region: 'eu-central-1',
              roleArn: 'arn:aws:iam::111111111111:role/ltc-read',
            },
          },
        ],
        ...env,
      },
      ...extra,
    },
  };
}

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return err.problems.map((p) => `${p.field}: ${p.rule}`);
  }
}

describe('platforms, node groups and cleanup actions in the configuration', () => {
  it('accepts Kubernetes and ECS applications, node groups and sql / kubernetes-job cleanup, with defaults', () => {
    const parsed = parseConfig(
      config({
        nodeGroups: [
          {
            name: 'workers',
            test: { cluster: 'staging', nodegroup: 'workers', region: 'eu-central-1' },
            production: {
              cluster: 'prod',
              nodegroup: 'workers',
              region: 'eu-central-1',
              roleArn: 'arn:aws:iam::111111111111:role/ltc-read',
            },
          },
        ],
        cleanup: [
          {
            type: 'sql',
            name: 'orders',
            database: { secretArn: 'arn:aws:secretsmanager:eu-central-1:222222222222:secret:staging-db' },
            statements: ["DELETE FROM orders WHERE customer LIKE 'load-test-%'"],
          },
          {
            type: 'kubernetes-job',
            name: 'purge',
            cluster: testCluster,
            namespace: 'shop',
            fromCronJob: 'purge-test-data',
          },
          { type: 'http', name: 'cache', url: 'http://checkout:9090/_conductor/test-data' },
        ],
      }),
    );
    const env = parsed.environments.staging;
    expect(env?.prepareConcurrency).toBe(40);
    expect(env?.restoreVersions).toBe(false);
    expect(env?.nodeGroups[0]?.readinessTimeoutSeconds).toBe(900);
    expect(
      env?.cleanup.map((c) => [
        c.type,
        'timeoutSeconds' in c ? c.timeoutSeconds : (c as { method: string }).method,
      ]),
    ).toEqual([
      ['sql', 300],
      ['kubernetes-job', 600],
      ['http', 'DELETE'],
    ]);
  });

  it('refuses a test platform on a cluster that production uses', () => {
    const raw = config({});
    const app = raw.environments.staging.applications[0] as { test: { cluster: unknown } };
    app.test.cluster = prodCluster;
    expect(problems(raw)).toContain(
      'environments.staging.applications[0].test: must differ from production: the conductor writes to the test platform',
    );
  });

  it("refuses a test platform that is another application's production cluster (other namespace too)", () => {
    const raw = config({});
    (raw.environments.staging.applications[1] as Record<string, unknown>).test = {
      type: 'kubernetes',
      cluster: prodCluster,
      namespace: 'staging-copy',
      deployment: 'payments',
    };
    (raw.environments.staging.applications[1] as Record<string, unknown>).production = {
      type: 'kubernetes',
      cluster: { eks: { name: 'other-prod', region: 'eu-central-1' } },
      namespace: 'shop',
      deployment: 'payments',
    };
    expect(problems(raw).join('\n')).toMatch(
      /applications\[1\]\.test: eks:111111111111:eu-central-1\/prod is a production platform elsewhere in the configuration/,
    );
  });

  it('tells clusters of different accounts apart by the role to assume', () => {
    expect(platformTarget({ type: 'ecs', cluster: 'main', service: 's', region: 'eu-central-1' })).toBe(
      'ecs:eu-central-1/main',
    );
    expect(
      platformTarget({
        type: 'ecs',
        cluster: 'arn:aws:ecs:eu-central-1:111111111111:cluster/main',
        service: 's',
        region: 'eu-central-1',
        roleArn: 'arn:aws:iam::111111111111:role/r',
      }),
    ).toBe('ecs:111111111111:eu-central-1/main');
  });

  it('refuses writes to a production node group or a cleanup job on a production cluster', () => {
    const raw = config({
      nodeGroups: [
        {
          name: 'workers',
          test: {
            cluster: 'prod',
            nodegroup: 'workers',
            region: 'eu-central-1',
            roleArn: 'arn:aws:iam::111111111111:role/ltc-read',
          },
          size: { minSize: 1, maxSize: 3, desiredSize: 2 },
        },
      ],
      cleanup: [
        {
          type: 'kubernetes-job',
          name: 'purge',
          cluster: prodCluster,
          namespace: 'shop',
          fromCronJob: 'purge',
        },
      ],
    });
    const found = problems(raw);
    expect(found.join('\n')).toMatch(
      /nodeGroups\[0\]\.test: eks:111111111111:eu-central-1\/prod is a production cluster/,
    );
    expect(found.join('\n')).toMatch(/cleanup\[0\]\.cluster: is a production cluster/);
  });

  it('names each broken rule of the new types', () => {
    const raw = config({
      nodeGroups: [
        {
          name: 'w',
          test: { cluster: 'staging', nodegroup: 'w' },
          size: { minSize: 3, maxSize: 2, desiredSize: 2 },
        },
      ],
      cleanup: [
        { type: 'sql', name: 'orders', database: {}, statements: ['DELETE FROM orders'] },
        {
          type: 'kubernetes-job',
          name: 'purge',
          cluster: { endpoint: 'https://127.0.0.1:6443' },
          namespace: 'shop',
        },
      ],
    });
    expect(problems(raw)).toEqual([
      'environments.staging.nodeGroups[0].size: needs minSize ≤ desiredSize ≤ maxSize',
      'environments.staging.cleanup[0].database: needs exactly one of secretArn or urlEnv',
      'environments.staging.cleanup[1]: needs exactly one of fromCronJob or jobSpec',
      'environments.staging.cleanup[1].cluster.tokenEnv: is required with endpoint',
    ]);
  });

  it('never accepts a secret in the configuration: only where to find it', () => {
    const raw = config({
      cleanup: [
        {
          type: 'sql',
          name: 'orders',
          database: { url: 'postgres://u:p@db/x' },
          statements: ['DELETE FROM x'],
        },
      ],
    });
    expect(problems(raw)).toContain('environments.staging.cleanup[0].database.url: is not a known field');
  });

  describe('ecs-task cleanup actions', () => {
    const ecsTask = (fields: Record<string, unknown>) =>
      config({
        cleanup: [
          { type: 'ecs-task', name: 'purge', cluster: 'staging', taskDefinition: 'purge', ...fields },
        ],
      });

    it('accepts a task definition by family, revision or ARN, with a default timeout', () => {
      for (const taskDefinition of [
        'purge-orders',
        'purge-orders:7',
        'arn:aws:ecs:eu-central-1:123456789012:task-definition/purge-orders:7',
      ]) {
        const env = parseConfig(
          ecsTask({
            taskDefinition,
            launchType: 'FARGATE',
            networkConfiguration: { subnets: ['subnet-0abc'], securityGroups: ['sg-0abc'] },
            overrides: { containerOverrides: [{ name: 'purge', command: ['purge', '--all'] }] },
          }),
        ).environments.staging;
        expect(env?.cleanup[0]).toMatchObject({ type: 'ecs-task', taskDefinition, timeoutSeconds: 600 });
      }
    });

    it('names the field: Fargate without a network, a production cluster, a malformed task definition', () => {
      expect(problems(ecsTask({ launchType: 'FARGATE' }))).toEqual([
        'environments.staging.cleanup[0].networkConfiguration: is required with launchType FARGATE',
      ]);
      // `main` of this account is not production's `main`, which is in another account (read through a role).
      expect(problems(ecsTask({ cluster: 'main', region: 'eu-central-1' }))).toEqual([]);
      expect(
        problems(
          config({
            applications: [
              {
                name: 'payments',
                test: { type: 'ecs', cluster: 'staging', service: 'payments', region: 'eu-central-1' },
                production: { type: 'ecs', cluster: 'main', service: 'payments', region: 'eu-central-1' },
              },
            ],
            cleanup: [
              {
                type: 'ecs-task',
                name: 'purge',
                cluster: 'main',
                region: 'eu-central-1',
                taskDefinition: 'p',
              },
            ],
          }),
        ),
      ).toEqual([
        'environments.staging.cleanup[0].cluster: is a production cluster: the conductor never writes to it',
      ]);
      expect(problems(ecsTask({ taskDefinition: 'purge orders' })).join('\n')).toMatch(
        /environments\.staging\.cleanup\[0\]\.taskDefinition: must match/,
      );
    });
  });
});
