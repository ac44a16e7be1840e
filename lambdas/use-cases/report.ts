/**
 * The run's report as stored in S3: Evaluate writes it, Release lock writes it again with teardown and
 * cleanup in.
 */
import type { PhaseRecord, TickRecord } from '../core/records';
import { estimateCost, runCost } from '../core/report/cost';
import { renderReport } from '../core/report/html';
import { buildRunSummary, type RunSummary } from '../core/report/summary';
import type { RunState } from '../core/run-state';
import type { Verdict } from '../core/verdict';
import type { StepDeps } from '../runtime/step';

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
