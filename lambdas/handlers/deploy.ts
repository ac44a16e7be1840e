import { deployTarget } from '../core/shape';
import type { AppChange, DeployResult, RunState } from '../core/state';
import {
  applicationItem,
  type PrepareItemEvent,
  type PreparingHandler,
  prepareApplications,
} from './prepare';
import { step } from './runtime';

/**
 * Rolls out the versions running in production, unless the run tests what is deployed. Invoked with the
 * whole state (every application, concurrently in this invocation), or once per application by the
 * prepare Map with `{ state, application }` (then it returns that application's change).
 */
export const handler: PreparingHandler<DeployResult> = step(
  'Deploy production versions',
  async (event: RunState | PrepareItemEvent, deps): Promise<DeployResult | AppChange> => {
    if ('application' in event) {
      const [change] = await prepareApplications(event.state, deps, deployTarget, applicationItem(event));
      return change as AppChange;
    }
    const state = event as RunState;
    if (!state.run.request.deployProductionVersions) return { skipped: true, changes: [] };
    const changes = await prepareApplications(state, deps, deployTarget);
    return { skipped: false, changes };
  },
) as PreparingHandler<DeployResult>;
