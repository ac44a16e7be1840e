import type { DeployResult, RunState } from '../core/state';
import { prepareApplications } from './prepare';
import { step } from './runtime';

/** Rolls out the versions running in production, unless the run tests what is deployed. */
export const handler = step(
  'Deploy production versions',
  async (state: RunState, deps): Promise<DeployResult> => {
    if (!state.run.request.deployProductionVersions) return { skipped: true, changes: [] };
    const changes = await prepareApplications(state, deps, (current, production) => ({
      version: production.version,
      replicas: current.replicas,
    }));
    return { skipped: false, changes };
  },
);
