import type { StepId } from '../../statemachine/steps';
import { handler as acquireLock } from './acquire-lock';
import { handler as cleanup } from './cleanup';
import { handler as deploy } from './deploy';
import { handler as evaluate } from './evaluate';
import { handler as planDryRun } from './plan-dry-run';
import { handler as rampTick } from './ramp-tick';
import { handler as releaseLock } from './release-lock';
import { handler as scale } from './scale';
import { handler as startLoad } from './start-load';
import { handler as stopLoad } from './stop-load';
import { handler as teardown } from './teardown';
import { handler as validateInput } from './validate-input';

/** Every step's handler by id: the local runner invokes them in-process, as Lambda would. */
// biome-ignore lint/suspicious/noExplicitAny: each handler takes its own event type
export const HANDLERS: Readonly<Record<StepId, (event: any) => Promise<unknown>>> = {
  'validate-input': validateInput,
  'plan-dry-run': planDryRun,
  'acquire-lock': acquireLock,
  deploy,
  scale,
  'start-load': startLoad,
  'ramp-tick': rampTick,
  'stop-load': stopLoad,
  evaluate,
  teardown,
  cleanup,
  'release-lock': releaseLock,
};
