import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lambdas/adapters/aws/clients';
import { EcsWorkerFleet } from '../../../lambdas/adapters/locust/fleet';
import { MOTO_CREDENTIALS, MOTO_REGION, type Moto, motoEnv, startMoto } from '../../../local/moto';

/** The ECS worker fleet against a real AWS API emulator (moto): the worker service's desired count. */
let moto: Moto;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, motoEnv(moto.endpoint));
  const ecs = new ECSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  await ecs.send(new CreateClusterCommand({ clusterName: 'load-test-locust' }));
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'locust-worker',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '1024',
      memory: '2048',
      containerDefinitions: [{ name: 'locust', image: 'ltc-locust:2.47.0', command: ['--worker'] }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'load-test-locust',
      serviceName: 'locust-worker',
      taskDefinition: td.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
    }),
  );
});
afterAll(async () => {
  process.env = saved;
  await moto?.stop();
});

describe('ECS worker fleet on moto', () => {
  it('sets the worker service’s desired count and reads it back', async () => {
    const fleet = new EcsWorkerFleet(
      { type: 'ecs', cluster: 'load-test-locust', service: 'locust-worker', region: MOTO_REGION },
      new AwsClients(),
    );
    expect((await fleet.status()).desired).toBe(1);
    await fleet.scale(4);
    expect((await fleet.status()).desired).toBe(4);
    const ecs = new ECSClient({
      endpoint: moto.endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
    });
    const described = await ecs.send(
      new DescribeServicesCommand({ cluster: 'load-test-locust', services: ['locust-worker'] }),
    );
    expect(described.services?.[0]?.desiredCount).toBe(4);
    await fleet.scale(0);
    expect((await fleet.status()).desired).toBe(0);
  });

  it('names the service when it does not exist', async () => {
    const fleet = new EcsWorkerFleet(
      { type: 'ecs', cluster: 'load-test-locust', service: 'no-such-service', region: MOTO_REGION },
      new AwsClients(),
    );
    await expect(fleet.status()).rejects.toThrow(/no-such-service/);
  });
});
