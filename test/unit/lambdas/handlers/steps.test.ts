import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setWorkerFleetFactory } from '../../../../lambdas/adapters/locust/fleet';
import type { LocustWorkersConfig } from '../../../../lambdas/core/config';
import { InMemoryRunStore } from '../../../support/in-memory-run-store';
import {
  FakeNodeGroups,
  FakePlatforms,
  fakeDeps,
  handedOnState,
  k8sApp,
  runState,
} from '../../../support/step-fakes';

const deps = vi.hoisted(() => ({ current: undefined as unknown }));
vi.mock('../../../../lambdas/runtime/step', async (original) => {
  const real = await original<typeof import('../../../../lambdas/runtime/step')>();
  return {
    ...real,
    step:
      <I, O>(_name: string, _providers: unknown, run: (input: I, d: never) => Promise<O>) =>
      (input: I) =>
        run(input, deps.current as never),
  };
});

const { handler: scale } = await import('../../../../lambdas/handlers/scale');
const { handler: teardown } = await import('../../../../lambdas/handlers/teardown');
const { checkDrift } = await import('../../../../lambdas/use-cases/drift');
const { handler: dryRun } = await import('../../../../lambdas/handlers/plan-dry-run');
const { runPreparePhase } = await import('../../../../local/prepare-phase');
const { handler: validate } = await import('../../../../lambdas/handlers/validate-input');
const { handler: stopLoad } = await import('../../../../lambdas/handlers/stop-load');

import type { RampState } from '../../../../lambdas/core/ramp-state';
import type { RunState } from '../../../../lambdas/core/run-state';
import type { AppShape } from '../../../../lambdas/core/shape';

const testShape: AppShape = {
  version: 'shop:2.5.0-feature',
  replicas: 1,
  images: { app: 'shop:2.5.0-feature' },
  resources: { app: { requests: { cpu: '100m' } } },
  hpa: { minReplicas: 1, maxReplicas: 2 },
};
const prodShape: AppShape = {
  version: 'shop:2.4.0',
  replicas: 6,
  images: { app: 'shop:2.4.0' },
  resources: { app: { requests: { cpu: '500m' }, limits: { cpu: '1' } } },
  hpa: { minReplicas: 6, maxReplicas: 20 },
};

function at<T>(xs: readonly (T | undefined)[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`nothing at ${i}`);
  return x;
}

let platform: FakePlatforms;
let runs: InMemoryRunStore;
let nodeGroups: FakeNodeGroups;

function seed(names: string[]) {
  for (const name of names) {
    const app = k8sApp(name, { hpa: true });
    platform.shapes.set(FakePlatforms.key(app.test), structuredClone(testShape));
    platform.shapes.set(FakePlatforms.key(app.production), structuredClone(prodShape));
  }
  return names.map((n) => k8sApp(n, { hpa: true }));
}

beforeEach(() => {
  platform = new FakePlatforms();
  runs = new InMemoryRunStore();
  nodeGroups = new FakeNodeGroups();
  deps.current = fakeDeps({ platform, runs, nodeGroups });
});

/** Deploy and Scale as the pipeline runs them: the prepare Maps, by the local interpreter. */
const prepared = (state: RunState): Promise<RunState> => runPreparePhase(state);

describe('Deploy, Scale and Teardown with the richer shape', () => {
  it('deploys production images, scales replicas, resources and HPA, and restores the recorded size', async () => {
    const apps = seed(['checkout']);
    const state = await prepared(runState(apps));
    expect(state.scale?.changes[0]?.to).toEqual({ ...prodShape, version: 'shop:2.4.0' });
    // Recorded once, before the first change.
    expect((await runs.recordedShapes(state.run.executionId)).get('checkout')).toEqual(testShape);

    const down = await teardown(state);
    const now = platform.shapes.get(FakePlatforms.key(at(apps, 0).test));
    // Size back; the version stays production's (restoreVersions: false).
    expect(now).toMatchObject({
      replicas: 1,
      resources: testShape.resources,
      hpa: testShape.hpa,
      images: prodShape.images,
    });
    expect(down.restored[0]?.to.replicas).toBe(1);
  });

  it('restores the versions too when the environment asks', async () => {
    const apps = seed(['checkout']);
    const state = await prepared(runState(apps, { restoreVersions: true }));
    await teardown(state);
    expect(platform.shapes.get(FakePlatforms.key(at(apps, 0).test))).toEqual(testShape);
  });

  it('prepares at most prepareConcurrency applications at once', async () => {
    const apps = seed(Array.from({ length: 12 }, (_, i) => `app-${i}`));
    platform.applyDelayMs = 5;
    await prepared(runState(apps, { prepareConcurrency: 4 }));
    expect(platform.peak).toBe(4);
    expect(platform.applied).toHaveLength(24);
  });

  it('refuses a production target before writing anything', async () => {
    const apps = seed(['checkout', 'payments']);
    const bad = { ...at(apps, 1), test: at(apps, 0).production };
    const state = runState([at(apps, 0), bad]);
    await expect(scale({ state, application: 'checkout' })).rejects.toMatchObject({
      name: 'ProductionTargetError',
      message:
        'payments: kubernetes:https://prod:6443 is a production platform; the conductor never writes to production',
    });
    expect(platform.applied).toEqual([]);
    expect((await runs.recordedShapes(state.run.executionId)).size).toBe(0);
  });

  it('restores every application even when one restore fails, then fails naming it', async () => {
    const apps = seed(['a', 'b']);
    const state = await prepared(runState(apps));
    platform.failFor.add('a');
    await expect(teardown(state)).rejects.toThrow('a: rollout failed');
    expect(platform.shapes.get(FakePlatforms.key(at(apps, 1).test))?.replicas).toBe(1);
  });

  it('scales node groups before the applications and restores them after', async () => {
    nodeGroups.sizes.set('test-workers', { minSize: 1, maxSize: 2, desiredSize: 1 });
    nodeGroups.sizes.set('prod-workers', { minSize: 5, maxSize: 30, desiredSize: 12 });
    const apps = seed(['checkout']);
    const state = runState(apps, {
      nodeGroups: [
        {
          name: 'workers',
          test: { cluster: 'staging', nodegroup: 'test-workers' },
          production: { cluster: 'prod', nodegroup: 'prod-workers' },
          readinessTimeoutSeconds: 60,
        },
      ],
    });
    const s = await scale({ state, nodeGroups: true });
    expect(s.nodeGroups).toEqual([
      {
        nodeGroup: 'workers',
        from: { minSize: 1, maxSize: 2, desiredSize: 1 },
        to: { minSize: 5, maxSize: 30, desiredSize: 12 },
      },
    ]);
    const down = await teardown({ ...state, scale: s });
    expect(down.nodeGroups?.[0]?.to).toEqual({ minSize: 1, maxSize: 2, desiredSize: 1 });
    expect(nodeGroups.sizes.get('prod-workers')).toEqual({ minSize: 5, maxSize: 30, desiredSize: 12 });
  });

  it('plans a dry run with the richer shape and writes nothing', async () => {
    const apps = seed(['checkout']);
    const plan = await dryRun(runState(apps));
    expect(plan.changes[0]?.to).toEqual(prodShape);
    expect(platform.applied).toEqual([]);
  });
});

describe('checkDrift', () => {
  it('reports nothing while the prepared shape holds, and lets the HPA scale out', async () => {
    const apps = seed(['checkout']);
    const state = await prepared(runState(apps));
    const key = FakePlatforms.key(at(apps, 0).test);
    platform.shapes.set(key, { ...at([platform.shapes.get(key)], 0), replicas: 15 });
    const drift = await checkDrift(state, deps.current as never);
    expect(drift).toEqual({ checked: 1, events: [], message: 'shape holds (1 application)' });
  });

  it('detects a rollout that put the application back on small pods and re-applies without waiting', async () => {
    const apps = seed(['checkout', 'payments']);
    const state = await prepared(runState(apps));
    const key = FakePlatforms.key(at(apps, 0).test);
    platform.shapes.set(key, structuredClone(testShape)); // someone re-deployed the old manifest
    platform.applied.length = 0;
    const drift = await checkDrift(state, deps.current as never);
    expect(drift.events).toEqual([
      {
        application: 'checkout',
        at: '2026-11-27T10:00:00.000Z',
        differences: [
          { field: 'images', expected: prodShape.images, actual: testShape.images },
          { field: 'resources', expected: prodShape.resources, actual: testShape.resources },
          { field: 'hpa', expected: prodShape.hpa, actual: testShape.hpa },
          { field: 'replicas', expected: 6, actual: 1 },
        ],
        reapplied: true,
      },
    ]);
    expect(drift.message).toBe('checkout drifted (images, resources, hpa, replicas), re-applied');
    expect(platform.applied).toEqual([
      { application: 'checkout', key, shape: state.scale?.changes[0]?.to, options: { wait: false } },
    ]);
    expect(platform.shapes.get(key)).toEqual(state.scale?.changes[0]?.to);
  });

  it('reports a failed re-apply instead of throwing', async () => {
    const apps = seed(['checkout']);
    const state = await prepared(runState(apps));
    platform.shapes.set(FakePlatforms.key(at(apps, 0).test), structuredClone(testShape));
    platform.failFor.add('checkout');
    const drift = await checkDrift(state, deps.current as never);
    expect(drift.events[0]).toMatchObject({ reapplied: false, error: 'checkout: rollout failed' });
  });
});

/** The run store as far as Validate uses it: the lock and the continuation records, in memory. */
class LockTable {
  holder: string | null = null;
  expiresAt: Date | null = null;
  readonly continuations = new Map<string, string>();
  async renewLock(_environment: string, holder: string, expiresAt: Date): Promise<boolean> {
    if (this.holder !== holder) return false;
    this.expiresAt = expiresAt;
    return true;
  }
  async lockHolder(): Promise<string | null> {
    return this.holder;
  }
  async putContinuation(executionId: string, runExecutionId: string): Promise<void> {
    this.continuations.set(executionId, runExecutionId);
  }
}

const NOW = new Date('2026-11-29T00:00:00.000Z');
const RUN = runState([]).run.executionId;
const NEXT = 'arn:aws:states:us-east-1:1:execution:m:run-1-c2';
let table: LockTable;

const continuationEvent = (continuation: unknown) => ({
  input: { continuation, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: RUN },
  execution: { id: NEXT, name: 'run-1-c2', startTime: NOW.toISOString() },
  budget: { ticks: 2000, seconds: 45 * 3600 },
});

describe('Validate, in an execution that continues a run', () => {
  beforeEach(() => {
    table = new LockTable();
    deps.current = { runs: table, now: () => NOW, config: () => undefined };
  });

  it('renews the run’s lock to the planned end, records itself as the run’s, and resumes at the next tick', async () => {
    table.holder = RUN;
    const state = await validate(continuationEvent(handedOnState()));
    // The load started 2026-11-27T10:00 and lasts 1 + 7 × 1440 minutes, plus the 2-hour margin.
    expect(table.expiresAt?.toISOString()).toBe('2026-12-04T12:01:00.000Z');
    expect(table.continuations.get(NEXT)).toBe(RUN);
    expect(state.run).toEqual(handedOnState().run);
    expect(state.ramp).toEqual(handedOnState().ramp);
    expect(state.lock).toEqual({
      environment: 'staging',
      holder: RUN,
      expiresAt: '2026-12-04T12:01:00.000Z',
    });
    expect(state.execution).toEqual({
      id: NEXT,
      name: 'run-1-c2',
      startedAt: NOW.toISOString(),
      number: 2,
      continuesFrom: RUN,
      continueAtTick: 4250,
      nextName: 'run-1-c3',
    });
  });

  it('fails without touching anything when the run no longer holds the lock', async () => {
    table.holder = 'arn:another-run';
    await expect(validate(continuationEvent(handedOnState()))).rejects.toMatchObject({
      name: 'ValidationError',
      message:
        "continuation.lock: environment 'staging' is no longer locked by this run (held by arn:another-run): the run cannot go on, nothing was changed",
    });
    expect(table.continuations.size).toBe(0);
    expect(table.expiresAt).toBeNull();
  });

  it('refuses a malformed continuation by field, before reading the lock', async () => {
    table.holder = RUN;
    const broken = { ...handedOnState(), ramp: { ...handedOnState().ramp, tick: 'many' } };
    await expect(validate(continuationEvent(broken))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'continuation.ramp.tick: must be an integer',
    });
    expect(table.expiresAt).toBeNull();
  });
});

describe('Validate, in the execution that starts a run', () => {
  beforeEach(() => {
    table = new LockTable();
  });

  it('sets the tick at which the run continues from the budget of ticks and time', async () => {
    deps.current = {
      runs: table,
      now: () => NOW,
      config: () => ({ environments: { staging: runState([]).run.environment } }),
    };
    const state = await validate({
      input: {
        environment: 'staging',
        targetOrdersPerMinute: 100,
        plateauMinutes: 7 * 1440,
        tickSeconds: 300,
      },
      execution: { id: RUN, name: 'run-1', startTime: NOW.toISOString() },
      budget: { ticks: 2000, seconds: 45 * 3600 },
    });
    // 45 hours of 300 s ticks come before 2000 ticks.
    expect(state.execution).toEqual({
      id: RUN,
      name: 'run-1',
      startedAt: NOW.toISOString(),
      number: 1,
      continueAtTick: 540,
      nextName: 'run-1-c2',
    });
    expect(state.execution?.continuesFrom).toBeUndefined();
  });
});

const kubernetes: LocustWorkersConfig = {
  type: 'kubernetes',
  cluster: { endpoint: 'https://load:6443', tokenEnv: 'LOAD_TOKEN' },
  namespace: 'load',
  deployment: 'locust-worker',
  minWorkers: 2,
  maxWorkers: 50,
};
const ecs: LocustWorkersConfig = {
  type: 'ecs',
  cluster: 'load',
  service: 'locust-worker',
  minWorkers: 1,
  maxWorkers: 50,
};

let calls: string[];
let fleetRuns: InMemoryRunStore;
/** What the fleet stand-in answers for `desired` until it is scaled. */
let desiredNow: number;
const stopLoadDeps = () => {
  calls = [];
  desiredNow = 8;
  fleetRuns = new InMemoryRunStore();
  setWorkerFleetFactory((config) => ({
    description: `${config.type} fleet`,
    scale: async (workers) => {
      calls.push(`scale ${config.type} ${workers}`);
      desiredNow = workers;
    },
    status: async () => ({ desired: desiredNow, running: desiredNow }),
  }));
  deps.current = {
    ...fakeDeps({ platform: new FakePlatforms(), runs: fleetRuns }),
    locust: () => ({
      stop: async () => {
        calls.push('stop locust');
      },
    }),
  };
};

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

/**
 * Stop load scales the worker fleet back down after stopping Locust, to the size Start load recorded in the
 * run store (the janitor does the same after an aborted execution). The fleet here is a recording stand-in
 * for the platform (each adapter's scale call is proven on real servers: test/e2e/ramp/ecs-fleet.test.ts on
 * moto, test/e2e/ramp/fleet-follows-controller.test.ts on local worker processes, which also runs Stop load
 * end to end; test/e2e/faults/janitor.test.ts restores local and ECS fleets after aborted executions, and
 * janitor-kubernetes-fleet.test.ts a worker Deployment).
 */
describe('Stop load', () => {
  beforeEach(stopLoadDeps);
  afterEach(() => {
    setWorkerFleetFactory(undefined);
  });

  it.each([
    ['Kubernetes Deployment', kubernetes],
    ['ECS service', ecs],
  ])('stops Locust, then scales the %s back to its recorded size before the test', async (_name, workers) => {
    const state = stateWith(workers, { workersBefore: 3 });
    await fleetRuns.recordFleetSizeOnce(state.run.executionId, 3);
    const out = await stopLoad(state);
    expect(calls).toEqual(['stop locust', `scale ${workers.type} 3`]);
    expect(out).toMatchObject({ stopped: true, workers: 3 });
    expect(out.message).toMatch(/scaled back to 3 workers \(its size before the test\)/);
  });

  it('reads the size from the run store, not from the state', async () => {
    const state = stateWith(kubernetes, { workersBefore: 5 });
    await fleetRuns.recordFleetSizeOnce(state.run.executionId, 2);
    await stopLoad(state);
    expect(calls).toEqual(['stop locust', 'scale kubernetes 2']);
  });

  it('does not ask a fleet already at its recorded size again', async () => {
    const state = stateWith(ecs, { workersBefore: 8 });
    await fleetRuns.recordFleetSizeOnce(state.run.executionId, 8);
    const out = await stopLoad(state);
    expect(calls).toEqual(['stop locust']);
    expect(out).toMatchObject({ stopped: true, workers: 8 });
  });

  it('leaves a fleet the conductor does not size alone', async () => {
    const out = await stopLoad(stateWith(undefined, { workersBefore: null }));
    expect(calls).toEqual(['stop locust']);
    expect(out).toEqual({ stopped: true, message: 'Locust stopped' });
  });

  it('leaves the fleet alone when nothing scaled it (failure path, no size recorded)', async () => {
    const out = await stopLoad(stateWith(ecs, null));
    expect(calls).toEqual(['stop locust']);
    expect(out.workers).toBeUndefined();
  });

  it('scales back a fleet that a failed Start load scaled (failure path, Locust unreachable)', async () => {
    const state = stateWith(ecs, null);
    await fleetRuns.recordFleetSizeOnce(state.run.executionId, 1);
    deps.current = {
      ...(deps.current as object),
      locust: () => ({
        stop: async () => {
          throw new Error('connect ECONNREFUSED');
        },
      }),
    };
    const out = await stopLoad(state);
    expect(calls).toEqual(['scale ecs 1']);
    expect(out).toMatchObject({ stopped: false, workers: 1 });
    expect(out.message).toMatch(/^no load was started \(connect ECONNREFUSED\); ecs fleet scaled back to 1/);
  });
});
