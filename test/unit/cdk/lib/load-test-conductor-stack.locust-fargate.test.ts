import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { LoadTestJanitor } from '../../../../cdk/lib/janitor';
import { LoadTestConductorStack } from '../../../../cdk/lib/load-test-conductor-stack';
import { locustFargateNames, parseConfig } from '../../../../lambdas/core/config';
import { loadConfigFile } from '../../../../lambdas/core/config-file';
import { STEP_IDS } from '../../../../statemachine/steps';

/** The stack with `locust.fargate` (config/example-fargate.json): it creates the cluster and points the pipeline at it. */
const config = loadConfigFile('config/example-fargate.json');
const stack = new LoadTestConductorStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Fargate', {
  config,
  env: { account: '123456789012', region: 'eu-central-1' },
});
const template = Template.fromStack(stack);
interface Resource {
  readonly Type: string;
  readonly Properties: {
    readonly VpcConfig?: { SecurityGroupIds?: unknown };
    readonly [key: string]: unknown;
  };
}
const resources = template.toJSON().Resources as Record<string, Resource>;
const id = (c: IConstruct) =>
  stack.resolve((c.node.defaultChild as ec2.CfnSecurityGroup).logicalId) as string;
const cluster = stack.locustClusters.staging;
if (!cluster) throw new Error('no Locust cluster for staging');
const names = locustFargateNames('staging');

describe('locust.fargate in the configuration', () => {
  it('points the environment’s Locust URL and worker fleet at the cluster the stack names', () => {
    const locust = config.environments.staging?.locust;
    expect(locust?.url).toBe('http://master.staging.locust.internal:8089');
    expect(locust?.url).toBe(cluster.url);
    expect(locust?.workers).toEqual({
      type: 'ecs',
      cluster: 'ltc-locust-staging',
      service: 'locust-worker',
      minWorkers: 1,
      maxWorkers: 20,
    });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: names.clusterName });
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: names.workerServiceName,
      DesiredCount: 1,
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: names.namespace });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Command: Match.arrayWith(['--master', '--host', 'http://checkout.staging.internal:9090']),
        }),
      ],
    });
    // The parsed configuration (inlined into the Lambdas, parsed again there) parses to itself.
    expect(parseConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it('runs every step function in the VPC with the one security group the master accepts', () => {
    const [group] = stack.network?.securityGroups ?? [];
    if (!group) throw new Error('no conductor security group');
    const conductor = id(group);
    const functions = Object.values(stack.pipeline.functions);
    expect(functions).toHaveLength(STEP_IDS.length);
    for (const f of functions) {
      const fn = resources[id(f.function)];
      expect(fn?.Properties.VpcConfig?.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [conductor, 'GroupId'] }]);
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8089,
      GroupId: { 'Fn::GetAtt': [id(cluster.masterSecurityGroup), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [conductor, 'GroupId'] },
    });
    template.allResourcesProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  it('lets Start load, Ramp tick, Stop load and the janitor scale the worker service, and no other step', () => {
    const worker = stack.resolve((cluster.workerService.node.defaultChild as ecs.CfnService).logicalId);
    const scalers = STEP_IDS.filter((step) => {
      const role = id(stack.pipeline.functions[step].function.role as unknown as IConstruct);
      return Object.values(resources).some(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(r.Properties.Roles).includes(`"${role}"`) &&
          JSON.stringify(r.Properties.PolicyDocument).includes('ecs:UpdateService') &&
          JSON.stringify(r.Properties.PolicyDocument).includes(`"${worker}"`),
      );
    });
    expect(scalers).toEqual(['start-load', 'ramp-tick', 'stop-load']);
    const janitor = stack.pipeline.node.findChild('Janitor') as LoadTestJanitor;
    const janitorRole = id(janitor.handler.function.role as unknown as IConstruct);
    const janitorPolicies = Object.values(resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${janitorRole}"`),
    );
    const janitorScales = janitorPolicies
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
            .Statement,
      )
      .filter((st) => JSON.stringify(st.Resource).includes(`"${worker}"`));
    expect(janitorScales.map((st) => st.Action)).toEqual([['ecs:UpdateService', 'ecs:DescribeServices']]);
  });
});

/** The parts of the example these cases change. */
interface RawLocust {
  url?: string;
  workers?: unknown;
  fargate?: { vpcId: string; minWorkers?: number };
}
interface RawExample {
  environments: { staging: { locust: RawLocust }; perf?: { locust: RawLocust } };
}

describe('locust.fargate validation names the field', () => {
  const raw = (): RawExample => JSON.parse(readFileSync('config/example-fargate.json', 'utf8'));
  const problems = (mutate: (c: RawExample) => void) => {
    const c = raw();
    mutate(c);
    try {
      parseConfig(c);
      return [];
    } catch (err) {
      return (err as { problems: { field: string; rule: string }[] }).problems;
    }
  };

  it.each([
    [
      'a different url beside it',
      (c: RawExample) => {
        c.environments.staging.locust.url = 'http://elsewhere:8089';
      },
      'environments.staging.locust.url',
      /leave it out/,
    ],
    [
      'workers beside it',
      (c: RawExample) => {
        c.environments.staging.locust.workers = { type: 'ecs', cluster: 'x', service: 'y' };
      },
      'environments.staging.locust.workers',
      /sizes its own worker service/,
    ],
    [
      'a second environment in another VPC',
      (c: RawExample) => {
        const perf = structuredClone(c.environments.staging);
        if (perf.locust.fargate) perf.locust.fargate.vpcId = 'vpc-0fedcba987654321f';
        c.environments.perf = perf;
      },
      'environments.perf.locust.fargate.vpcId',
      /one VPC/,
    ],
    [
      'minWorkers above maxWorkers',
      (c: RawExample) => {
        if (c.environments.staging.locust.fargate) c.environments.staging.locust.fargate.minWorkers = 30;
      },
      'environments.staging.locust.fargate',
      /minWorkers ≤ maxWorkers/,
    ],
    [
      'neither url nor fargate',
      (c: RawExample) => {
        delete c.environments.staging.locust.fargate;
        delete c.environments.staging.locust.url;
        delete c.environments.staging.locust.workers;
      },
      'environments.staging.locust.url',
      /required/,
    ],
  ])('%s', (_what, mutate, field, rule) => {
    expect(problems(mutate)).toContainEqual({ field, rule: expect.stringMatching(rule) });
  });
});
