import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setWorkerFleetFactory } from '../../../lambdas/adapters/locust/fleet';
import type { LocustWorkersConfig } from '../../../lambdas/core/config';
import type { RampState, RunState } from '../../../lambdas/core/state';
import { FakePlatforms, fakeDeps, runState } from './fakes';

/**
 * Stop load scales the worker fleet back down after stopping Locust. The fleet here is a recording stand-in
 * for the platform (each adapter's scale call is proven on real servers: test/e2e/ramp/ecs-fleet.test.ts on
 * moto, test/e2e/kubernetes on kube-apiserver, test/e2e/ramp/fleet-follows-controller.test.ts on local
 * worker processes, which also runs this handler end to end).
 */
const deps = vi.hoisted(() => ({ current: undefined as unknown }));
vi.mock('../../../lambdas/handlers/runtime', async (original) => {
  const real = await original<typeof import('../../../lambdas/handlers/runtime')>();
  return {
    ...real,
    step:
      <I, O>(_name: string, run: (input: I, d: never) => Promise<O>) =>
      (input: I) =>
        run(input, deps.current as never),
  };
});
const { handler: stopLoad } = await import('../../../lambdas/handlers/stop-load');

const kubernetes: LocustWorkersConfig = {
  type: 'kubernetes',
  cluster: { endpoint: 'https://load:6443', tokenEnv: 'LOAD_TOKEN' },
  namespace: 'load',
  deployment: 'locust-worker',
  minWorkers: 2,
};
const ecs: LocustWorkersConfig = { type: 'ecs', cluster: 'load', service: 'locust-worker', minWorkers: 1 };

let calls: string[];
beforeEach(() => {
  calls = [];
  setWorkerFleetFactory((config) => ({
    description: `${config.type} fleet`,
    scale: async (workers) => {
      calls.push(`scale ${config.type} ${workers}`);
    },
    status: async () => ({ desired: 0, running: 0 }),
  }));
  deps.current = {
    ...fakeDeps({ platform: new FakePlatforms() }),
    locust: () => ({
      stop: async () => {
        calls.push('stop locust');
      },
    }),
  };
});
afterEach(() => {
  setWorkerFleetFactory(undefined);
});

function stateWith(workers: LocustWorkersConfig | undefined, ramp: Partial<RampState> | null): RunState {
  const base = runState([]);
  const environment = {
    ...base.run.environment,
    locust: { ...base.run.environment.locust, ...(workers ? { workers } : {}) },
  };
  return {
    ...base,
    run: { ...base.run, environment },
    ...(ramp ? { ramp: { workersRequested: 8, ...ramp } as RampState } : {}),
  };
}

describe('Stop load', () => {
  it.each([
    ['Kubernetes Deployment', kubernetes],
    ['ECS service', ecs],
  ])('stops Locust, then scales the %s back to its size before the test', async (_name, workers) => {
    const out = await stopLoad(stateWith(workers, { workersBefore: 3 }));
    expect(calls).toEqual(['stop locust', `scale ${workers.type} 3`]);
    expect(out).toMatchObject({ stopped: true, workers: 3 });
    expect(out.message).toMatch(/scaled back to 3 workers \(its size before the test\)/);
  });

  it('falls back to the configured minimum when no size was recorded', async () => {
    const out = await stopLoad(stateWith(kubernetes, { workersBefore: null }));
    expect(calls).toEqual(['stop locust', 'scale kubernetes 2']);
    expect(out.message).toMatch(/the configured minimum/);
  });

  it('leaves a fleet the conductor does not size alone', async () => {
    const out = await stopLoad(stateWith(undefined, { workersBefore: null }));
    expect(calls).toEqual(['stop locust']);
    expect(out).toEqual({ stopped: true, message: 'Locust stopped' });
  });

  it('leaves the fleet alone when no load was started (failure path)', async () => {
    const out = await stopLoad(stateWith(ecs, null));
    expect(calls).toEqual(['stop locust']);
    expect(out.workers).toBeUndefined();
  });
});
