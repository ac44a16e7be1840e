import type { RunState, StopLoadResult } from '../core/state';
import { stopLocust } from './restore';
import { logger, step } from './runtime';

/** Stops every Locust user. Also runs on the failure path, where the load may never have started. */
export const handler = step('Stop load', async (state: RunState, deps): Promise<StopLoadResult> => {
  try {
    await stopLocust(state.run, deps);
    return { stopped: true, message: 'Locust stopped' };
  } catch (err) {
    // No load was started: an unreachable Locust is then nothing to stop.
    if (!state.ramp) {
      logger.warn('Locust not reachable and no load was started', err as Error);
      return { stopped: false, message: `no load was started (${(err as Error).message})` };
    }
    throw err;
  }
});
