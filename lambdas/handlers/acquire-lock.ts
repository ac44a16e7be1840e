import type { LockHeld, RunState } from '../core/state';
import { RECORD_DAYS } from './prepare';
import { step } from './runtime';

/** Room left after the planned test for preparing and restoring, before a lost lock expires by itself. */
const LOCK_MARGIN_MINUTES = 120;

/** One test per environment: refuses with the id of the running execution. */
export const handler = step('Acquire lock', async (state: RunState, deps): Promise<LockHeld> => {
  const { request, executionId } = state.run;
  const now = deps.now();
  const minutes = request.rampUpMinutes + request.plateauMinutes + LOCK_MARGIN_MINUTES;
  const expiresAt = new Date(now.getTime() + minutes * 60_000);
  // Before the lock: whoever holds it has its context on record, for the janitor (handlers/janitor.ts).
  await deps.runs.putRunMeta(state.run, new Date(now.getTime() + RECORD_DAYS * 86_400_000));
  await deps.runs.acquireLock(request.environment, executionId, now, expiresAt);
  return { environment: request.environment, holder: executionId, expiresAt: expiresAt.toISOString() };
});
