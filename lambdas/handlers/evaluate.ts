import { capacityVerdictScope } from '../core/capacity/section';
import { withSloDefaults } from '../core/config';
import { runLatency } from '../core/latency-window';
import type { PhaseRecord } from '../core/records';
import type { RunState } from '../core/run-state';
import { kpiOf } from '../core/scenario';
import { baselineValues, judge, sliSamples, type Verdict } from '../core/verdict';
import { reports } from '../runtime/providers/reports';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';
import { derivedPhases, phase, recordPhase } from '../use-cases/phases';
import { storeReport } from '../use-cases/report';

/**
 * Judges the run against its SLOs (the watch's breaches and abort, the plateau's responses from the ticks'
 * histograms, the last passing runs of the same environment and scenario), writes the JSON summary and the HTML report to the
 * reports bucket, and keeps a passing run as the next runs' baseline. On the failure path it explains the error.
 * Its result is the execution's output: the CLI's exit code follows `outcome`.
 */
export const handler = step(
  'Evaluate',
  { runs, reports },
  async (state: RunState, deps): Promise<Verdict> => {
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
      kpi: kpiOf(run.environment),
      // Mode capacity: the window of the highest level met, not the whole search.
      ...capacityVerdictScope(state, histograms),
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
  },
);
