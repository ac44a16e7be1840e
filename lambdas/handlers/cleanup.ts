import { request } from 'undici';
import { TransientError } from '../core/errors';
import type { CleanupAction } from '../core/config';
import type { CleanupResult, RunState } from '../core/state';
import { step } from './runtime';

/**
 * Removes the test data the run created (the environment's cleanup actions),
 * releases the lock and tells the topic how the run ended. The lock is
 * released even when an action failed; the failure is then raised.
 */
export const handler = step('Cleanup', async (state: RunState, deps): Promise<CleanupResult> => {
  const { run } = state;
  const settled = await Promise.allSettled(run.environment.cleanup.map(runAction));
  const actions = settled.map((s, i) => ({
    name: run.environment.cleanup[i]?.name ?? `action ${i}`,
    result: s.status === 'fulfilled' ? s.value : `failed: ${(s.reason as Error).message}`,
  }));
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
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return { actions, lockReleased, notified: true };
});

async function runAction(action: CleanupAction): Promise<string> {
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(action.url, { method: action.method, headersTimeout: 60_000, bodyTimeout: 60_000 });
  } catch (err) {
    throw new TransientError(`${action.name}: ${action.method} ${action.url} failed: ${(err as Error).message}`);
  }
  const text = (await response.body.text()).slice(0, 500);
  if (response.statusCode >= 500) throw new TransientError(`${action.name}: answered ${response.statusCode}`);
  if (response.statusCode >= 400) throw new Error(`${action.name}: refused with ${response.statusCode}: ${text}`);
  return text || `HTTP ${response.statusCode}`;
}
