import type { RunState, StopLoadResult } from '../core/state';
import { logger, step } from './runtime';

/** Stops every Locust user. Also runs on the failure path, where the load may never have started. */
export const handler = step('Stop load', async (state: RunState, deps): Promise<StopLoadResult> => {
  const locust = deps.locust(state.run.environment.locust.url);
  try {
    await locust.stop();
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
