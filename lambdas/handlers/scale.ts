import { scaleTarget } from '../core/shape';
import type { AppChange, RunState, ScaleResult } from '../core/state';
import {
  applicationItem,
  type PrepareItemEvent,
  type PreparingHandler,
  prepareApplications,
  prepareNodeGroups,
} from './prepare';
import { step } from './runtime';

/**
 * Scales the node groups, then every application in scope to its production size (replicas, container
 * resources, HPA bounds, ECS desired count), and waits until they are ready. The prepare Map invokes it
 * per item instead: `{ state, nodeGroups: true }` scales the node groups (→ `{ changes: [], nodeGroups }`),
 * `{ state, application }` one application (→ its change).
 */
export const handler: PreparingHandler<ScaleResult> = step(
  'Scale to production size',
  async (event: RunState | PrepareItemEvent, deps): Promise<ScaleResult | AppChange> => {
    if ('application' in event) {
      const [change] = await prepareApplications(event.state, deps, scaleTarget, applicationItem(event));
      return change as AppChange;
    }
    if ('nodeGroups' in event && event.nodeGroups === true) {
      return { changes: [], nodeGroups: await prepareNodeGroups(event.state, deps) };
    }
    const state = event as RunState;
    const nodeGroups = await prepareNodeGroups(state, deps);
    const changes = await prepareApplications(state, deps, scaleTarget);
    return nodeGroups.length > 0 ? { changes, nodeGroups } : { changes };
  },
) as PreparingHandler<ScaleResult>;
