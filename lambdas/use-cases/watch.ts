/**
 * The SLO watch of one ramp tick (step 5 of the lifecycle): publishes the tick's metrics, checks the SLOs,
 * keeps what it measured with the run for the report, raises an alarm (SNS) when a breach counts, and tells
 * the tick whether the abort policy stops the test.
 *
 * Wiring (lambdas/handlers/ramp-tick.ts), right after `decide`, before the fleet and the swarm:
 *
 * ```ts
 * const { observation, stats } = await readLocust(locust, now);      // instead of observe(): the same reading
 * const decision = decide(config, previous.controller, observation, elapsedSeconds);
 * const watch = await watchTick(state, {
 *   tick: previous.tick + 1, at: now, phase: decision.phase, stats,
 *   ordersPerMinute: decision.ordersPerMinute, targetNow: decision.targetNow,
 *   users: decision.users, workers: observation.workers, interval: decision.delta,
 * }, deps);
 * const running = decision.phase !== 'done' && !watch.abort;        // no more workers or users when aborting
 * …fleet, swarm, plateau totals, putTick as today…
 * return applyWatch(next, watch);                                    // slo, abort, done, message
 * ```
 *
 * `applyWatch` sets `slo` (each SLO's state, carried to the next tick), and on abort `done: true` and `abort`
 * (which SLO, since when, why): the "Ramp finished?" choice then goes to Stop load → Evaluate → Teardown →
 * Cleanup → Release lock, as at the end of any test, and the verdict fails with the abort's reason.
 * Errors: CloudWatch or SNS failing never fails the tick (logged; alarms count as no data); the run store
 * failing throws TransientError (the tick is retried, and the watch is idempotent for the same input).
 */

import type { MetricValue } from '../adapters/aws/cloudwatch';
import type { LocustStats } from '../adapters/locust/client';
import { type CapacityState, levelWindowStart } from '../core/capacity/search';
import { withSloDefaults } from '../core/config';
import { checkSystemDown, type DownStreak } from '../core/dead-system';
import { type HistogramBase, histogramReading, tickInterval, windowFigures } from '../core/histogram';
import { slidingWindow } from '../core/latency-window';
import { round } from '../core/numbers';
import type { RampState } from '../core/ramp-state';
import {
  recordsExpireAt,
  type TickHistogramRecord,
  type TickSloState,
  type TickWatchRecord,
} from '../core/records';
import type { RunState } from '../core/run-state';
import { kpiOf } from '../core/scenario';
import {
  type AlarmReading,
  type BreachEpisode,
  buildChecks,
  evaluateTick,
  type RequestFigures,
  type RunAbort,
  type SloCheck,
  type SloWatchState,
} from '../core/slo';
import { logger } from '../runtime/logger';
import type { StepDeps } from '../runtime/step';

/** What the ramp tick measured and decided, handed to the watch. */
export interface TickReading {
  /** The tick's number (1 = the first tick after Start load). */
  readonly tick: number;
  readonly at: Date;
  readonly phase: RampState['phase'];
  /** `GET /stats/requests` of Locust's master at this tick (the RPS when the interval has no length). */
  readonly stats: LocustStats;
  /** Orders per minute measured over the interval; null when it could not be. */
  readonly ordersPerMinute: number | null;
  readonly targetNow: number;
  readonly users: number;
  readonly workers: number;
  /** Counter deltas since the previous tick (`decision.delta`): failure ratio and RPS of the interval. */
  readonly interval: { readonly requests: number; readonly failures: number; readonly minutes: number };
  /** Whether the interval just measured began after the ramp-up (it counts for the plateau). */
  readonly plateau: boolean;
}

export type WatchDeps = Pick<StepDeps, 'runs' | 'notifier' | 'cloudwatch' | 'locust' | 'now'>;

export interface TickWatch {
  /** Carry into `RampState.slo`. */
  readonly slo: SloWatchState;
  readonly checks: readonly SloCheck[];
  /** Breaches that counted at this tick (each was notified). */
  readonly breaches: readonly BreachEpisode[];
  /**
   * Set at the tick the abort policy or a dead system under test stops the test: put it in `RampState.abort`
   * with `done: true`.
   */
  readonly abort: RunAbort | null;
  /** Consecutive ticks the system under test has been down; carry into `RampState.down`. */
  readonly down: DownStreak | null;
  /** A line for the console (append to `RampState.message`); null when every SLO is fine. */
  readonly message: string | null;
  /** What was stored with the run (`WATCH#<tick>`), merged into the tick by `RunStore.ticks()`. */
  readonly record: TickWatchRecord;
  /** Things that did not work but did not stop the tick (metrics not published, alarms not read). */
  readonly warnings: readonly string[];
}

export async function watchTick(state: RunState, reading: TickReading, deps: WatchDeps): Promise<TickWatch> {
  const { run } = state;
  // Defaults again: an execution started before SLOs had all their fields carries an older snapshot.
  const slos = withSloDefaults(run.environment.slos);
  const previous = state.ramp?.slo ?? null;
  const warnings: string[] = [];
  const at = reading.at.toISOString();

  let alarms: AlarmReading[] | null = [];
  if (slos.alarms.length > 0) {
    try {
      alarms = await deps.cloudwatch.alarmStates(slos.alarms);
    } catch (err) {
      alarms = null;
      warnings.push(`alarms not read: ${(err as Error).message}`);
      logger.warn('SLO watch: CloudWatch alarms could not be read', err as Error);
    }
  }

  const histograms = await tickHistograms(state, reading, slos.windowTicks, deps, warnings);
  // In a capacity search, a held level is judged on its own responses: the window starts at its first judged tick.
  const levelStart = levelWindowStart(state.ramp?.capacity) ?? 0;
  const window = slidingWindow(
    histograms.window.filter((t) => reading.tick < levelStart || t.tick >= levelStart),
    reading.tick,
    slos.windowTicks,
  );
  const checks = buildChecks(
    slos,
    {
      phase: reading.phase,
      ordersPerMinute: reading.ordersPerMinute,
      targetNow: reading.targetNow,
      interval: reading.interval,
      requests: window ?? [],
      windowTicks: slos.windowTicks,
      alarms,
      kpiUnit: kpiOf(run.environment).unit,
    },
    previous,
  );
  const evaluation = evaluateTick(slos, previous, checks, { tick: reading.tick, at });
  const downCheck = checkSystemDown(slos.deadSystemTicks, state.ramp?.down, {
    now: { tick: reading.tick, at },
    ordersPerMinute: reading.ordersPerMinute,
    requests: reading.interval.requests,
    failures: reading.interval.failures,
  });
  // One abort per run: an earlier one (by policy or a dead system) stays the reason.
  const earlier = state.ramp?.abort ?? previous?.abort ?? null;
  const systemDown = !evaluation.abort && !earlier ? downCheck.abort : null;
  const abort = evaluation.abort ?? systemDown;
  const message = systemDown
    ? `stopping the load: ${systemDown.reason}`
    : downCheck.down
      ? [
          evaluation.message,
          `system under test down for ${downCheck.down.ticks} tick(s) since tick ${downCheck.down.since.tick}`,
        ]
          .filter(Boolean)
          .join('; ')
      : evaluation.message;

  const seconds = reading.interval.minutes * 60;
  const rps =
    seconds > 0
      ? round(reading.interval.requests / seconds, 2)
      : (reading.stats.aggregated?.currentRps ?? null);
  const failureRatio =
    reading.interval.requests > 0 ? reading.interval.failures / reading.interval.requests : 0;

  const dimensions = { environment: run.request.environment, scenario: run.request.scenario };
  try {
    await deps.cloudwatch.putMetrics(
      dimensions,
      reading.at,
      metricValues(reading, rps, failureRatio, histograms.tick, evaluation.state),
    );
  } catch (err) {
    warnings.push(`metrics not published: ${(err as Error).message}`);
    logger.warn('SLO watch: metrics could not be published', err as Error);
  }

  for (const breach of evaluation.counted) {
    const aborting = evaluation.abort?.sloId === breach.id;
    try {
      await deps.notifier.publish(
        `SLO breach ${run.request.environment}/${run.request.scenario}: ${breach.label}`,
        {
          type: 'slo-breach',
          environment: run.request.environment,
          scenario: run.request.scenario,
          execution: run.executionId,
          slo: breach.id,
          label: breach.label,
          threshold: breach.threshold,
          worst: breach.worst,
          since: breach.from,
          countedAt: breach.countedAt,
          ticks: breach.ticks,
          action: aborting
            ? 'aborting the test (abortOnBreach)'
            : run.request.mode === 'capacity'
              ? 'capacity search: this level does not meet the SLOs; the search goes on below it'
              : slos.abortOnBreach
                ? 'the test is already stopping'
                : 'the test goes on (abortOnBreach is off); the verdict will fail',
        },
      );
    } catch (err) {
      warnings.push(`breach of ${breach.id} not notified: ${(err as Error).message}`);
      logger.error('SLO watch: breach notification failed', err as Error);
    }
  }

  if (systemDown) {
    try {
      await deps.notifier.publish(
        `System under test down ${run.request.environment}/${run.request.scenario}: stopping the load`,
        {
          type: 'system-down',
          environment: run.request.environment,
          scenario: run.request.scenario,
          execution: run.executionId,
          since: systemDown.since,
          tick: systemDown.tick,
          reason: systemDown.reason,
          action: 'stopping the load; the run is evaluated and the environment restored',
        },
      );
    } catch (err) {
      warnings.push(`system down not notified: ${(err as Error).message}`);
      logger.error('SLO watch: system-down notification failed', err as Error);
    }
  }

  const record: TickWatchRecord = {
    tick: reading.tick,
    at,
    rps,
    requests: histograms.tick,
    slo: evaluation.state.tracks.map(
      (t): TickSloState => ({ id: t.id, label: t.label, status: t.status, observed: t.observed }),
    ),
    watchMessage: message,
  };
  await deps.runs.putTickWatch(run.executionId, record, recordsExpireAt(reading.at));

  return {
    slo: evaluation.state,
    checks,
    breaches: evaluation.counted,
    abort,
    down: downCheck.down,
    message,
    record,
    warnings,
  };
}

/**
 * Reads the master's histograms, stores this tick's interval (`HIST#<tick>`: the difference from the last good
 * reading, core/histogram.ts) and returns the ticks of the sliding window ending here and this tick's own figures.
 * A failed read leaves the tick without an interval (its latency is no data) and keeps the last good reading.
 */
async function tickHistograms(
  state: RunState,
  reading: TickReading,
  windowTicks: number,
  deps: WatchDeps,
  warnings: string[],
): Promise<{ window: TickHistogramRecord[]; tick: RequestFigures[] }> {
  const { run } = state;
  const earlier = await deps.runs.tickHistograms(
    run.executionId,
    Math.max(0, reading.tick - windowTicks),
    reading.tick - 1,
  );
  const previous = earlier.find((r) => r.tick === reading.tick - 1)?.base ?? loadStart(state);
  let record: TickHistogramRecord;
  try {
    const raw = await deps.locust(run.environment.locust.url).histograms();
    const next = tickInterval(previous, histogramReading(raw, raw.entries, raw.aggregated));
    record = { tick: reading.tick, at: reading.at.toISOString(), plateau: reading.plateau, ...next };
  } catch (err) {
    warnings.push(`histograms not read: ${(err as Error).message}`);
    logger.warn('SLO watch: Locust histograms could not be read', err as Error);
    if (!previous) return { window: earlier, tick: [] };
    record = {
      tick: reading.tick,
      at: reading.at.toISOString(),
      plateau: reading.plateau,
      interval: null,
      base: previous,
      note: 'histograms not read',
    };
  }
  await deps.runs.putTickHistograms(run.executionId, record, recordsExpireAt(reading.at));
  return { window: [...earlier, record], tick: record.interval ? windowFigures(record.interval) : [] };
}

/**
 * The first tick's base: Start load's reading of the order counter, when its counters were still at zero (the
 * load starts on reset counters) — then everything the master counts in that generation came after it. Otherwise
 * the first tick's reading is only a baseline.
 */
function loadStart(state: RunState): HistogramBase | null {
  const start = state.ramp?.controller?.last;
  if (!start || state.ramp?.tick !== 0 || start.requests !== 0 || start.orders !== 0) return null;
  return {
    reading: { bootId: start.bootId, generation: start.generation, requests: [] },
    ignoredReading: false,
  };
}

/**
 * The ramp state with the watch's result: `slo` always; on abort `done: true`, `abort` and the reason in the
 * message. An abort decided at an earlier tick stays (a retried tick cannot un-abort).
 */
export function applyWatch(next: RampState, watch: TickWatch): RampState {
  const abort = watch.abort ?? watch.slo.abort ?? next.abort ?? undefined;
  return {
    ...next,
    slo: watch.slo,
    down: watch.down,
    ...(abort ? { done: true, abort } : {}),
    message: watch.message ? `${next.message}; ${watch.message}` : next.message,
  };
}

function metricValues(
  reading: TickReading,
  rps: number | null,
  failureRatio: number,
  requests: readonly RequestFigures[],
  slo: SloWatchState,
): MetricValue[] {
  const values: MetricValue[] = [
    { name: 'TargetOrdersPerMinute', value: reading.targetNow, unit: 'Count' },
    { name: 'Users', value: reading.users, unit: 'Count' },
    { name: 'Workers', value: reading.workers, unit: 'Count' },
    { name: 'FailureRatio', value: round(failureRatio * 100, 4), unit: 'Percent' },
    { name: 'SloBreached', value: slo.tracks.filter((t) => t.status === 'breached').length, unit: 'Count' },
    { name: 'SloBreaching', value: slo.tracks.filter((t) => t.status === 'breaching').length, unit: 'Count' },
  ];
  if (reading.ordersPerMinute !== null) {
    values.push({ name: 'OrdersPerMinute', value: reading.ordersPerMinute, unit: 'Count' });
  }
  if (rps !== null) values.push({ name: 'RequestsPerSecond', value: rps, unit: 'Count/Second' });
  for (const r of requests) {
    for (const [name, value] of [
      ['LatencyP50', r.p50],
      ['LatencyP95', r.p95],
      ['LatencyP99', r.p99],
    ] as const) {
      if (value !== null) values.push({ name, value, unit: 'Milliseconds', request: r.name });
    }
  }
  return values;
}

/**
 * Mode capacity: the search's figures after a tick, for the dashboard — the level it holds, the highest level
 * met (orders/min delivered), and once it is done the capacity found with its range.
 */
export function capacityMetricValues(capacity: CapacityState): MetricValue[] {
  const { result } = capacity;
  const values: [string, number | null | undefined][] = [
    ['CapacityLevel', capacity.phase === 'hold' ? capacity.level : null],
    ['CapacityHighestMet', capacity.met?.ordersPerMinute],
    ['CapacityOrdersPerMinute', result?.ordersPerMinute],
    ['CapacityRangeLow', result?.range.low],
    ['CapacityRangeHigh', result?.range.high],
  ];
  return values.flatMap(([name, value]) =>
    value === null || value === undefined ? [] : [{ name, value, unit: 'Count' as const }],
  );
}

/** Publishes {@link capacityMetricValues}; a failure is a warning for the tick, never the run's end. */
export async function publishCapacityMetrics(
  state: RunState,
  at: Date,
  capacity: CapacityState,
  deps: Pick<WatchDeps, 'cloudwatch'>,
): Promise<string | null> {
  const { environment, scenario } = state.run.request;
  try {
    await deps.cloudwatch.putMetrics({ environment, scenario }, at, capacityMetricValues(capacity));
    return null;
  } catch (err) {
    logger.warn('capacity metrics could not be published', err as Error);
    return `capacity metrics not published: ${(err as Error).message}`;
  }
}
