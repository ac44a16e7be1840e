import type { RunState } from '../core/state';
import { judge, type Verdict } from '../core/verdict';
import { step } from './runtime';

/**
 * Judges the run against its SLOs and stores the JSON summary with the run's
 * time series in the reports bucket. On the failure path it explains the error.
 */
export const handler = step('Evaluate', async (state: RunState, deps): Promise<Verdict> => {
  const { run } = state;
  const judged = judge({
    environment: run.request.environment,
    scenario: run.request.scenario,
    executionName: run.executionName,
    targetOrdersPerMinute: run.request.targetOrdersPerMinute,
    slos: run.environment.slos,
    plateau: state.ramp?.plateau ?? null,
    failure: state.failure ?? null,
  });
  const ticks = await deps.runs.ticks(run.executionId);
  const summary = {
    verdict: judged,
    request: run.request,
    execution: {
      id: run.executionId,
      name: run.executionName,
      startedAt: run.startedAt,
      endedAt: deps.now().toISOString(),
    },
    deploy: state.deploy ?? null,
    scale: state.scale ?? null,
    ticks,
  };
  const report = await deps.reports.put(
    run.request.environment,
    run.executionName,
    'summary.json',
    JSON.stringify(summary, null, 2),
    'application/json',
  );
  return { ...judged, report };
});
