import type { TeardownResult } from '../core/restore';
import type { RunState } from '../core/run-state';
import { nodeGroups } from '../runtime/providers/node-groups';
import { platform } from '../runtime/providers/platform';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';
import { restoreRecordedShapes } from '../use-cases/restore';

/**
 * Restores the recorded shape of every application and node group (use-cases/restore.ts, the code the
 * janitor runs too). Reads the record from the run store, so it also works for a run that failed half-way.
 */
export const handler = step(
  'Teardown',
  { runs, platform, nodeGroups },
  async (state: RunState, deps): Promise<TeardownResult> => restoreRecordedShapes(state.run, deps),
);
