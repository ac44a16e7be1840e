/** What a run is while it runs: its request and environment, its executions, the lock it holds and gives back. */
import type { EnvironmentConfig } from './config';
import type { RestoreOutcome } from './restore';
import type { RunRequest } from './run-input';

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

/**
 * One execution of a run. A run longer than one execution's history (25,000 events) continues in a new
 * execution with its state; Validate sets this for each.
 */
export interface ExecutionContext {
  readonly id: string;
  readonly name: string;
  readonly startedAt: string;
  /** 1 for the execution that started the run, one more for each continuation. */
  readonly number: number;
  /** The execution this one continues; absent in the first. Its entry goes straight to the tick loop. */
  readonly continuesFrom?: string;
  /** At this tick the run continues in a new execution, before this one's history is full. */
  readonly continueAtTick: number;
  /** The name of the execution the run continues in (deterministic: a retried start starts it once). */
  readonly nextName: string;
}

/** What StartExecution answered when the run continued in a new execution; also this execution's output. */
export interface ContinuedIn {
  readonly executionArn: string;
  readonly startDate: string;
}

export interface LockHeld {
  readonly environment: string;
  readonly holder: string;
  readonly expiresAt: string;
}

export interface ReleaseResult {
  readonly lockReleased: boolean;
  readonly notified: boolean;
  /** Where the final report is (rewritten at the end of the run), when there is one. */
  readonly report?: string | null;
  /** Whether the environment is back in its recorded shape, and what is left when not. */
  readonly restore: RestoreOutcome;
  /** `Restore incomplete: …` (core/restore.ts `describeRestore`), or null when complete: the Fail state's cause. */
  readonly restoreMessage: string | null;
}
