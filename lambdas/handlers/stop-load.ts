import type { StopLoadResult } from '../core/restore';
import type { RunState } from '../core/run-state';
import { logger } from '../runtime/logger';
import { locust } from '../runtime/providers/locust';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';
import { restoreFleetSize, stopLocust } from '../use-cases/restore';

/**
 * Stops every Locust user, then scales the worker fleet (when the conductor sizes it) back to the size Start
 * load recorded, so that idle workers do not run (and cost) until the next test. Also runs on the failure
 * path, where the load may never have started: with no recorded size nothing scaled the fleet, and it is
 * left as it is; a Start load that failed after scaling it is scaled back all the same.
 */
export const handler = step(
  'Stop load',
  { runs, locust },
  async (state: RunState, deps): Promise<StopLoadResult> => {
    let stopped = true;
    let what = 'Locust stopped';
    try {
      await stopLocust(state.run, deps);
    } catch (err) {
      // No load was started: an unreachable Locust is then nothing to stop.
      if (state.ramp) throw err;
      logger.warn('Locust not reachable and no load was started', err as Error);
      stopped = false;
      what = `no load was started (${(err as Error).message})`;
    }
    const restored = await restoreFleetSize(state.run, deps);
    if (!restored) return { stopped, message: what };
    return {
      stopped,
      workers: restored.to,
      message: `${what}; ${restored.fleet} scaled back to ${restored.to} workers (its size before the test)`,
    };
  },
);
