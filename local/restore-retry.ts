import { RESTORE_STEP_SLOTS, type RestoreOutcome, type RestoreStepSlot } from '../lambdas/core/restore';
import type { RunState } from '../lambdas/core/run-state';
import { HANDLERS } from '../lambdas/handlers/index';
import type { StepId } from '../statemachine/steps';
import { restoreOf } from './progress';

/** The restore steps a retry runs again when they failed, in order; Release lock always runs last. */
const RETRIED: readonly [RestoreStepSlot, StepId, keyof RunState][] = [
  ['stopLoad', 'stop-load', 'stopLoad'],
  ['teardown', 'teardown', 'teardown'],
  ['cleanup', 'cleanup', 'cleanup'],
];

export interface RestoreRetryOptions {
  /** Attempts after the state machine's own. Default 2. */
  readonly attempts?: number;
  /** Wait before each attempt. Default 5 s. */
  readonly delayMs?: number;
  readonly onAttempt?: (attempt: number) => void;
}

/**
 * The local runner's counterpart of the janitor: once the state machine's retries are spent and the restore
 * is still incomplete, runs the failed restore steps again with the run's last state (the real handlers),
 * then Release lock, which checks what is left, releases the lock and tells the topic. Stops as soon as the
 * restore holds; returns the last outcome, which says what could not be restored.
 */
export async function retryRestore(
  state: RunState,
  options: RestoreRetryOptions = {},
): Promise<RestoreOutcome> {
  const attempts = options.attempts ?? 2;
  let current = state;
  let restore = restoreOf(state);
  for (let attempt = 1; attempt <= attempts && !restore.complete; attempt++) {
    options.onAttempt?.(attempt);
    await new Promise((r) => setTimeout(r, options.delayMs ?? 5000));
    current = await retryOnce(current, restore);
    restore = restoreOf(current);
  }
  return restore;
}

async function retryOnce(state: RunState, before: RestoreOutcome): Promise<RunState> {
  const leftKinds = new Set(before.leftovers.map((l) => l.kind));
  const errors = { ...state.restoreErrors };
  let next: RunState = state;
  for (const [slot, id, resultKey] of RETRIED) {
    const needed =
      errors[slot] !== undefined ||
      (slot === 'teardown' && (leftKinds.has('application') || leftKinds.has('nodeGroup'))) ||
      (slot === 'stopLoad' && leftKinds.has('workerFleet'));
    if (!needed) continue;
    try {
      const result = await HANDLERS[id](next);
      delete errors[slot];
      next = { ...next, [resultKey]: result, restoreErrors: errors };
    } catch (err) {
      errors[slot] = {
        step: RESTORE_STEP_SLOTS[slot],
        Error: (err as Error).name,
        Cause: (err as Error).message,
        at: new Date().toISOString(),
      };
      next = { ...next, restoreErrors: errors };
    }
  }
  delete errors.releaseLock;
  const withoutRelease: RunState = { ...next, restoreErrors: errors, restore: undefined };
  try {
    const release = (await HANDLERS['release-lock'](withoutRelease)) as NonNullable<RunState['release']>;
    return { ...withoutRelease, release, restore: release.restore };
  } catch (err) {
    return {
      ...withoutRelease,
      restoreErrors: {
        ...errors,
        releaseLock: {
          step: 'Release lock',
          Error: (err as Error).name,
          Cause: (err as Error).message,
          at: new Date().toISOString(),
        },
      },
    };
  }
}
