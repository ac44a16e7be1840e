import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import type { ConductorConfig, LocustWorkersConfig } from '../../../lambdas/core/config';
import type { RampState } from '../../../lambdas/core/ramp-state';
import type { AppShape } from '../../../lambdas/core/shape';
import { handler as janitor } from '../../../lambdas/handlers/janitor';
import { resetDeps } from '../../../lambdas/runtime/step';
import { readShopShape } from '../../../local/demo-shop';
import { DEMO_TEST_REPLICAS, type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally } from '../../../local/executor';
import { MOTO_CREDENTIALS, MOTO_REGION } from '../../../local/moto';
import { STEPS } from '../../../statemachine/steps';
import { SHORT_LOCAL_RUN } from '../../support/faults/retry-faults';

/**
 * "Stop execution" mid-ramp: no Catch runs, so the shop stays scaled up and the lock held — until the
 * janitor, started by the execution's status change, restores the recorded shape and frees the lock.
 */
let env: LocalEnvironment;
let runs: RunStore;

beforeAll(async () => {
  env = await startLocalEnvironment({ workers: 1 });
  runs = new RunStore(env.aws.RUNS_TABLE);
});
afterAll(async () => {
  await env?.stop();
});

function shopShape(): Promise<AppShape> {
  return readShopShape(env.shop.adminUrl);
}

/** Runs the pipeline and stops it once the ramp has ticked `ticks` times. */
async function runAbortedMidRamp(ticks = 1) {
  const controller = new AbortController();
  let seen = 0;
  return executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN, {
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'StateExited' && e.state.name === STEPS['ramp-tick'] && ++seen >= ticks)
        controller.abort();
    },
  });
}

/**
 * A run whose target needs more Locust workers than the one there is (660 orders/min at ~12 orders/user/min
 * is ~55 users, 30 per worker: 2 workers), stopped once a Ramp tick has asked the fleet for at least 2.
 */
async function runAbortedAfterFleetGrew() {
  const controller = new AbortController();
  let grown = false;
  return executeLocally(
    env.pipeline.definition,
    {
      environment: 'local',
      targetOrdersPerMinute: 660,
      rampUpMinutes: 0.5,
      plateauMinutes: 0.25,
      tickSeconds: 5,
    },
    {
      signal: controller.signal,
      handlers: {
        [STEPS['ramp-tick']]: (real) => async (input) => {
          const out = (await real(input)) as RampState;
          grown ||= (out.workersRequested ?? 0) >= 2;
          return out;
        },
      },
      onEvent: (e) => {
        if (e.type === 'StateExited' && e.state.name === STEPS['ramp-tick'] && grown) controller.abort();
      },
    },
  );
}

const event = (executionArn: string, status = 'ABORTED') => ({
  detail: { executionArn, status, error: null, cause: null },
});

describe('the janitor', () => {
  it('restores a run stopped mid-ramp, frees the lock, and changes nothing the second time', async () => {
    const before = await shopShape();
    expect(before.replicas).toBe(DEMO_TEST_REPLICAS);
    const result = await runAbortedMidRamp();
    expect(result.status).toBe('ABORTED');
    // What a stopped execution leaves behind: production size and a held lock.
    expect((await shopShape()).replicas).toBe(3);
    expect(await runs.lockHolder('local')).toBe(result.executionArn);
    const recorded = (await runs.recordedShapes(result.executionArn)).get('shop');
    expect(recorded?.replicas).toBe(DEMO_TEST_REPLICAS);

    const first = await janitor(event(result.executionArn));
    expect(first.acted).toBe(true);
    expect(first.lock).toBe('held');
    expect(first.loadStopped).toBe(true);
    expect(first.lockReleased).toBe(true);
    expect(first.restored).toEqual([{ application: 'shop', changed: true }]);
    const after = await shopShape();
    expect(after.replicas).toBe(recorded?.replicas);
    // As a normal Teardown leaves it: the recorded size, production's version (restoreVersions is off).
    expect(after).toEqual({ version: '2.4.0', replicas: DEMO_TEST_REPLICAS });
    expect(await runs.lockHolder('local')).toBeNull();
    const records = await runs.janitorRecords(result.executionArn);
    expect(records).toHaveLength(1);
    expect(records[0]?.reason).toBe('ABORTED');
    expect(records[0]?.message).toContain('restored shop');

    // Twice: nothing changes, field by field, and nothing more is recorded.
    const fullBefore = await (await request(`${env.shop.adminUrl}/_conductor/shape`)).body.json();
    const second = await janitor(event(result.executionArn));
    expect(second.acted).toBe(false);
    expect(second.lock).toBe('free');
    expect(second.loadStopped).toBe(false);
    expect(second.lockReleased).toBe(false);
    expect(second.restored).toEqual([{ application: 'shop', changed: false }]);
    expect(await (await request(`${env.shop.adminUrl}/_conductor/shape`)).body.json()).toEqual(fullBefore);
    expect(await runs.lockHolder('local')).toBeNull();
    expect(await runs.janitorRecords(result.executionArn)).toHaveLength(1);
  });

  it('scales the local worker processes back to their size before a run stopped after the fleet grew', async () => {
    expect(env.locust.workerProcesses).toBe(1);
    const result = await runAbortedAfterFleetGrew();
    expect(result.status, JSON.stringify(result.error)).toBe('ABORTED');
    // What a stopped execution leaves behind: the fleet at the test's size, its size before on record.
    const grownTo = env.locust.workerProcesses;
    expect(grownTo).toBeGreaterThanOrEqual(2);
    expect(await runs.recordedFleetSize(result.executionArn)).toBe(1);

    const first = await janitor(event(result.executionArn));
    expect(first.acted).toBe(true);
    expect(first.fleet).toEqual({
      fleet: expect.stringMatching(/^local worker processes/),
      from: grownTo,
      to: 1,
    });
    expect(env.locust.workerProcesses).toBe(1);
    expect(env.fleet.requests.at(-1)).toBe(1);
    const records = await runs.janitorRecords(result.executionArn);
    expect(records.at(-1)?.message).toContain(`scaled back from ${grownTo} to 1 workers`);
    expect(records.at(-1)?.fleet).toEqual(first.fleet);

    // Twice: the fleet is not asked again, and nothing more is recorded.
    const asked = env.fleet.requests.length;
    const second = await janitor(event(result.executionArn));
    expect(second.acted).toBe(false);
    expect(second.fleet).toMatchObject({ from: 1, to: 1 });
    expect(env.fleet.requests).toHaveLength(asked);
    expect(await runs.janitorRecords(result.executionArn)).toHaveLength(records.length);
  });

  it('scales an ECS worker service (on moto) back to its desired count before a run stopped after it grew', async () => {
    const ecs = new ECSClient({
      endpoint: env.aws.endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
    });
    const workers: LocustWorkersConfig = {
      type: 'ecs',
      cluster: 'load-test-locust',
      service: 'locust-worker',
      region: MOTO_REGION,
      minWorkers: 1,
      maxWorkers: 4,
    };
    await ecs.send(new CreateClusterCommand({ clusterName: workers.cluster }));
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'locust-worker',
        containerDefinitions: [
          { name: 'locust', image: 'ltc-locust:2.47.0', memory: 512, command: ['--worker'] },
        ],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: workers.cluster,
        serviceName: workers.service,
        taskDefinition: td.taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
      }),
    );
    const desiredCount = async () =>
      (await ecs.send(new DescribeServicesCommand({ cluster: workers.cluster, services: [workers.service] })))
        .services?.[0]?.desiredCount;
    const saved = process.env.LTC_CONFIG;
    // The environment's fleet is the ECS service; the local worker process stays the one Locust has.
    const local = env.config.environments.local;
    if (!local) throw new Error('config has no environment local');
    const config: ConductorConfig = {
      ...env.config,
      environments: { ...env.config.environments, local: { ...local, locust: { ...local.locust, workers } } },
    };
    process.env.LTC_CONFIG = JSON.stringify(config);
    resetDeps();
    try {
      const result = await runAbortedAfterFleetGrew();
      expect(result.status, JSON.stringify(result.error)).toBe('ABORTED');
      const grownTo = await desiredCount();
      expect(grownTo).toBeGreaterThanOrEqual(2);
      expect(await runs.recordedFleetSize(result.executionArn)).toBe(1);

      const first = await janitor(event(result.executionArn));
      expect(first.fleet).toEqual({
        fleet: 'ECS service locust-worker in load-test-locust',
        from: grownTo,
        to: 1,
      });
      expect(await desiredCount()).toBe(1);
      const second = await janitor(event(result.executionArn));
      expect(second.acted).toBe(false);
      expect(await desiredCount()).toBe(1);
    } finally {
      process.env.LTC_CONFIG = saved;
      resetDeps();
    }
  });

  it('changes nothing after a normal teardown, and never touches an environment another run holds', async () => {
    const failed = await executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN, {
      handlers: {
        [STEPS['ramp-tick']]: () => async () => {
          throw new Error('injected');
        },
      },
    });
    expect(failed.status).toBe('FAILED');
    const shape = await (await request(`${env.shop.adminUrl}/_conductor/shape`)).body.json();
    expect(await runs.lockHolder('local')).toBeNull();
    const result = await janitor(event(failed.executionArn, 'FAILED'));
    expect(result.acted).toBe(false);
    expect(await (await request(`${env.shop.adminUrl}/_conductor/shape`)).body.json()).toEqual(shape);
    expect(await runs.janitorRecords(failed.executionArn)).toEqual([]);

    const now = new Date();
    await runs.acquireLock('local', 'arn:another-run', now, new Date(now.getTime() + 600_000));
    try {
      const other = await janitor(event(failed.executionArn, 'FAILED'));
      expect(other).toMatchObject({ acted: false, lock: 'other' });
      expect(await runs.lockHolder('local')).toBe('arn:another-run');
    } finally {
      await runs.releaseLock('local', 'arn:another-run');
    }
  });

  it('ignores executions that never took the lock and statuses it is not for', async () => {
    expect(await janitor(event('arn:aws:states:us-east-1:123456789012:execution:X:never'))).toMatchObject({
      acted: false,
    });
    expect(await janitor(event('arn:whatever', 'SUCCEEDED'))).toMatchObject({ acted: false });
  });
});
