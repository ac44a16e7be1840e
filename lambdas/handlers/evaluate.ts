import type { PhaseRecord, TickRecord } from '../adapters/aws/run-store';
import { withSloDefaults } from '../core/config';
import { runLatency } from '../core/latency-window';
import { estimateCost, runCost } from '../core/report/cost';
import { renderReport } from '../core/report/html';
import { buildRunSummary, type RunSummary } from '../core/report/summary';
import type { RunState } from '../core/state';
import { baselineValues, judge, sliSamples, type Verdict } from '../core/verdict';
import { derivedPhases, recordPhase } from './phases';
import { type StepDeps, step } from './runtime';

/**
 * Judges the run against its SLOs (the watch's breaches and abort, the plateau's responses from the ticks'
 * histograms, the last passing runs of the same environment and scenario), writes the JSON summary and the HTML report to the
 * reports bucket, and keeps a passing run as the next runs' baseline. On the failure path it explains the error.
 * Its result is the execution's output: the CLI's exit code follows `outcome`.
 */
export const handler = step('Evaluate', async (state: RunState, deps): Promise<Verdict> => {
  const startedAt = deps.now();
  const { run } = state;
  const { environment, scenario } = run.request;
  const slos = withSloDefaults(run.environment.slos);
  const [baselines, ticks, recorded, histograms] = await Promise.all([
    deps.runs.lastPassingRuns(environment, scenario, slos.relative.baselineRuns),
    deps.runs.ticks(run.executionId),
    deps.runs.phases(run.executionId),
    deps.runs.tickHistograms(run.executionId),
  ]);
  const latency = runLatency(histograms);
  const judged = judge({
    environment,
    scenario,
    executionName: run.executionName,
    targetOrdersPerMinute: run.request.targetOrdersPerMinute,
    slos,
    plateau: state.ramp?.plateau ?? null,
    failure: state.failure ?? null,
    watch: state.ramp?.slo ?? null,
    abort: state.ramp?.abort ?? null,
    latency,
    baselines,
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
      samples: sliSamples(latency),
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
