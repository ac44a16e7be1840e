import { describe, expect, it, vi } from 'vitest';
import type { CloudWatchGateway, MetricValue } from '../../../../lambdas/adapters/aws/cloudwatch';
import type { Notifier } from '../../../../lambdas/adapters/aws/notifier';
import type { RunStore } from '../../../../lambdas/adapters/aws/run-store';
import { type LocustStats, parseStats } from '../../../../lambdas/adapters/locust/client';
import { withSloDefaults } from '../../../../lambdas/core/config';
import type { TickWatchRecord } from '../../../../lambdas/core/records';
import type { AlarmReading } from '../../../../lambdas/core/slo';
import type { RampState, RunState } from '../../../../lambdas/core/state';
import { applyWatch, requestFigures, type TickReading, watchTick } from '../../../../lambdas/use-cases/watch';

vi.mock('../../../../lambdas/runtime/logger', () => ({
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

function fakes(alarms: AlarmReading[] | Error) {
  const metrics: MetricValue[][] = [];
  const published: { subject: string; message: Record<string, unknown> }[] = [];
  const records: TickWatchRecord[] = [];
  return {
    metrics,
    published,
    records,
    deps: {
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
});

describe('watchTick', () => {
  it('publishes the tick metrics with the master percentiles per request name', async () => {
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
    expect(value('LatencyP99', 'Aggregated')).toBe(1200);
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

  it('keeps request figures per name, busiest method first, Aggregated last', () => {
    expect(requestFigures(stats).map((r) => r.name)).toEqual([
      'checkout: place order',
      'GET checkout: place order',
      'Aggregated',
    ]);
  });
});
