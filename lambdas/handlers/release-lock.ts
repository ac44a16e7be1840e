import type { ReleaseResult, RunState } from '../core/state';
import { phase, storeReport } from './evaluate';
import { derivedPhases, recordPhase } from './phases';
import { logger, step } from './runtime';

/**
 * The last step of every run that took the lock: frees the environment, writes the report once more now that
 * teardown and cleanup are done (complete timeline and cost), and tells the topic how the run ended — the
 * verdict, each SLI, and where the report is. A separate step, so a failed cleanup action never keeps the
 * environment locked; the report is best effort here (Evaluate already stored one).
 */
export const handler = step('Release lock', async (state: RunState, deps): Promise<ReleaseResult> => {
  const startedAt = deps.now();
  const { run } = state;
  const lockReleased = await deps.runs.releaseLock(run.request.environment, run.executionId);
  const failure = state.failure ?? state.evaluateError;
  const verdict = state.verdict;
  const outcome = failure && !verdict ? 'error' : (verdict?.outcome ?? (failure ? 'error' : 'unknown'));

  let report = verdict?.report ?? null;
  let reportError: string | null = null;
  if (verdict) {
    try {
      const [ticks, recorded] = await Promise.all([
        deps.runs.ticks(run.executionId),
        deps.runs.phases(run.executionId),
      ]);
      const endedAt = deps.now();
      report = await storeReport(
        state,
        verdict,
        ticks,
        [
          ...recorded,
          ...derivedPhases(state, ticks.at(-1)?.at ?? null, recorded),
          phase('Release lock', startedAt, endedAt),
        ],
        'release-lock',
        endedAt.toISOString(),
        deps,
      );
    } catch (err) {
      reportError = (err as Error).message;
      logger.warn(
        'Release lock: the final report could not be written; the one Evaluate wrote stays',
        err as Error,
      );
    }
  }

  await deps.notifier.publish(`Load test ${outcome}: ${run.request.environment} / ${run.request.scenario}`, {
    type: 'run-ended',
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
    })),
    restoreError: state.restoreError ?? null,
    evaluateError: state.evaluateError ?? null,
  });
  await recordPhase(deps.runs, run.executionId, phase('Release lock', startedAt, deps.now()));
  return { lockReleased, notified: true, report };
});
