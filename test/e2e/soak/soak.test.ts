import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEMS } from '../../../bench/ramp-bench';
import type { RunStore } from '../../../lambdas/adapters/aws/run-store';
import type { LocustClient } from '../../../lambdas/adapters/locust/client';
import type { ConductorConfig } from '../../../lambdas/core/config';
import type { ContinuationInput } from '../../../lambdas/core/continuation';
import type { RunState } from '../../../lambdas/core/run-state';
import { handler as janitor } from '../../../lambdas/handlers/janitor';
import { handler as validate } from '../../../lambdas/handlers/validate-input';
import { deps, resetDeps } from '../../../lambdas/runtime/step';
import { readShopShape } from '../../../local/demo-shop';
import { DEMO_TEST_REPLICAS, type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { type EventLog, executeLocally, type LocalExecutionResult } from '../../../local/executor';
import { fetchSummary } from '../../../local/report';
import { synthesizePipeline } from '../../../local/synth';
import { CONTROL_STATES as C, STEPS } from '../../../statemachine/steps';
import { InMemoryRunStore } from '../../support/in-memory-run-store';
import { SimulatedLocust } from '../../support/simulated-locust';

/**
 * A simulated week-long soak: the synthesized state machine with the real handlers, metrics, reports bucket
 * and topic in moto, the demo shop prepared and restored over HTTP — and Locust simulated (bench/sim.ts) on
 * a simulated clock that each tick sets to the time its Wait waited for (Waits take no real time). A
 * test-only per-execution tick budget makes the run continue in new executions several times. The week keeps
 * its run records in memory (in moto it took over two minutes, see in-memory-run-store.ts); the aborted
 * continuation runs against the DynamoDB run store in moto.
 */
let env: LocalEnvironment;
/** The run store the handlers use in the current test. */
let runs: Pick<RunStore, keyof RunStore>;
let motoRuns: RunStore;
let config: ConductorConfig;
let clock = Date.parse('2026-11-30T00:00:00.000Z');
let locust: SimulatedLocust;

const ORDER_REQUEST = 'checkout: place order';
const linear = SYSTEMS.find((s) => s.name === 'linear');
const TICK_SECONDS = 300;
const SOAK = {
  environment: 'local',
  targetOrdersPerMinute: 300,
  rampUpMinutes: 60,
  plateauMinutes: 7 * 1440 - 60,
  tickSeconds: TICK_SECONDS,
};

beforeAll(async () => {
  env = await startLocalEnvironment({ workers: 1 });
  const local = env.config.environments.local;
  if (!local || !linear) throw new Error('config/local.json has no local environment, or no linear system');
  // The simulated cluster has its own workers: the conductor sizes no worker processes.
  const { workers: _processes, ...simulated } = local.locust;
  config = {
    ...env.config,
    environments: { ...env.config.environments, local: { ...local, locust: simulated } },
  };
  process.env.LTC_CONFIG = JSON.stringify(config);
  resetDeps();
  const d = deps();
  vi.spyOn(d, 'now').mockImplementation(() => new Date(clock));
  vi.spyOn(d, 'locust').mockImplementation(() => locust as unknown as LocustClient);
  motoRuns = d.runs;
});

/** Makes `store` the run store of the handlers (and of this file's assertions). */
function useRunStore(store: Pick<RunStore, keyof RunStore>): void {
  Object.assign(deps(), { runs: store });
  runs = store;
}
afterAll(async () => {
  vi.restoreAllMocks();
  await env?.stop();
});

/** The ramp tick as scheduled: it runs at the time its Wait waited for (`ramp.nextTickAt`). */
function onSchedule(after?: (state: RunState) => Promise<void>) {
  return (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
    const { ramp } = input as RunState;
    if (ramp) clock = Date.parse(ramp.nextTickAt);
    const output = await real(input);
    await after?.(input as RunState);
    return output;
  };
}

const entered = (r: LocalExecutionResult, name: string) =>
  r.events.filter((e) => e.type === 'StateEntered' && e.state.name === name).length;

describe('a simulated soak of 7 days', () => {
  it('crosses several continuations as one run: every tick once, 300 s apart, one report, one restore', async () => {
    locust = new SimulatedLocust(linear as never, 7, () => clock, ORDER_REQUEST);
    useRunStore(new InMemoryRunStore());
    const { definition } = synthesizePipeline(config, { ticksPerExecution: 500 });
    const before = await readShopShape(env.shop.adminUrl);
    const holders = new Set<string | null>();
    const started = Date.now();
    const result = await executeLocally(definition, SOAK, {
      executionName: 'soak-week',
      waitOverrides: { [C.waitForTick]: 0 },
      handlers: {
        [STEPS['ramp-tick']]: onSchedule(async () => {
          holders.add(await runs.lockHolder('local'));
        }),
      },
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(`7-day soak: ${result.executions.length} executions in ${seconds.toFixed(1)} s of real time`);

    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ outcome: 'pass' });
    // 2,016 ticks at 500 per execution: the run went on in four more executions, each started by the last.
    expect(result.executions.map((e) => [e.executionName, e.status])).toEqual([
      ['soak-week', 'SUCCEEDED'],
      ['soak-week-c2', 'SUCCEEDED'],
      ['soak-week-c3', 'SUCCEEDED'],
      ['soak-week-c4', 'SUCCEEDED'],
      ['soak-week-c5', 'SUCCEEDED'],
    ]);
    const runId = result.executionArn;
    for (const e of result.executions.slice(1)) expect(await runs.continuationOf(e.executionArn)).toBe(runId);

    // The time series: every tick once, exactly tickSeconds apart, across every continuation.
    const ticks = await runs.ticks(runId);
    expect(ticks.map((t) => t.tick)).toEqual(Array.from({ length: ticks.length }, (_, i) => i + 1));
    expect(ticks).toHaveLength(7 * 288);
    const gaps = new Set(ticks.slice(1).map((t, i) => Date.parse(t.at) - Date.parse(ticks[i]?.at ?? '')));
    expect([...gaps]).toEqual([TICK_SECONDS * 1000]);
    expect(ticks.at(-1)?.phase).toBe('done');

    // One report, with the whole series, under the run's first execution; none under a continuation.
    const summary = await fetchSummary(env.aws.endpoint, env.aws.REPORTS_BUCKET, 'local', 'soak-week');
    expect(summary?.ticks.map((t) => t.tick)).toEqual(ticks.map((t) => t.tick));
    expect(await fetchSummary(env.aws.endpoint, env.aws.REPORTS_BUCKET, 'local', 'soak-week-c2')).toBeNull();

    // The lock was the run's at every tick and is free now; prepared once, restored once.
    expect([...holders]).toEqual([runId]);
    expect(await runs.lockHolder('local')).toBeNull();
    for (const once of [STEPS['acquire-lock'], STEPS['start-load'], STEPS.teardown, STEPS['release-lock']])
      expect(entered(result, once), once).toBe(1);
    expect(entered(result, C.continueRun)).toBe(4);
    expect(await readShopShape(env.shop.adminUrl)).toEqual({ ...before, version: '2.4.0' });
    expect(before.replicas).toBe(DEMO_TEST_REPLICAS);
  });
});

describe('a continuation that ends badly', () => {
  it('is restored by the janitor, which frees the run’s lock; a later continuation then refuses to go on', async () => {
    locust = new SimulatedLocust(linear as never, 11, () => clock, ORDER_REQUEST);
    useRunStore(motoRuns);
    const { definition } = synthesizePipeline(config, { ticksPerExecution: 3 });
    const controller = new AbortController();
    let carried: ContinuationInput | undefined;
    let ticksInSecond = 0;
    const result = await executeLocally(
      definition,
      { ...SOAK, plateauMinutes: 60 },
      {
        executionName: 'soak-stopped',
        signal: controller.signal,
        waitOverrides: { [C.waitForTick]: 0 },
        handlers: {
          [STEPS['ramp-tick']]: onSchedule(),
          [STEPS['validate-input']]: (real) => async (event) => {
            const input = (event as { input: unknown }).input as ContinuationInput;
            if (input.continuation) carried = input;
            return real(event);
          },
        },
        // "Stop execution" on the second execution, after two of its ticks.
        onEvent: (event: EventLog, execution) => {
          if (
            event.type === 'StateExited' &&
            event.state.name === STEPS['ramp-tick'] &&
            execution.number === 2
          )
            if (++ticksInSecond === 2) controller.abort();
        },
      },
    );
    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'ABORTED']);
    const runId = result.executionArn;
    const stopped = result.executions[1]?.executionArn ?? '';
    // What an aborted continuation leaves: the shop at production size, the lock still the run's.
    expect((await readShopShape(env.shop.adminUrl)).replicas).toBe(3);
    expect(await runs.lockHolder('local')).toBe(runId);
    expect(locust.users).toBeGreaterThan(0);

    const cleaned = await janitor({ detail: { executionArn: stopped, status: 'ABORTED' } });
    expect(cleaned).toMatchObject({
      acted: true,
      lock: 'held',
      loadStopped: true,
      lockReleased: true,
      restored: [{ application: 'shop', changed: true }],
    });
    expect(await readShopShape(env.shop.adminUrl)).toEqual({
      version: '2.4.0',
      replicas: DEMO_TEST_REPLICAS,
    });
    expect(await runs.lockHolder('local')).toBeNull();
    const [record] = await runs.janitorRecords(runId);
    expect(record?.message).toContain(`continuation of ${runId}`);

    // The run's state handed on once more, now that the lock is gone: refused, and nothing recorded.
    if (!carried) throw new Error('no continuation was validated');
    const late = 'arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:soak-stopped-late';
    await expect(
      validate({
        input: carried,
        execution: { id: late, name: 'late', startTime: new Date().toISOString() },
      }),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(
        /^continuation\.lock: environment 'local' is no longer locked by this run \(free\)/,
      ),
    });
    expect(await runs.continuationOf(late)).toBeNull();
    expect(await runs.lockHolder('local')).toBeNull();
  });

  it('is found by the run its input names when its Validate failed before recording it', async () => {
    locust = new SimulatedLocust(linear as never, 13, () => clock, ORDER_REQUEST);
    useRunStore(motoRuns);
    const { definition } = synthesizePipeline(config, { ticksPerExecution: 3 });
    let input: string | undefined;
    const result = await executeLocally(
      definition,
      { ...SOAK, plateauMinutes: 60 },
      {
        executionName: 'soak-lost',
        waitOverrides: { [C.waitForTick]: 0 },
        handlers: {
          [STEPS['ramp-tick']]: onSchedule(),
          [STEPS['validate-input']]: (real) => async (event) => {
            const given = (event as { input: ContinuationInput }).input;
            if (!given.continuation) return real(event);
            input = JSON.stringify(given);
            throw new Error('the runs table did not answer');
          },
        },
      },
    );
    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'FAILED']);
    const failed = result.executions[1]?.executionArn ?? '';
    expect(await runs.continuationOf(failed)).toBeNull();
    expect(await runs.lockHolder('local')).toBe(result.executionArn);

    const cleaned = await janitor({ detail: { executionArn: failed, status: 'FAILED', input } });
    expect(cleaned).toMatchObject({ acted: true, lock: 'held', loadStopped: true, lockReleased: true });
    expect(await readShopShape(env.shop.adminUrl)).toEqual({
      version: '2.4.0',
      replicas: DEMO_TEST_REPLICAS,
    });
    expect(await runs.lockHolder('local')).toBeNull();
    // Any other input names no run: the janitor finds nothing to do for it.
    expect(
      await janitor({
        detail: { executionArn: `${failed}-x`, status: 'FAILED', input: JSON.stringify(SOAK) },
      }),
    ).toMatchObject({ acted: false });
  });
});
