import type { ReleaseResult, RunState } from '../core/state';
import { step } from './runtime';

/**
 * The last step of every run that took the lock: frees the environment and
 * tells the topic how the run ended. A separate step, so a failed cleanup
 * action never keeps the environment locked.
 */
export const handler = step('Release lock', async (state: RunState, deps): Promise<ReleaseResult> => {
  const { run } = state;
  const lockReleased = await deps.runs.releaseLock(run.request.environment, run.executionId);
  const outcome = state.failure ? 'error' : (state.verdict?.outcome ?? 'unknown');
  await deps.notifier.publish(`Load test ${outcome}: ${run.request.environment} / ${run.request.scenario}`, {
    outcome,
    environment: run.request.environment,
    execution: run.executionId,
    summary: state.verdict?.summary ?? state.failure?.Cause ?? outcome,
    report: state.verdict?.report ?? null,
    restoreError: state.restoreError ?? null,
  });
  return { lockReleased, notified: true };
});
