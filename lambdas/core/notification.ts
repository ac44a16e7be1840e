/**
 * The `run-ended` notification Release lock publishes to the run's topic: whether the environment is back in
 * its recorded shape (first, and in the subject when it is not), how the run ended, each SLI with its baseline
 * comparison, the latency window, where the report is and, in mode capacity, the search's result.
 */
import { capacityNotification } from './capacity/section';
import { describeRestore, type RestoreOutcome } from './restore';
import type { RunState } from './run-state';

export interface RunEndedNotification {
  readonly subject: string;
  readonly message: Readonly<Record<string, unknown>>;
}

/**
 * The notification of a run whose restore ended as `restore`; `report` is where the final report is (null:
 * none), `reportError` why it could not be rewritten.
 */
export function runEndedNotification(
  state: RunState,
  restore: RestoreOutcome,
  report: string | null,
  reportError: string | null,
): RunEndedNotification {
  const { run, verdict } = state;
  const failure = state.failure ?? state.evaluateError;
  const outcome = verdict?.outcome ?? (failure ? 'error' : 'unknown');
  const subject = `${restore.complete ? '' : 'RESTORE INCOMPLETE — '}Load test ${outcome}: ${run.request.environment} / ${run.request.scenario}`;
  const message = {
    type: 'run-ended',
    // First: whether the environment is back in its recorded shape, and what may be left.
    restoreMessage: describeRestore(restore),
    restore,
    outcome,
    environment: run.request.environment,
    scenario: run.request.scenario,
    execution: run.executionId,
    summary: verdict?.summary ?? failure?.Cause ?? outcome,
    report,
    reportError,
    baseline: verdict?.baselineNote ?? null,
    abort: verdict?.abort?.reason ?? null,
    slis: (verdict?.slis ?? []).map((s) => ({
      name: s.name,
      status: s.status,
      observed: s.observed,
      unit: s.unit,
      threshold: s.threshold,
      baseline: s.baseline,
      delta: s.delta,
      // Against the last passing runs' per-tick values: the shift with its 95 % CI, and whether it is a regression.
      comparison: s.comparison
        ? {
            runs: s.comparison.runs,
            baselineMedian: s.comparison.baseline.median,
            shift: s.comparison.shift,
            shiftLow: s.comparison.shiftLow,
            shiftHigh: s.comparison.shiftHigh,
            pValue: s.comparison.pValue,
            regression: s.comparison.regression,
          }
        : null,
    })),
    latency: verdict?.latency
      ? {
          window: `${verdict.latency.source} ticks ${verdict.latency.fromTick}-${verdict.latency.toTick}`,
          requests: verdict.latency.requests,
        }
      : null,
    evaluateError: state.evaluateError ?? null,
    capacity: capacityNotification(state),
  };
  return { subject, message };
}
