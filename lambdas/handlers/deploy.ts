import { type AppChange, deployTarget } from '../core/shape';
import { nodeGroups } from '../runtime/providers/node-groups';
import { platform } from '../runtime/providers/platform';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';
import { type ApplicationItemEvent, prepareApplication } from '../use-cases/prepare';

/**
 * Rolls production's versions out to one application of the run and waits for the rollout. The prepare
 * Map (statemachine/prepare-map.ts) invokes it once per application in scope, unless the run tests what
 * is deployed.
 */
export const handler: (event: ApplicationItemEvent) => Promise<AppChange> = step(
  'Deploy production versions',
  { runs, platform, nodeGroups },
  (event: ApplicationItemEvent, deps) => prepareApplication(event, deps, deployTarget),
);
