import type { EnvironmentConfig } from './config';
import type { ControllerState } from './ramp-controller';
import type { RunRequest } from './run-input';
import type { Verdict } from './verdict';

/**
 * The execution state: each step reads it whole and adds one field. Kept
 * small (Step Functions allows 256 KiB); time series go to the run store.
 */
export interface RunState {
  readonly run: RunContext;
  readonly plan?: DryRunPlan;
  readonly lock?: LockHeld;
  readonly deploy?: DeployResult;
  readonly scale?: ScaleResult;
  readonly ramp?: RampState;
  readonly failure?: StepError;
  readonly restoreError?: StepError;
  readonly stopLoad?: StopLoadResult;
  readonly verdict?: Verdict;
  readonly teardown?: TeardownResult;
  readonly cleanup?: CleanupResult;
  readonly release?: ReleaseResult;
}

/** What Step Functions' Catch puts at its result path. */
export interface StepError {
  readonly Error: string;
  readonly Cause?: string;
}

export interface RunContext {
  readonly executionId: string;
  readonly executionName: string;
  readonly startedAt: string;
  readonly request: RunRequest;
  /** The environment's configuration when the run started: later steps never re-read the config. */
  readonly environment: EnvironmentConfig;
  /** Guard for the tick loop: the planned ticks plus a margin. */
  readonly maxTicks: number;
}

export interface LockHeld {
  readonly environment: string;
  readonly holder: string;
  readonly expiresAt: string;
}

/** Version and size of one application on one platform. */
export interface AppShape {
  readonly version: string;
  readonly replicas: number;
}

export interface AppChange {
  readonly application: string;
  readonly from: AppShape;
  readonly to: AppShape;
}

export interface DryRunPlan {
  readonly dryRun: true;
  readonly environment: string;
  readonly changes: readonly AppChange[];
  readonly plannedTicks: number;
  readonly summary: string;
}

export interface DeployResult {
  readonly skipped: boolean;
  readonly changes: readonly AppChange[];
}

export interface ScaleResult {
  readonly changes: readonly AppChange[];
}

/** Carried from tick to tick; also what the console shows of the test's progress. */
export interface RampState {
  readonly tick: number;
  readonly phase: 'ramp-up' | 'plateau' | 'done';
  readonly done: boolean;
  readonly startedAt: string;
  readonly nextTickAt: string;
  readonly targetNow: number;
  readonly ordersPerMinute: number | null;
  readonly users: number;
  readonly spawnRate: number;
  readonly workers: number;
  readonly failureRatio: number;
  readonly message: string;
  readonly controller: ControllerState;
  readonly plateau: PlateauTotals;
}

/** Running totals over the plateau, from which the verdict is computed. */
export interface PlateauTotals {
  readonly ticks: number;
  readonly orders: number;
  readonly minutes: number;
  readonly requests: number;
  readonly failures: number;
}

export interface StopLoadResult {
  readonly stopped: boolean;
  readonly message: string;
}

export interface TeardownResult {
  readonly restored: readonly AppChange[];
}

export interface CleanupResult {
  readonly actions: readonly { readonly name: string; readonly result: string }[];
}

export interface ReleaseResult {
  readonly lockReleased: boolean;
  readonly notified: boolean;
}
