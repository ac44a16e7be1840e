import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LoadTestPipeline } from '../../../../cdk/lib/load-test-pipeline';
import { parseConfig } from '../../../../lambdas/core/config';

const READ_ROLE = 'arn:aws:iam::111111111111:role/ltc-production-read';
const config = parseConfig({
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
            cluster: { eks: { name: 'staging', region: 'eu-central-1' } },
            namespace: 'shop',
            deployment: 'checkout',
          },
          production: {
            type: 'kubernetes',
            cluster: { eks: { name: 'prod', region: 'eu-central-1', roleArn: READ_ROLE } },
            namespace: 'shop',
            deployment: 'checkout',
          },
        },
        {
          name: 'search',
          test: {
            type: 'kubernetes',
            cluster: { eks: { name: 'staging', region: 'eu-central-1' } },
            namespace: 'search',
            deployment: 'search',
          },
          production: {
            type: 'kubernetes',
            cluster: { eks: { name: 'prod-eu', region: 'eu-central-1' } },
            namespace: 'search',
            deployment: 'search',
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
            roleArn: READ_ROLE,
          },
        },
      ],
      nodeGroups: [
        {
          name: 'workers',
          test: { cluster: 'staging', nodegroup: 'workers', region: 'eu-central-1' },
          size: { minSize: 3, maxSize: 30, desiredSize: 10 },
        },
      ],
      cleanup: [
        {
          type: 'sql',
          name: 'orders',
          database: {
            secretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:staging-db-AbCdEf',
          },
          statements: ["DELETE FROM orders WHERE customer LIKE 'load-test-%'"],
        },
        {
          type: 'http',
          name: 'search index',
          url: 'https://search.staging.example.com/_test-data',
          tokenSecretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:search-token-XyZ123',
        },
        {
          type: 'kubernetes-job',
          name: 'purge',
          cluster: { eks: { name: 'staging', region: 'eu-central-1' } },
          namespace: 'jobs',
          fromCronJob: 'purge',
        },
        {
          type: 'ecs-task',
          name: 'purge-payments',
          cluster: 'staging',
          region: 'eu-central-1',
          taskDefinition: 'purge-payments',
          launchType: 'FARGATE',
          networkConfiguration: { subnets: ['subnet-0abc'] },
          logGroup: '/ecs/purge-payments',
        },
      ],
    },
  },
});

function synth(options: Record<string, unknown> = {}, conductorConfig = config) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Access', { env: { account: '123456789012', region: 'eu-central-1' } });
  const pipeline = new LoadTestPipeline(stack, 'Pipeline', {
    config: conductorConfig,
    dashboards: false,
    ...options,
  });
  return { stack, pipeline, template: Template.fromStack(stack) };
}

const { stack, pipeline, template } = synth();
const roleOf = (step: keyof typeof pipeline.functions) =>
  stack.resolve((pipeline.functions[step].function.role as { roleArn: string }).roleArn);
const policyOf = (step: keyof typeof pipeline.functions) => {
  const roleRef = stack.resolve((pipeline.functions[step].function.role as { roleName: string }).roleName);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify(p.Properties.Roles).includes(JSON.stringify(roleRef)),
  );
  return JSON.stringify(policies.map((p) => p.Properties.PolicyDocument));
};

describe('PlatformAccess: write on test, read on production', () => {
  it('gives writers a namespace-scoped edit access entry on the test cluster, readers a view entry', () => {
    const entries = template.findResources('AWS::EKS::AccessEntry');
    const summary = Object.values(entries)
      .map((e) => ({
        cluster: e.Properties.ClusterName,
        principal: JSON.stringify(e.Properties.PrincipalArn),
        policy: e.Properties.AccessPolicies[0].PolicyArn.split('/')[1],
        namespaces: e.Properties.AccessPolicies[0].AccessScope.Namespaces,
      }))
      .sort((a, b) => `${a.cluster}${a.principal}`.localeCompare(`${b.cluster}${b.principal}`));
    const entry = (cluster: string, step: keyof typeof pipeline.functions) =>
      summary.find((s) => s.cluster === cluster && s.principal === JSON.stringify(roleOf(step)));
    for (const step of ['deploy', 'scale', 'ramp-tick', 'teardown'] as const) {
      expect(entry('staging', step)).toMatchObject({
        policy: 'AmazonEKSEditPolicy',
        namespaces: ['search', 'shop'],
      });
    }
    expect(entry('staging', 'plan-dry-run')).toMatchObject({ policy: 'AmazonEKSViewPolicy' });
    expect(entry('staging', 'cleanup')).toMatchObject({
      policy: 'AmazonEKSEditPolicy',
      namespaces: ['jobs'],
    });
    // Production in this account: view only, and only for the steps that read it.
    for (const step of ['deploy', 'scale', 'plan-dry-run'] as const) {
      expect(entry('prod-eu', step)).toMatchObject({ policy: 'AmazonEKSViewPolicy', namespaces: ['search'] });
    }
    expect(entry('prod-eu', 'teardown')).toBeUndefined();
    expect(entry('prod-eu', 'ramp-tick')).toBeUndefined();
    // Production in another account: no access entry here; the role to assume carries the read access.
    expect(summary.filter((s) => s.cluster === 'prod')).toEqual([]);
    expect(summary.every((s) => s.policy !== 'AmazonEKSClusterAdminPolicy')).toBe(true);
  });

  it('lets only the readers of production assume its read-only role', () => {
    for (const step of ['deploy', 'scale', 'plan-dry-run'] as const)
      expect(policyOf(step)).toContain(READ_ROLE);
    for (const step of ['teardown', 'ramp-tick', 'cleanup', 'evaluate'] as const)
      expect(policyOf(step)).not.toContain(READ_ROLE);
  });

  it('writes ECS services and node groups of the test environment only', () => {
    const teardown = policyOf('teardown');
    expect(teardown).toContain('ecs:UpdateService');
    expect(teardown).toContain(':service/staging/payments');
    expect(teardown).not.toContain(':service/main/');
    expect(teardown).toContain('eks:UpdateNodegroupConfig');
    expect(teardown).toContain(':nodegroup/staging/workers/*');
    expect(teardown).toContain('iam:PassedToService');
    expect(policyOf('plan-dry-run')).not.toContain('ecs:UpdateService');
    expect(policyOf('plan-dry-run')).not.toContain('eks:UpdateNodegroupConfig');
  });

  it('gives only Cleanup the secrets it reads, each by its ARN: the database and the HTTP token', () => {
    const cleanup = policyOf('cleanup');
    expect(cleanup).toContain('secret:staging-db-AbCdEf');
    expect(cleanup).toContain('secret:search-token-XyZ123');
    expect(cleanup).not.toContain('secret:*');
    for (const step of Object.keys(pipeline.functions) as (keyof typeof pipeline.functions)[]) {
      if (step !== 'cleanup') expect(policyOf(step), step).not.toContain('secretsmanager');
    }
  });

  it('lets only Cleanup run the ecs-task action: its task definition, in its cluster', () => {
    const cleanup = JSON.parse(policyOf('cleanup')) as {
      Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
    }[];
    const statements = cleanup.flatMap((d) => d.Statement);
    const run = statements.find((s) => s.Action === 'ecs:RunTask');
    const arn = (resource: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':ecs:eu-central-1:', { Ref: 'AWS::AccountId' }, `:${resource}`],
      ],
    });
    expect(run).toMatchObject({
      Resource: arn('task-definition/purge-payments:*'),
      Condition: { ArnEquals: { 'ecs:cluster': arn('cluster/staging') } },
    });
    expect(statements.find((s) => s.Action === 'ecs:DescribeTasks')?.Resource).toEqual(arn('task/staging/*'));
    expect(statements.find((s) => s.Action === 'ecs:ListTasks')).toMatchObject({
      Resource: '*',
      Condition: { ArnEquals: { 'ecs:cluster': arn('cluster/staging') } },
    });
    expect(statements.find((s) => s.Action === 'iam:PassRole')).toMatchObject({
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    for (const step of ['deploy', 'scale', 'teardown', 'ramp-tick'] as const)
      expect(policyOf(step)).not.toContain('ecs:RunTask');
  });

  it('lets Cleanup read the ecs-task action’s log group and nothing else of CloudWatch Logs', () => {
    const statements = (
      JSON.parse(policyOf('cleanup')) as {
        Statement: { Action: string | string[]; Resource: unknown }[];
      }[]
    ).flatMap((d) => d.Statement);
    const onLogs = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('logs:')));
    const ownLogGroup = onLogs.filter((s) => JSON.stringify(s.Action).includes('logs:PutLogEvents'));
    expect(onLogs.filter((s) => !ownLogGroup.includes(s))).toEqual([
      {
        Effect: 'Allow',
        Action: 'logs:GetLogEvents',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':logs:eu-central-1:',
              { Ref: 'AWS::AccountId' },
              ':log-group:/ecs/purge-payments:log-stream:*',
            ],
          ],
        },
      },
    ]);
    // Where the task's containers log: from its task definition (no resource-level permission exists).
    expect(statements.find((s) => s.Action === 'ecs:DescribeTaskDefinition')?.Resource).toBe('*');
    for (const step of ['deploy', 'scale', 'teardown', 'ramp-tick', 'evaluate'] as const)
      expect(policyOf(step)).not.toContain('logs:GetLogEvents');
  });

  it('binds the Kubernetes groups of the conductor’s own Roles instead, when asked', () => {
    const groups = synth({ platformAccess: { eksAuthorization: 'kubernetes-groups' } }).template;
    groups.hasResourceProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'staging',
      KubernetesGroups: ['load-test-conductor'],
      AccessPolicies: Match.absent(),
    });
    groups.hasResourceProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'prod-eu',
      KubernetesGroups: ['load-test-conductor-readers'],
    });
  });

  it('creates nothing when disabled', () => {
    expect(
      Object.keys(synth({ platformAccess: false }).template.findResources('AWS::EKS::AccessEntry')),
    ).toEqual([]);
  });

  it('is cdk-nag clean', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const described = report.violations.map(
      (v) =>
        `${v.ruleName}: ${v.violatingResources.map((r) => `${r.resourceLogicalId} (${r.locations.join(', ')})`).join('; ')}`,
    );
    expect(described, described.join('\n')).toEqual([]);
  });
});

describe('PlatformAccess: the Locust worker fleet', () => {
  /** The same environment, its Locust workers sized by the conductor. */
  const withWorkers = (workers: Record<string, unknown>) => {
    const env = config.environments.staging;
    return synth(
      {},
      parseConfig({ environments: { staging: { ...env, locust: { url: 'http://locust:8089', workers } } } }),
    );
  };
  const policies = (s: ReturnType<typeof synth>, role: { roleName: string }) => {
    const roleRef = s.stack.resolve(role.roleName);
    return JSON.stringify(
      Object.values(s.template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(JSON.stringify(roleRef)))
        .map((p) => p.Properties.PolicyDocument),
    );
  };
  const stepPolicy = (s: ReturnType<typeof synth>, step: keyof typeof pipeline.functions) =>
    policies(s, s.pipeline.functions[step].function.role as { roleName: string });

  it('lets the steps that size an ECS worker service, and the janitor, update that service only', () => {
    const s = withWorkers({ type: 'ecs', cluster: 'load', service: 'locust-worker', region: 'eu-central-1' });
    const janitor = policies(s, s.pipeline.janitor.handler.function.role as { roleName: string });
    for (const p of [
      ...(['start-load', 'ramp-tick', 'stop-load'] as const).map((t) => stepPolicy(s, t)),
      janitor,
    ]) {
      expect(p).toContain('ecs:UpdateService');
      expect(p).toContain(':service/load/locust-worker');
    }
    for (const step of ['evaluate', 'cleanup', 'plan-dry-run'] as const)
      expect(stepPolicy(s, step)).not.toContain('locust-worker');
  });

  it('gives them one edit entry on the worker Deployment’s namespace, merged with the janitor’s own', () => {
    const s = withWorkers({
      type: 'kubernetes',
      cluster: { eks: { name: 'staging', region: 'eu-central-1' } },
      namespace: 'load',
      deployment: 'locust-worker',
    });
    const entries = Object.values(s.template.findResources('AWS::EKS::AccessEntry')).map((e) => ({
      principal: JSON.stringify(e.Properties.PrincipalArn),
      cluster: e.Properties.ClusterName as string,
      policy: (e.Properties.AccessPolicies[0].PolicyArn as string).split('/')[1],
      namespaces: e.Properties.AccessPolicies[0].AccessScope.Namespaces as string[],
    }));
    const of = (role: unknown) =>
      entries.filter((e) => e.cluster === 'staging' && e.principal === JSON.stringify(s.stack.resolve(role)));
    const roleArn = (fn: { function: { role?: unknown } }) =>
      (fn.function.role as { roleArn: string }).roleArn;
    for (const step of ['start-load', 'stop-load'] as const)
      expect(of(roleArn(s.pipeline.functions[step]))).toEqual([
        expect.objectContaining({ policy: 'AmazonEKSEditPolicy', namespaces: ['load'] }),
      ]);
    // Ramp tick also guards the applications' shape: one entry with both.
    expect(of(roleArn(s.pipeline.functions['ramp-tick']))).toEqual([
      expect.objectContaining({ namespaces: ['load', 'search', 'shop'] }),
    ]);
    // The janitor restores the applications and the fleet: one entry per cluster (EKS allows no second).
    expect(of(roleArn(s.pipeline.janitor.handler))).toEqual([
      expect.objectContaining({ policy: 'AmazonEKSEditPolicy', namespaces: ['load', 'search', 'shop'] }),
    ]);
    expect(of(roleArn(s.pipeline.functions.evaluate))).toEqual([]);
  });
});
