import { fleetBounds } from '../adapters/locust/fleet';
import type { RunState, StopLoadResult } from '../core/state';
import { fleetOf } from './load';
import { stopLocust } from './restore';
import { logger, step } from './runtime';

/**
 * Stops every Locust user, then scales the worker fleet (when the conductor sizes it) back to the size Start
 * load recorded — or the configured minimum when none was recorded — so that idle workers do not run (and
 * cost) until the next test. Also runs on the failure path, where the load may never have started; the fleet
 * is then left as it is (nothing scaled it).
 */
export const handler = step('Stop load', async (state: RunState, deps): Promise<StopLoadResult> => {
  try {
    await stopLocust(state.run, deps);
  } catch (err) {
    // No load was started: an unreachable Locust is then nothing to stop.
    if (!state.ramp) {
      logger.warn('Locust not reachable and no load was started', err as Error);
      return { stopped: false, message: `no load was started (${(err as Error).message})` };
    }
    throw err;
  }
  const fleet = fleetOf(state.run);
  const workersConfig = state.run.environment.locust.workers;
  if (!fleet || !workersConfig || !state.ramp) return { stopped: true, message: 'Locust stopped' };
  const workers = state.ramp.workersBefore ?? fleetBounds(workersConfig).minWorkers;
  await fleet.scale(workers);
  const why = state.ramp.workersBefore == null ? 'the configured minimum' : 'its size before the test';
  return {
    stopped: true,
    workers,
    message: `Locust stopped; ${fleet.description} scaled back to ${workers} workers (${why})`,
  };
});
