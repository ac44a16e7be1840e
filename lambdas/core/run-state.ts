import type { StepError } from './errors';
import type { DeployResult, DryRunPlan, ScaleResult } from './plan';
import type { RampState } from './ramp-state';
import type {
  CleanupResult,
  RestoreErrorSlots,
  RestoreOutcome,
  StopLoadResult,
  TeardownResult,
} from './restore';
import type { ContinuedIn, ExecutionContext, LockHeld, ReleaseResult, RunContext } from './run-context';
import type { Verdict } from './verdict';

/**
 * The execution state: each step reads it whole and adds one field. Kept
 * small (Step Functions allows 256 KiB); time series go to the run store.
 */
export interface RunState {
  readonly run: RunContext;
  /** The execution running the run now; the run's identity stays `run.executionId`, the first execution's. */
  readonly execution?: ExecutionContext;
  readonly plan?: DryRunPlan;
  readonly lock?: LockHeld;
  readonly deploy?: DeployResult;
  readonly scale?: ScaleResult;
  readonly ramp?: RampState;
  readonly failure?: StepError;
  /** Evaluate's own error, kept apart so it never replaces the run's original `failure`. */
  readonly evaluateError?: StepError;
  /** Each restore step's caught error in its own slot (statemachine/definition.ts), never overwritten. */
  readonly restoreErrors?: RestoreErrorSlots;
  /** What Release lock found the restore left undone; also under `release.restore`. */
  readonly restore?: RestoreOutcome;
  readonly stopLoad?: StopLoadResult;
  readonly verdict?: Verdict;
  readonly teardown?: TeardownResult;
  readonly cleanup?: CleanupResult;
  readonly release?: ReleaseResult;
  /** Set when this execution handed the run on to a new execution ("Continue in new execution"). */
  readonly continuedIn?: ContinuedIn;
}
