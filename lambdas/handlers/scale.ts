import type { RunState, ScaleResult } from '../core/state';
import { prepareApplications } from './prepare';
import { step } from './runtime';

/** Scales every application in scope to its production size and waits until it is ready. */
export const handler = step(
  'Scale to production size',
  async (state: RunState, deps): Promise<ScaleResult> => {
    const changes = await prepareApplications(state, deps, (current, production) => ({
      version: current.version,
      replicas: production.replicas,
    }));
    return { changes };
  },
);
