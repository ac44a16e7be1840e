import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateClusterCommand as CreateEksClusterCommand,
  CreateNodegroupCommand,
  DescribeNodegroupCommand,
  EKSClient,
  UpdateNodegroupConfigCommand,
} from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_RESOURCES } from '../../../lambdas/adapters/ecs/ecs-adapter';
import { type ConductorConfig, parseConfig } from '../../../lambdas/core/config';
import type { RunState } from '../../../lambdas/core/run-state';
import { handler as planDryRun } from '../../../lambdas/handlers/plan-dry-run';
import { handler as scale } from '../../../lambdas/handlers/scale';
import { handler as teardown } from '../../../lambdas/handlers/teardown';
import { handler as validateInput } from '../../../lambdas/handlers/validate-input';
import { deps } from '../../../lambdas/runtime/step';
import { checkDrift } from '../../../lambdas/use-cases/drift';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS, MOTO_REGION, type Moto, startMoto } from '../../../local/moto';
import { runPreparePhase } from '../../../local/prepare-phase';
import { useMotoAws } from '../../support/moto-aws';

/**
 * ECS services (task definition, desired count) and EKS managed node groups (scaling configuration) scaled
 * up and back by the real step handlers against moto's ECS and EKS APIs, with the run store on moto too.
 */
let moto: Moto;
let ecs: ECSClient;
let eks: EKSClient;
let config: ConductorConfig;
let run = 0;

const ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/ecs-task`;

async function registerTaskDefinition(family: string, version: string, size: 'small' | 'large') {
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      taskRoleArn: ROLE,
      executionRoleArn: ROLE,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: size === 'small' ? '256' : '1024',
      memory: size === 'small' ? '512' : '2048',
      containerDefinitions: [
        {
          name: 'app',
          image: `registry.local/checkout:${version}`,
          essential: true,
          cpu: size === 'small' ? 128 : 512,
          memoryReservation: size === 'small' ? 256 : 1024,
          environment: [{ name: 'STAGE', value: family }],
        },
      ],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn as string;
}

let testTaskDefinition: string;
let productionTaskDefinition: string;

beforeAll(async () => {
  moto = await startMoto();
  const client = { endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  ecs = new ECSClient(client);
  eks = new EKSClient(client);
  for (const cluster of ['staging', 'production'])
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  testTaskDefinition = await registerTaskDefinition('checkout-staging', '2.5.0-feature-x', 'small');
  productionTaskDefinition = await registerTaskDefinition('checkout-production', '2.4.0', 'large');
  for (const [cluster, taskDefinition, desiredCount] of [
    ['staging', testTaskDefinition, 1],
    ['production', productionTaskDefinition, 6],
  ] as const) {
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'checkout',
        taskDefinition,
        desiredCount,
        launchType: 'FARGATE',
      }),
    );
  }
  for (const [cluster, scalingConfig] of [
    ['ltc-test', { minSize: 1, maxSize: 2, desiredSize: 1 }],
    ['ltc-production', { minSize: 5, maxSize: 30, desiredSize: 12 }],
  ] as const) {
    await eks.send(
      new CreateEksClusterCommand({
        name: cluster,
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/eks`,
        resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
      }),
    );
    await eks.send(
      new CreateNodegroupCommand({
        clusterName: cluster,
        nodegroupName: 'workers',
        nodeRole: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/node`,
        subnets: ['subnet-1'],
        scalingConfig,
      }),
    );
  }
  const app = {
    name: 'checkout',
    readinessTimeoutSeconds: 30,
    test: { type: 'ecs', cluster: 'staging', service: 'checkout', region: MOTO_REGION },
    production: { type: 'ecs', cluster: 'production', service: 'checkout', region: MOTO_REGION },
  };
  const nodeGroups = [
    {
      name: 'workers',
      test: { cluster: 'ltc-test', nodegroup: 'workers', region: MOTO_REGION },
      production: { cluster: 'ltc-production', nodegroup: 'workers', region: MOTO_REGION },
      readinessTimeoutSeconds: 30,
    },
  ];
  const base = {
    maxOrdersPerMinute: 1000,
    scenarios: ['checkout'],
    defaultScenario: 'checkout',
    locust: { url: 'http://127.0.0.1:1' },
    applications: [app],
    nodeGroups,
  };
  config = parseConfig({
    environments: { 'ecs-restore-all': { ...base, restoreVersions: true }, 'ecs-keep-version': base },
  });
  await useMotoAws(moto.endpoint, config, { LTC_POLL_MS: '250' });
});

afterAll(async () => {
  await moto?.stop();
});

/** Deploy and Scale as the pipeline runs them: the prepare Maps, with the real handlers. */
async function prepare(state: RunState) {
  const { deploy, scale } = await runPreparePhase(state);
  if (!deploy || !scale) throw new Error('the prepare phase left no deploy or scale result');
  return { deploy, scale };
}

async function start(environment: string): Promise<RunState> {
  run += 1;
  return validateInput({
    input: { environment, targetOrdersPerMinute: 100, rampUpMinutes: 1, plateauMinutes: 1 },
    execution: {
      id: `arn:aws:states:us-east-1:${MOTO_ACCOUNT_ID}:execution:LoadTestConductor:ecs-${run}-${Date.now()}`,
      name: `ecs-${run}`,
      startTime: new Date().toISOString(),
    },
  });
}

async function service(cluster: string) {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: ['checkout'] }));
  return out.services?.[0];
}

async function taskDefinition(arn: string) {
  return (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition;
}

async function nodeGroup(cluster: string) {
  const out = await eks.send(
    new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: 'workers' }),
  );
  return out.nodegroup?.scalingConfig;
}

describe('ECS services and EKS node groups on moto', () => {
  it("deploys production's images into a new revision of the test family, scales desired count, cpu/memory and node groups, then restores all", async () => {
    const state = await start('ecs-restore-all');
    const { deploy: d, scale: s } = await prepare(state);

    const svc = await service('staging');
    expect(svc?.desiredCount).toBe(6);
    expect(svc?.runningCount).toBe(6);
    const td = await taskDefinition(svc?.taskDefinition as string);
    // The test family, not production's: the test roles and environment stay; images and sizes are production's.
    expect(td?.family).toBe('checkout-staging');
    expect(td?.taskRoleArn).toBe(ROLE);
    expect(td?.containerDefinitions?.[0]).toMatchObject({
      image: 'registry.local/checkout:2.4.0',
      cpu: 512,
      memoryReservation: 1024,
      environment: [{ name: 'STAGE', value: 'checkout-staging' }],
    });
    expect([td?.cpu, td?.memory]).toEqual(['1024', '2048']);
    expect(s.changes[0]?.to).toMatchObject({
      replicas: 6,
      images: { app: 'registry.local/checkout:2.4.0' },
      resources: { [TASK_RESOURCES]: { limits: { cpu: '1024', memory: '2048' } } },
    });
    expect(s.nodeGroups).toEqual([
      {
        nodeGroup: 'workers',
        from: { minSize: 1, maxSize: 2, desiredSize: 1 },
        to: { minSize: 5, maxSize: 30, desiredSize: 12 },
      },
    ]);
    expect(await nodeGroup('ltc-test')).toEqual({ minSize: 5, maxSize: 30, desiredSize: 12 });
    expect(await checkDrift({ ...state, deploy: d, scale: s }, deps())).toMatchObject({ events: [] });

    const down = await teardown({ ...state, deploy: d, scale: s });
    const back = await service('staging');
    expect(back?.taskDefinition).toBe(testTaskDefinition);
    expect(back?.desiredCount).toBe(1);
    expect(await nodeGroup('ltc-test')).toEqual({ minSize: 1, maxSize: 2, desiredSize: 1 });
    expect(down.nodeGroups?.[0]?.to).toEqual({ minSize: 1, maxSize: 2, desiredSize: 1 });

    // Production was only read.
    const prod = await service('production');
    expect([prod?.taskDefinition, prod?.desiredCount]).toEqual([productionTaskDefinition, 6]);
    expect(await nodeGroup('ltc-production')).toEqual({ minSize: 5, maxSize: 30, desiredSize: 12 });
    const families = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'checkout-production' }));
    expect(families.taskDefinitionArns).toEqual([productionTaskDefinition]);
  });

  it("keeps production's version after the run by default, restoring only the size", async () => {
    const state = await start('ecs-keep-version');
    const { deploy: d, scale: s } = await prepare(state);
    await teardown({ ...state, deploy: d, scale: s });
    const svc = await service('staging');
    expect(svc?.desiredCount).toBe(1);
    const td = await taskDefinition(svc?.taskDefinition as string);
    expect(td?.family).toBe('checkout-staging');
    expect(td?.containerDefinitions?.[0]).toMatchObject({
      image: 'registry.local/checkout:2.4.0',
      cpu: 128,
      memoryReservation: 256,
    });
    expect([td?.cpu, td?.memory]).toEqual(['256', '512']);
  });

  it('detects a service put back on its old task definition and re-applies the prepared one', async () => {
    const state = await start('ecs-keep-version');
    const { deploy: d, scale: s } = await prepare(state);
    const prepared = (await service('staging'))?.taskDefinition;
    // Someone redeploys the old revision at a smaller count mid-test.
    const { UpdateServiceCommand } = await import('@aws-sdk/client-ecs');
    await ecs.send(
      new UpdateServiceCommand({
        cluster: 'staging',
        service: 'checkout',
        taskDefinition: testTaskDefinition,
        desiredCount: 2,
      }),
    );
    const drift = await checkDrift({ ...state, deploy: d, scale: s }, deps());
    expect(drift.events[0]).toMatchObject({ application: 'checkout', reapplied: true });
    expect(drift.events[0]?.differences.map((x) => x.field)).toEqual(['images', 'resources', 'replicas']);
    const svc = await service('staging');
    expect([svc?.taskDefinition, svc?.desiredCount]).toEqual([prepared, 6]);
    await teardown({ ...state, deploy: d, scale: s });
  });

  it('plans the node groups from their size to production’s, changing nothing', async () => {
    const plan = await planDryRun(await start('ecs-keep-version'));
    expect(plan.nodeGroups).toEqual([
      {
        nodeGroup: 'workers',
        from: { minSize: 1, maxSize: 2, desiredSize: 1 },
        to: { minSize: 5, maxSize: 30, desiredSize: 12 },
      },
    ]);
    expect(plan.summary).toContain('node group workers: 1 nodes (1–2) → 12 nodes (5–30)');
    expect(await nodeGroup('ltc-test')).toEqual({ minSize: 1, maxSize: 2, desiredSize: 1 });
  });

  it('detects a node group scaled back down during the test and re-applies its prepared size', async () => {
    const state = await start('ecs-keep-version');
    const { deploy: d, scale: s } = await prepare(state);
    const prepared = { ...state, deploy: d, scale: s };
    expect(await checkDrift(prepared, deps())).toMatchObject({ checked: 2, events: [] });
    // Someone (or a stale Terraform apply) puts the test node group back on its small size mid-test.
    await eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: 'ltc-test',
        nodegroupName: 'workers',
        scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 },
      }),
    );
    const drift = await checkDrift(prepared, deps());
    expect(drift.events).toEqual([
      {
        application: 'nodegroup/workers',
        at: expect.any(String),
        differences: [
          { field: 'minSize', expected: 5, actual: 1 },
          { field: 'maxSize', expected: 30, actual: 2 },
          { field: 'desiredSize', expected: 12, actual: 1 },
        ],
        reapplied: true,
      },
    ]);
    expect(drift.message).toBe('nodegroup/workers drifted (minSize, maxSize, desiredSize), re-applied');
    expect(await nodeGroup('ltc-test')).toEqual({ minSize: 5, maxSize: 30, desiredSize: 12 });
    // More nodes than prepared (a cluster autoscaler within the bounds) is not drift.
    await eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: 'ltc-test',
        nodegroupName: 'workers',
        scalingConfig: { minSize: 5, maxSize: 30, desiredSize: 20 },
      }),
    );
    expect((await checkDrift(prepared, deps())).events).toEqual([]);
    await teardown(prepared);
    expect(await nodeGroup('ltc-test')).toEqual({ minSize: 1, maxSize: 2, desiredSize: 1 });
  });

  it('refuses to write to a production service before any write', async () => {
    const state = await start('ecs-keep-version');
    const app = state.run.environment.applications[0];
    if (!app) throw new Error('missing fixture');
    const crafted: RunState = {
      ...state,
      run: {
        ...state.run,
        environment: { ...state.run.environment, applications: [{ ...app, test: app.production }] },
      },
    };
    await expect(scale({ state: crafted, nodeGroups: true })).rejects.toMatchObject({
      name: 'ProductionTargetError',
    });
    // Refused before the first write of the run: the node groups (scaled first) were not touched.
    expect(await nodeGroup('ltc-test')).toEqual({ minSize: 1, maxSize: 2, desiredSize: 1 });
    const prod = await service('production');
    expect([prod?.taskDefinition, prod?.desiredCount]).toEqual([productionTaskDefinition, 6]);
  });
});
