import { describe, expect, it, vi } from 'vitest';
import type { CloudWatchGateway, MetricValue } from '../../../../lambdas/adapters/aws/cloudwatch';
import type { Notifier } from '../../../../lambdas/adapters/aws/notifier';
import type { RunStore } from '../../../../lambdas/adapters/aws/run-store';
import {
  type LocustClient,
  type LocustHistogramEntry,
  type LocustStats,
  parseStats,
} from '../../../../lambdas/adapters/locust/client';
import {
  type CapacityResult,
  type CapacityState,
  initialCapacityState,
  type LevelOutcome,
} from '../../../../lambdas/core/capacity/search';
import { withSloDefaults } from '../../../../lambdas/core/config';
import type { RampState } from '../../../../lambdas/core/ramp-state';
import type { TickHistogramRecord, TickWatchRecord } from '../../../../lambdas/core/records';
import type { RunState } from '../../../../lambdas/core/run-state';
import type { AlarmReading } from '../../../../lambdas/core/slo';
import {
  applyWatch,
  capacityMetricValues,
  publishCapacityMetrics,
  type TickReading,
  watchTick,
} from '../../../../lambdas/use-cases/watch';

vi.mock('../../../../lambdas/runtime/step', () => ({
  logger: { warn: vi.fn(), error: vi.fn() },
}));

const stats: LocustStats = parseStats({
  state: 'running',
  user_count: 40,
  fail_ratio: 0.01,
  workers: [
    { id: 'w1', state: 'running', user_count: 20, cpu_usage: 10, memory_usage: 1 },
    { id: 'w2', state: 'running', user_count: 20, cpu_usage: 12, memory_usage: 1 },
  ],
  stats: [
    {
      name: 'checkout: place order',
      method: 'POST',
      num_requests: 300,
      num_failures: 3,
      current_rps: 5,
      avg_response_time: 300,
      min_response_time: 100,
      max_response_time: 2000,
      median_response_time: 250,
      'response_time_percentile_0.95': 900,
      'response_time_percentile_0.99': 1600,
    },
    {
      name: 'checkout: place order',
      method: 'GET',
      num_requests: 10,
      num_failures: 0,
      median_response_time: 20,
      'response_time_percentile_0.95': 30,
      'response_time_percentile_0.99': 40,
    },
    {
      name: 'Aggregated',
      method: null,
      num_requests: 2000,
      num_failures: 20,
      current_rps: 33,
      median_response_time: 40,
      'response_time_percentile_0.95': 400,
      'response_time_percentile_0.99': 1200,
    },
  ],
  errors: [],
});

/**
 * One tick's responses on the master: POST p50 250, p95 900, p99 1600 ms; GET 30 ms; all requests together.
 * Each reading of the fake master adds one such tick to its cumulative histograms.
 */
const TICK_ENTRIES: LocustHistogramEntry[] = [
  {
    name: 'checkout: place order',
    method: 'POST',
    requests: 100,
    failures: 1,
    histogram: { '250': 90, '900': 6, '1600': 4 },
  },
  { name: 'checkout: place order', method: 'GET', requests: 10, failures: 0, histogram: { '30': 10 } },
];
const TICK_AGGREGATED: LocustHistogramEntry = {
  name: 'Aggregated',
  method: null,
  requests: 1000,
  failures: 10,
  histogram: { '40': 940, '400': 50, '1200': 10 },
};

function times(e: LocustHistogramEntry, n: number): LocustHistogramEntry {
  const histogram = Object.fromEntries(Object.entries(e.histogram).map(([b, c]) => [b, c * n]));
  return { ...e, requests: e.requests * n, failures: e.failures * n, histogram };
}

function fakes(alarms: AlarmReading[] | Error) {
  const metrics: MetricValue[][] = [];
  const published: { subject: string; message: Record<string, unknown> }[] = [];
  const records: TickWatchRecord[] = [];
  // A hand-written stand-in for the run store's HIST# items; tick 0 is the reading the load started from.
  const histograms = new Map<number, TickHistogramRecord>([
    [
      0,
      {
        tick: 0,
        at: '2026-11-27T02:00:00.000Z',
        plateau: false,
        interval: null,
        note: null,
        base: { reading: { bootId: 'boot', generation: 0, requests: [] }, ignoredReading: false },
      },
    ],
  ]);
  let readings = 0;
  return {
    metrics,
    published,
    records,
    histograms,
    deps: {
      locust: () =>
        ({
          histograms: async () => {
            readings++;
            return {
              bootId: 'boot',
              generation: 0,
              entries: TICK_ENTRIES.map((e) => times(e, readings)),
              aggregated: times(TICK_AGGREGATED, readings),
            };
          },
        }) as unknown as LocustClient,
      cloudwatch: {
        alarmStates: async () => {
          if (alarms instanceof Error) throw alarms;
          return alarms;
        },
        putMetrics: async (_d: unknown, _at: Date, values: readonly MetricValue[]) => {
          metrics.push([...values]);
        },
      } as unknown as CloudWatchGateway,
      notifier: {
        publish: async (subject: string, message: object) => {
          published.push({ subject, message: message as Record<string, unknown> });
        },
      } as unknown as Notifier,
      runs: {
        putTickWatch: async (_id: string, record: TickWatchRecord) => {
          records.push(record);
        },
        putTickHistograms: async (_id: string, record: TickHistogramRecord) => {
          histograms.set(record.tick, structuredClone(record));
        },
        tickHistograms: async (_id: string, from: number, to: number) =>
          [...histograms.values()]
            .filter((r) => r.tick >= from && r.tick <= to)
            .sort((a, b) => a.tick - b.tick),
      } as unknown as RunStore,
      now: () => new Date('2026-11-27T02:01:00.000Z'),
    },
  };
}

function state(ramp?: Partial<RampState>): RunState {
  return {
    run: {
      executionId: 'arn:execution:run-1',
      executionName: 'run-1',
      startedAt: '2026-11-27T02:00:00.000Z',
      request: {
        environment: 'staging',
        scenario: 'checkout',
        targetOrdersPerMinute: 600,
        rampUpMinutes: 1,
        plateauMinutes: 1,
        tickSeconds: 10,
        deployProductionVersions: true,
        applications: [],
        dryRun: false,
      },
      environment: {
        locust: { url: 'http://locust.test:8089' },
        slos: withSloDefaults({
          alarms: [{ prefix: 'checkout-' }],
          requests: [{ name: 'checkout: place order', p95Ms: 800 }],
          graceTicks: 0,
          breachTicks: 1,
          abortOnBreach: true,
        }),
      } as RunState['run']['environment'],
      maxTicks: 20,
    },
    ramp: ramp as RampState | undefined,
  };
}

const reading = (tick: number): TickReading => ({
  tick,
  at: new Date(`2026-11-27T02:00:${String(tick * 10).padStart(2, '0')}.000Z`),
  phase: 'ramp-up',
  stats,
  ordersPerMinute: 120,
  targetNow: 200,
  users: 40,
  workers: 2,
  interval: { requests: 330, failures: 3, minutes: 1 / 6 },
  plateau: false,
});

describe('watchTick', () => {
  it("publishes the tick metrics with the percentiles of the tick's responses per request name", async () => {
    const f = fakes([{ name: 'checkout-5xx', state: 'OK' }]);
    await watchTick(state(), reading(1), f.deps);
    const values = f.metrics[0] ?? [];
    const value = (name: string, request?: string) =>
      values.find((v) => v.name === name && v.request === request)?.value;
    expect(value('OrdersPerMinute')).toBe(120);
    expect(value('TargetOrdersPerMinute')).toBe(200);
    expect(value('Users')).toBe(40);
    expect(value('Workers')).toBe(2);
    expect(value('RequestsPerSecond')).toBe(33);
    expect(value('FailureRatio')).toBeCloseTo(0.9091, 3);
    expect(value('LatencyP95', 'checkout: place order')).toBe(900);
    expect(value('LatencyP99', 'checkout: place order')).toBe(1600);
    expect(value('LatencyP95', 'Aggregated')).toBe(400);
    expect(value('LatencyP95', 'GET checkout: place order')).toBe(30);
  });

  it('counts a breach, notifies it once, records the tick and aborts by policy', async () => {
    const f = fakes([{ name: 'checkout-5xx', state: 'ALARM', reason: 'errors' }]);
    const watch = await watchTick(state(), reading(1), f.deps);
    expect(watch.abort?.sloId).toBe('request:checkout: place order:p95');
    expect(watch.breaches.map((b) => b.id).sort()).toEqual([
      'alarm:checkout-5xx',
      'request:checkout: place order:p95',
    ]);
    expect(f.published.map((p) => p.message.slo).sort()).toEqual(
      ['alarm:checkout-5xx', 'request:checkout: place order:p95'].sort(),
    );
    expect(f.published[0]?.subject).toMatch(/^SLO breach staging\/checkout: /);
    expect(f.records[0]).toMatchObject({ tick: 1, rps: 33 });
    expect(f.records[0]?.slo.find((s) => s.id === 'alarm:checkout-5xx')?.status).toBe('breached');

    const next = applyWatch({ tick: 1, done: false, message: 'ramp-up' } as RampState, watch);
    expect(next).toMatchObject({ done: true, abort: watch.abort, slo: watch.slo });
    expect(next.message).toContain('ramp-up; SLO aborted at tick 1');

    // The next tick carries the abort on but does not notify again.
    const again = await watchTick(state({ slo: watch.slo }), reading(2), f.deps);
    expect(again.abort).toBeNull();
    expect(f.published).toHaveLength(2);
    expect(applyWatch({ tick: 2, done: false, message: '' } as RampState, again).done).toBe(true);
  });

  it('in a capacity search, says a breach rules out the level rather than failing the verdict', async () => {
    const f = fakes([{ name: 'checkout-5xx', state: 'ALARM', reason: 'errors' }]);
    const search = state();
    const capacityRun: RunState = {
      ...search,
      run: {
        ...search.run,
        request: { ...search.run.request, mode: 'capacity' },
        environment: {
          ...search.run.environment,
          slos: { ...search.run.environment.slos, abortOnBreach: false },
        },
      },
    };
    const watch = await watchTick(capacityRun, reading(1), f.deps);
    expect(watch.abort).toBeNull();
    expect(f.published.length).toBeGreaterThan(0);
    for (const p of f.published) {
      expect(p.message.action).toBe(
        'capacity search: this level does not meet the SLOs; the search goes on below it',
      );
    }
  });

  it("measures the first tick from Start load's zeroed counters, and only then", async () => {
    const started = (requests: number) =>
      state({
        tick: 0,
        controller: { last: { bootId: 'boot', generation: 0, requests, orders: 0 } },
      } as unknown as Partial<RampState>);
    const fresh = fakes([]);
    fresh.histograms.clear();
    const first = await watchTick(started(0), reading(1), fresh.deps);
    expect(first.record.requests.find((r) => r.name === 'checkout: place order')).toMatchObject({
      requests: 100,
      p95: 900,
    });
    const late = fakes([]);
    late.histograms.clear();
    const unknown = await watchTick(started(7), reading(1), late.deps);
    expect(unknown.record.requests).toEqual([]);
    expect(late.histograms.get(1)?.note).toMatch(/new baseline/);
  });

  it("stores every tick's interval and judges the SLOs on the window of the last ticks", async () => {
    const f = fakes([]);
    const s = state();
    const slos = withSloDefaults({ ...s.run.environment.slos, windowTicks: 2, abortOnBreach: false });
    const watched = { ...s, run: { ...s.run, environment: { ...s.run.environment, slos } } };
    const observed: (number | null)[] = [];
    for (const tick of [1, 2, 3]) {
      const watch = await watchTick(watched, reading(tick), f.deps);
      observed.push(watch.checks.find((c) => c.id === 'request:checkout: place order:p95')?.observed ?? null);
    }
    // Every tick has the same responses: the window of 2 ticks has the same p95 as one tick.
    expect(observed).toEqual([900, 900, 900]);
    expect((await f.deps.runs.tickHistograms('x', 1, 3)).map((r) => r.interval?.[0]?.requests)).toEqual([
      100, 100, 100,
    ]);
  });

  it("judges a capacity search's held level on its own responses: the window starts at its first judged tick", async () => {
    const p95AtTick3 = async (capacity?: object) => {
      const f = fakes([]);
      const s = state();
      const slos = withSloDefaults({
        ...s.run.environment.slos,
        requests: [{ name: 'checkout: place order', p95Ms: 1000 }],
        windowTicks: 3,
        abortOnBreach: false,
      });
      const watched = (ramp?: object): RunState => ({
        ...s,
        run: { ...s.run, environment: { ...s.run.environment, slos } },
        ramp: ramp as RampState | undefined,
      });
      for (const tick of [1, 2]) await watchTick(watched(), reading(tick), f.deps);
      // Tick 2 is the previous level's overload draining: every response took 5 s.
      const overload = f.histograms.get(2) as TickHistogramRecord;
      f.histograms.set(2, {
        ...overload,
        interval: (overload.interval ?? []).map((r) => ({ ...r, histogram: { '5000': r.requests } })),
      });
      const watch = await watchTick(watched(capacity ? { capacity } : undefined), reading(3), f.deps);
      return watch.checks.find((c) => c.id === 'request:checkout: place order:p95');
    };
    // Outside a hold, the window's 3 ticks hold the overload.
    expect(await p95AtTick3()).toMatchObject({ observed: 5000, breach: true });
    // Held since tick 1, settled at tick 2: tick 3 is the level's first judged tick and its window.
    expect(await p95AtTick3({ phase: 'hold', level: 700, since: 1, settled: 2 })).toMatchObject({
      observed: 900,
      breach: false,
    });
  });

  it('goes on with no data for the alarms when CloudWatch fails, and says so', async () => {
    const f = fakes(new Error('throttled'));
    const watch = await watchTick(state(), reading(1), f.deps);
    expect(watch.warnings).toEqual(['alarms not read: throttled']);
    expect(f.records).toHaveLength(1);
  });

  describe('a dead system under test', () => {
    /** No orders and every request failing, with the SLO policy not aborting (so only the dead-system rule can). */
    const deadReading = (tick: number): TickReading => ({
      ...reading(tick),
      ordersPerMinute: 0,
      interval: { requests: 400, failures: 400, minutes: 1 / 6 },
    });
    const watched = (deadSystemTicks: number | undefined, ramp?: Partial<RampState>): RunState => {
      const s = state(ramp);
      const slos = withSloDefaults({
        abortOnBreach: false,
        ...(deadSystemTicks === undefined ? {} : { deadSystemTicks }),
      });
      return { ...s, run: { ...s.run, environment: { ...s.run.environment, slos } } };
    };

    it('stops the load at the third down tick by default, says since when, and notifies it', async () => {
      const f = fakes([]);
      let ramp: RampState = { tick: 1, done: false, message: 'ramp-up' } as RampState;
      const aborts: (number | null)[] = [];
      for (const tick of [2, 3, 4]) {
        const watch = await watchTick(watched(undefined, ramp), deadReading(tick), f.deps);
        aborts.push(watch.abort?.tick ?? null);
        ramp = applyWatch({ ...ramp, tick, message: 'ramp-up' }, watch);
      }
      expect(aborts).toEqual([null, null, 4]);
      expect(ramp.done).toBe(true);
      expect(ramp.abort?.reason).toMatch(/^system under test down since tick 2 /);
      expect(ramp.message).toContain('stopping the load: system under test down since tick 2');
      expect(f.published.filter((p) => p.message.type === 'system-down')).toHaveLength(1);
      expect(f.records.at(-1)?.watchMessage).toContain('system under test down since tick 2');
    });

    it('does not stop the load when turned off (deadSystemTicks: 0)', async () => {
      const f = fakes([]);
      let ramp: RampState = { tick: 0, done: false, message: '' } as RampState;
      for (const tick of [1, 2, 3, 4, 5]) {
        const watch = await watchTick(watched(0, ramp), deadReading(tick), f.deps);
        expect(watch.abort).toBeNull();
        ramp = applyWatch({ ...ramp, tick }, watch);
      }
      expect(ramp.done).toBe(false);
      expect(f.published.filter((p) => p.message.type === 'system-down')).toEqual([]);
    });
  });
});

describe('the capacity search on the dashboard', () => {
  // Only the fields the metrics read; the search's own tests build whole outcomes.
  const met = { level: 500, met: true, ordersPerMinute: 492 } as LevelOutcome;
  const holding: CapacityState = { ...initialCapacityState(), phase: 'hold', level: 550, met };
  const result = {
    ordersPerMinute: 492,
    level: 500,
    range: { low: 470, high: 560 },
  } as CapacityResult;
  const byName = (values: readonly MetricValue[]) => Object.fromEntries(values.map((v) => [v.name, v.value]));

  it('publishes nothing while climbing, the level held and the highest met while holding', () => {
    expect(capacityMetricValues(initialCapacityState())).toEqual([]);
    expect(byName(capacityMetricValues(holding))).toEqual({ CapacityLevel: 550, CapacityHighestMet: 492 });
  });

  it('publishes the capacity found and its range once done; an open range has no high end', () => {
    const done: CapacityState = { ...holding, phase: 'done', result };
    expect(byName(capacityMetricValues(done))).toEqual({
      CapacityHighestMet: 492,
      CapacityOrdersPerMinute: 492,
      CapacityRangeLow: 470,
      CapacityRangeHigh: 560,
    });
    const open = { ...done, result: { ...result, range: { low: 470, high: null } } };
    expect(byName(capacityMetricValues(open))).not.toHaveProperty('CapacityRangeHigh');
  });

  it("publishes with the run's dimensions; a failure is a warning, not the run's end", async () => {
    const f = fakes([]);
    expect(await publishCapacityMetrics(state(), new Date(), holding, f.deps)).toBeNull();
    expect(f.metrics).toEqual([capacityMetricValues(holding)]);
    const failing = {
      cloudwatch: {
        putMetrics: async () => {
          throw new Error('Throttling');
        },
      } as unknown as CloudWatchGateway,
    };
    expect(await publishCapacityMetrics(state(), new Date(), holding, failing)).toBe(
      'capacity metrics not published: Throttling',
    );
  });
});
