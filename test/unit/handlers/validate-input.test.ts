import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunState } from '../../../lambdas/core/state';
import { runState } from '../adapters/fakes';

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
const { handler: validate } = await import('../../../lambdas/handlers/validate-input');

const NOW = new Date('2026-11-29T00:00:00.000Z');
const RUN = 'arn:aws:states:us-east-1:1:execution:m:run-1';
const NEXT = 'arn:aws:states:us-east-1:1:execution:m:run-1-c2';
let table: LockTable;

/** The state the first execution hands on at tick 2250 of a week-long soak. */
function handedOn(): RunState {
  const base = runState([]);
  return {
    ...base,
    run: { ...base.run, request: { ...base.run.request, plateauMinutes: 7 * 1440 }, maxTicks: 10_086 },
    lock: { environment: 'staging', holder: RUN, expiresAt: '2026-12-04T12:00:00.000Z' },
    execution: {
      id: RUN,
      name: 'run-1',
      startedAt: '2026-11-27T10:00:00Z',
      number: 1,
      continueAtTick: 2250,
      nextName: 'run-1-c2',
    },
    ramp: {
      tick: 2250,
      phase: 'plateau',
      done: false,
      startedAt: '2026-11-27T10:00:00.000Z',
      nextTickAt: '2026-11-29T00:31:00.000Z',
      targetNow: 100,
      ordersPerMinute: 99,
      users: 30,
      spawnRate: 1,
      workers: 1,
      failureRatio: 0,
      message: '',
      controller: {} as never,
      plateau: { ticks: 2249, orders: 1, minutes: 1, requests: 1, failures: 0 },
    },
  };
}

const continuationEvent = (continuation: unknown) => ({
  input: { continuation, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: RUN },
  execution: { id: NEXT, name: 'run-1-c2', startTime: NOW.toISOString() },
  budget: { ticks: 2250, seconds: 45 * 3600 },
});

beforeEach(() => {
  table = new LockTable();
  deps.current = { runs: table, now: () => NOW, config: () => undefined };
});

describe('Validate, in an execution that continues a run', () => {
  it('renews the run’s lock to the planned end, records itself as the run’s, and resumes at the next tick', async () => {
    table.holder = RUN;
    const state = await validate(continuationEvent(handedOn()));
    // The load started 2026-11-27T10:00 and lasts 1 + 7 × 1440 minutes, plus the 2-hour margin.
    expect(table.expiresAt?.toISOString()).toBe('2026-12-04T12:01:00.000Z');
    expect(table.continuations.get(NEXT)).toBe(RUN);
    expect(state.run).toEqual(handedOn().run);
    expect(state.ramp).toEqual(handedOn().ramp);
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
      continueAtTick: 4500,
      nextName: 'run-1-c3',
    });
  });

  it('fails without touching anything when the run no longer holds the lock', async () => {
    table.holder = 'arn:another-run';
    await expect(validate(continuationEvent(handedOn()))).rejects.toMatchObject({
      name: 'ValidationError',
      message:
        "continuation.lock: environment 'staging' is no longer locked by this run (held by arn:another-run): the run cannot go on, nothing was changed",
    });
    expect(table.continuations.size).toBe(0);
    expect(table.expiresAt).toBeNull();
  });

  it('refuses a malformed continuation by field, before reading the lock', async () => {
    table.holder = RUN;
    const broken = { ...handedOn(), ramp: { ...handedOn().ramp, tick: 'many' } };
    await expect(validate(continuationEvent(broken))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'continuation.ramp.tick: must be an integer',
    });
    expect(table.expiresAt).toBeNull();
  });
});

describe('Validate, in the execution that starts a run', () => {
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
      budget: { ticks: 2250, seconds: 45 * 3600 },
    });
    // 45 hours of 300 s ticks come before 2250 ticks.
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
