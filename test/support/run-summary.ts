import { withSloDefaults } from '../../lambdas/core/config';
import type { PhaseRecord, TickRecord } from '../../lambdas/core/records';
import { estimateCost, runCost } from '../../lambdas/core/report/cost';
import { buildRunSummary, type RunSummary } from '../../lambdas/core/report/summary';
import type { RunState } from '../../lambdas/core/run-state';
import { buildChecks, evaluateTick, type SloWatchState } from '../../lambdas/core/slo';
import { judge } from '../../lambdas/core/verdict';

const START = Date.parse('2026-11-27T02:00:00.000Z');
const iso = (ms: number) => new Date(START + ms).toISOString();

/** A plausible 20-tick run with an alarm breach that counted and aborted it, for the report's tests. */
export function sampleSummary(overrides: { abort?: boolean; requestName?: string } = {}): RunSummary {
  const slos = withSloDefaults({
    requests: [{ name: overrides.requestName ?? 'checkout: place order', p95Ms: 800, p99Ms: 1500 }],
    alarms: [{ prefix: 'checkout-' }],
    relative: { p95: 0.1 },
    graceTicks: 2,
    breachTicks: 2,
    abortOnBreach: overrides.abort ?? true,
  });
  const ticks: TickRecord[] = [];
  let watch: SloWatchState | null = null;
  let abortTick: number | null = null;
  for (let tick = 1; tick <= 20 && abortTick === null; tick++) {
    const at = iso(30_000 + tick * 10_000);
    const targetNow = Math.min(600, tick * 60);
    const ordersPerMinute = tick === 1 ? null : targetNow * (0.9 + 0.05 * Math.sin(tick));
    const requests = [
      {
        name: overrides.requestName ?? 'checkout: place order',
        requests: tick * 80,
        failures: Math.floor(tick / 5),
        p50: 200 + tick * 3,
        p95: 500 + tick * 12,
        p99: 900 + tick * 20,
      },
      { name: 'browse: products', requests: tick * 120, failures: 0, p50: 20, p95: 60, p99: 110 },
      {
        name: 'Aggregated',
        requests: tick * 400,
        failures: Math.floor(tick / 5),
        p50: 30,
        p95: 300,
        p99: 950,
      },
    ];
    const alarmState: 'ALARM' | 'OK' = tick === 12 ? 'ALARM' : tick >= 17 ? 'ALARM' : 'OK';
    const checks = buildChecks(
      slos,
      {
        phase: tick > 6 ? 'plateau' : 'ramp-up',
        ordersPerMinute,
        targetNow,
        interval: { requests: 400, failures: tick % 7 === 0 ? 3 : 0 },
        requests,
        alarms: [{ name: 'checkout-5xx', state: alarmState }],
      },
      watch,
    );
    const evaluation = evaluateTick(slos, watch, checks, { tick, at });
    watch = evaluation.state;
    if (evaluation.abort) abortTick = tick;
    ticks.push({
      tick,
      at,
      phase: tick > 6 ? 'plateau' : 'ramp-up',
      targetNow,
      ordersPerMinute,
      users: Math.min(50, tick * 5),
      workers: 2,
      failureRatio: tick % 7 === 0 ? 0.0075 : 0,
      message: `tick ${tick}`,
      rps: 40 + tick,
      requests,
      slo: watch.tracks.map((t) => ({ id: t.id, label: t.label, status: t.status, observed: t.observed })),
      watchMessage: evaluation.message,
    });
  }
  const last = ticks.at(-1) as TickRecord;
  const state: RunState = {
    run: {
      executionId: 'arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:run-1',
      executionName: 'run-1',
      startedAt: iso(0),
      request: {
        environment: 'staging',
        targetOrdersPerMinute: 600,
        rampUpMinutes: 1,
        plateauMinutes: 2.5,
        scenario: 'checkout',
        deployProductionVersions: true,
        applications: ['shop'],
        tickSeconds: 10,
        dryRun: false,
      },
      environment: { slos } as RunState['run']['environment'],
      maxTicks: 30,
    },
    deploy: {
      skipped: false,
      changes: [
        {
          application: 'shop',
          from: { version: '2.5.0', replicas: 1 },
          to: { version: '2.4.0', replicas: 1 },
        },
      ],
    },
    scale: {
      changes: [
        {
          application: 'shop',
          from: { version: '2.4.0', replicas: 1 },
          to: { version: '2.4.0', replicas: 3 },
        },
      ],
    },
    teardown: {
      restored: [
        {
          application: 'shop',
          from: { version: '2.4.0', replicas: 3 },
          to: { version: '2.4.0', replicas: 1 },
        },
      ],
    },
    cleanup: { actions: [{ name: 'shop test orders', result: 'deleted 412 orders' }] },
  };
  const abort = watch?.abort ?? null;
  const verdict = judge({
    environment: 'staging',
    scenario: 'checkout',
    executionName: 'run-1',
    targetOrdersPerMinute: 600,
    slos,
    plateau: { ticks: 5, orders: 2900, minutes: 5, requests: 20000, failures: 12 },
    failure: null,
    watch,
    abort,
    latency: {
      source: 'plateau',
      fromTick: 7,
      toTick: last.tick,
      ticks: last.tick - 6,
      requests: last.requests ?? [],
      perTick: ticks.map((t) => ({
        tick: t.tick,
        at: t.at,
        plateau: t.tick > 6,
        requests: t.requests ?? [],
      })),
    },
    baselines: [],
  });
  const phase = (name: string, from: number, to: number, outcome: PhaseRecord['outcome'] = 'succeeded') => ({
    name,
    startedAt: iso(from),
    endedAt: iso(to),
    outcome,
  });
  const loadEnd = Date.parse(last.at) - START;
  const phases: PhaseRecord[] = [
    phase('Validate input', 0, 300),
    phase('Acquire lock', 300, 500),
    phase('Deploy production versions', 500, 12_000),
    phase('Scale to production size', 12_000, 28_000),
    phase('Start load', 28_000, 30_000),
    ...ticks.map((t) => phase('Ramp tick', Date.parse(t.at) - START, Date.parse(t.at) - START + 400)),
    phase('Stop load', loadEnd + 500, loadEnd + 900),
    phase('Evaluate', loadEnd + 900, loadEnd + 6_000),
    phase('Teardown', loadEnd + 6_000, loadEnd + 14_000),
    phase('Cleanup', loadEnd + 14_000, loadEnd + 15_000),
    phase('Release lock', loadEnd + 15_000, loadEnd + 15_400),
  ];
  return buildRunSummary({
    state: { ...state, ramp: { abort: abort ?? undefined } as RunState['ramp'] },
    verdict,
    ticks,
    phases,
    cost: runCost(estimateCost(ticks, phases, { applications: 1, deployed: true, executions: 1 })),
    generator: 'release-lock',
    generatedAt: iso(loadEnd + 15_400),
    endedAt: iso(loadEnd + 15_400),
  });
}
