import { recordsExpireAt } from '../core/records';
import type { LockHeld } from '../core/run-context';
import { lockExpiresAt } from '../core/run-input';
import type { RunState } from '../core/run-state';
import { locust } from '../runtime/providers/locust';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';
import { checkMasterOffersScenario } from '../use-cases/scenario';

/**
 * One test per environment: refuses with the id of the running execution. The lock lasts the planned test
 * and a margin; a run that continues in a new execution renews it there (handlers/validate-input.ts).
 */
export const handler = step(
  'Acquire lock',
  { runs, locust },
  async (state: RunState, deps): Promise<LockHeld> => {
    const { request, executionId } = state.run;
    const now = deps.now();
    const expiresAt = lockExpiresAt(request, now, now);
    // Before the lock and anything prepared: a scenario the master cannot run is refused with nothing to undo.
    await checkMasterOffersScenario(
      deps.locust(state.run.environment.locust.url),
      state.run.environment,
      request.scenario,
    );
    // Before the lock: whoever holds it has its context on record, for the janitor (handlers/janitor.ts).
    await deps.runs.putRunMeta(state.run, recordsExpireAt(now));
    await deps.runs.acquireLock(request.environment, executionId, now, expiresAt);
    return { environment: request.environment, holder: executionId, expiresAt: expiresAt.toISOString() };
  },
);
