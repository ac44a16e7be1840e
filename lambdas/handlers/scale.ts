import type { ScaleResult } from '../core/plan';
import { type AppChange, scaleTarget } from '../core/shape';
import { nodeGroups } from '../runtime/providers/node-groups';
import { platform } from '../runtime/providers/platform';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';
import {
  type ApplicationItemEvent,
  type NodeGroupsItemEvent,
  prepareApplication,
  prepareNodeGroups,
} from '../use-cases/prepare';

/**
 * Scales to production's size and waits until ready. The prepare phase (statemachine/prepare-map.ts)
 * invokes it first with `{ state, nodeGroups: true }` for the environment's node groups (→
 * `{ changes: [], nodeGroups }`, so the pods have nodes), then once per application with
 * `{ state, application }` (replicas, container resources, HPA bounds, ECS desired count → its change).
 */
export const handler: {
  (event: ApplicationItemEvent): Promise<AppChange>;
  (event: NodeGroupsItemEvent): Promise<ScaleResult>;
} = step(
  'Scale to production size',
  { runs, platform, nodeGroups },
  async (event: ApplicationItemEvent | NodeGroupsItemEvent, deps): Promise<ScaleResult | AppChange> =>
    'application' in event
      ? prepareApplication(event, deps, scaleTarget)
      : { changes: [], nodeGroups: await prepareNodeGroups(event.state, deps) },
) as never;
