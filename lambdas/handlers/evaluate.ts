import { setTimeout as sleep } from 'node:timers/promises';
import type { PhaseRecord, TickRecord } from '../adapters/aws/run-store';
import type { LocustClient, LocustStats } from '../adapters/locust/client';
import { capacityVerdictScope } from '../core/capacity/section';
import { withSloDefaults } from '../core/config';
import { estimateCost, runCost } from '../core/report/cost';
import { renderReport } from '../core/report/html';
import { buildRunSummary, type RunSummary } from '../core/report/summary';
import type { RunState } from '../core/state';
import { baselineValues, judge, type LatencyFigures, type Verdict } from '../core/verdict';
import { derivedPhases, recordPhase } from './phases';
import { logger, type StepDeps, step } from './runtime';
import { requestFigures } from './watch';

/**
 * Judges the run against its SLOs (the watch's breaches and abort, Locust master's final figures, the last
 * passing run of the same environment and scenario), writes the JSON summary and the HTML report to the
 * reports bucket, and keeps a passing run as the next runs' baseline. On the failure path it explains the error.
 * Its result is the execution's output: the CLI's exit code follows `outcome`.
 */
export const handler = step('Evaluate', async (state: RunState, deps): Promise<Verdict> => {
  const startedAt = deps.now();
  const { run } = state;
  const { environment, scenario } = run.request;
  const [baseline, ticks, recorded] = await Promise.all([
    deps.runs.lastPassingRun(environment, scenario),
    deps.runs.ticks(run.executionId),
    deps.runs.phases(run.executionId),
  ]);
  const latency = await masterFigures(state, ticks, deps);
  const judged = judge({
    environment,
    scenario,
    executionName: run.executionName,
    targetOrdersPerMinute: run.request.targetOrdersPerMinute,
    slos: withSloDefaults(run.environment.slos),
    plateau: state.ramp?.plateau ?? null,
    failure: state.failure ?? null,
    watch: state.ramp?.slo ?? null,
    abort: state.ramp?.abort ?? null,
    latency,
    baseline,
    // Mode capacity: the window of the highest level met, not the whole search.
    ...capacityVerdictScope(state, ticks),
  });

  const now = deps.now();
  const phases: PhaseRecord[] = [
    ...recorded,
    ...derivedPhases(state, ticks.at(-1)?.at ?? null, recorded),
    phase('Evaluate', startedAt, now),
  ];
  const report = await storeReport(state, judged, ticks, phases, 'evaluate', null, deps);

  if (judged.outcome === 'pass') {
    await deps.runs.putBaseline(environment, scenario, {
      ref: {
        executionId: run.executionId,
        executionName: run.executionName,
        endedAt: now.toISOString(),
        targetOrdersPerMinute: run.request.targetOrdersPerMinute,
      },
      values: baselineValues(judged),
    });
  }
  await recordPhase(deps.runs, run.executionId, phase('Evaluate', startedAt, deps.now()));
  return { ...judged, report };
});

export function phase(
  name: string,
  startedAt: Date,
  endedAt: Date,
  outcome: PhaseRecord['outcome'] = 'succeeded',
): PhaseRecord {
  return {
    name,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    outcome,
    lambdaMs: Math.max(0, endedAt.getTime() - startedAt.getTime()),
  };
}

/**
 * Renders and stores `report.html` and `summary.json` under `runs/<environment>/<execution>/`; returns the
 * report's location. Release lock calls it again at the end of the run, with teardown and cleanup in.
 */
export async function storeReport(
  state: RunState,
  verdict: Verdict,
  ticks: readonly TickRecord[],
  phases: readonly PhaseRecord[],
  generator: RunSummary['generator'],
  endedAt: string | null,
  deps: Pick<StepDeps, 'reports' | 'now'>,
): Promise<string> {
  const { run } = state;
  const summary = buildRunSummary({
    state,
    verdict,
    ticks,
    phases,
    cost: runCost(
      estimateCost(ticks, phases, {
        applications: run.request.applications.length,
        deployed: run.request.deployProductionVersions,
        executions: state.execution?.number ?? 1,
      }),
    ),
    generator,
    generatedAt: deps.now().toISOString(),
    endedAt,
  });
  const report = await deps.reports.put(
    run.request.environment,
    run.executionName,
    'report.html',
    renderReport(summary),
    'text/html; charset=utf-8',
  );
  const withLocation: RunSummary = { ...summary, verdict: { ...verdict, report } };
  await deps.reports.put(
    run.request.environment,
    run.executionName,
    'summary.json',
    JSON.stringify(withLocation, null, 2),
    'application/json',
  );
  return report;
}

/** How long Evaluate waits for the master's counters to settle after the load stopped. */
const SETTLE_DEADLINE_MS = 12_000;
/** The master caches /stats/requests for 2 s: two equal readings further apart than that are final. */
const SETTLE_INTERVAL_MS = 2_200;

/**
 * Locust master's per-request figures for the whole load: read once the load stopped and the counters
 * settled (workers report every 3 s), if the master still holds this run's counters (same boot and
 * generation as the last tick); otherwise the last tick's reading.
 */
async function masterFigures(
  state: RunState,
  ticks: readonly TickRecord[],
  deps: Pick<StepDeps, 'locust' | 'now'>,
): Promise<LatencyFigures | null> {
  const lastRead = [...ticks].reverse().find((t) => t.requests && t.requests.length > 0);
  const fallback: LatencyFigures | null = lastRead?.requests
    ? { source: 'last-tick', at: lastRead.at, requests: lastRead.requests }
    : null;
  const expected = state.ramp?.controller.last;
  // Only a stopped load has final figures: after a failed Stop load the last tick's are the best there are.
  if (!state.ramp || !expected || state.stopLoad?.stopped !== true) return fallback;
  try {
    const locust = deps.locust(state.run.environment.locust.url);
    const stats = await settledStats(locust, expected);
    if (stats) return { source: 'final', at: deps.now().toISOString(), requests: requestFigures(stats) };
  } catch (err) {
    logger.warn(
      "Evaluate: Locust master's final figures could not be read; using the last tick's",
      err as Error,
    );
  }
  return fallback;
}

async function settledStats(
  locust: LocustClient,
  expected: { bootId: string; generation: number },
): Promise<LocustStats | null> {
  const deadline = Date.now() + SETTLE_DEADLINE_MS;
  let previous: LocustStats | null = null;
  for (;;) {
    const kpi = await locust.kpi();
    if (kpi.bootId !== expected.bootId || kpi.generation !== expected.generation) return null;
    const stopped = kpi.state === 'stopped' || kpi.state === 'ready';
    const stats = await locust.stats();
    if (stopped && previous && sameCounters(previous, stats)) return stats;
    if (Date.now() + SETTLE_INTERVAL_MS > deadline) return null;
    previous = stopped ? stats : null;
    await sleep(SETTLE_INTERVAL_MS);
  }
}

function sameCounters(a: LocustStats, b: LocustStats): boolean {
  const key = (s: LocustStats) =>
    JSON.stringify(s.entries.map((e) => [e.name, e.method, e.numRequests, e.numFailures]));
  return (
    a.aggregated?.numRequests === b.aggregated?.numRequests &&
    a.aggregated?.numFailures === b.aggregated?.numFailures &&
    key(a) === key(b)
  );
}
