import type { CapacityState } from './capacity/search';
import type { EnvironmentConfig } from './config';
import type { DownStreak } from './dead-system';
import type { ControllerState, ControllerStateV2, Saturation } from './ramp-controller';
import type { RestoreErrorSlots, RestoreOutcome } from './restore';
import type { RunRequest } from './run-input';
import type { ContainerResources, HpaBounds, NodeGroupSize, ShapeDifference } from './shape';
import type { RunAbort, SloWatchState } from './slo';
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

/**
 * Version and size of one application on one platform: what is recorded before a run changes it and
 * restored after. `version` and `replicas` always; the rest where the platform has it (see core/shape.ts).
 */
export interface AppShape {
  /** The agent's version, or a summary of the container images. */
  readonly version: string;
  /** Kubernetes `spec.replicas`, ECS `desiredCount`, the agent's replicas. */
  readonly replicas: number;
  /** Container images by container name (Kubernetes, ECS). */
  readonly images?: Readonly<Record<string, string>>;
  /** Requests and limits by container name (Kubernetes); ECS: cpu/memory, the task's under `(task)`. */
  readonly resources?: Readonly<Record<string, ContainerResources>>;
  /** HPA bounds, `null` when the application has none configured (Kubernetes). */
  readonly hpa?: HpaBounds | null;
  /** The task definition ARN the service runs (ECS). */
  readonly taskDefinition?: string;
  /** The scaling configuration (EKS managed node groups, recorded as `nodegroup/<name>`). */
  readonly nodeGroup?: NodeGroupSize;
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
  /** The environment's node groups, from their size now to the size Scale would give them. */
  readonly nodeGroups?: readonly NodeGroupChange[];
  readonly plannedTicks: number;
  readonly summary: string;
}

export interface DeployResult {
  readonly skipped: boolean;
  readonly changes: readonly AppChange[];
}

export interface ScaleResult {
  readonly changes: readonly AppChange[];
  /** EKS managed node groups scaled before the applications. */
  readonly nodeGroups?: readonly NodeGroupChange[];
}

export interface NodeGroupChange {
  readonly nodeGroup: string;
  readonly from: NodeGroupSize;
  readonly to: NodeGroupSize;
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
  /** Version 2 only in runs started before the upgrade: the next tick migrates it. */
  readonly controller: ControllerState | ControllerStateV2;
  readonly plateau: PlateauTotals;
  /** Share of the users whose class counts the KPI (absent: all of them); scales the controller's prior. */
  readonly kpiShare?: number;
  /** Locust workers asked of the fleet (null: the conductor does not size the fleet). */
  readonly workersRequested?: number | null;
  /**
   * The fleet's size before Start load scaled it (null: not sized), shown in the console; Stop load and the
   * janitor scale back to the run store's record of it, which outlives the execution.
   */
  readonly workersBefore?: number | null;
  /** What the controller expects the users to deliver at the end of the coming tick (orders/min). */
  readonly expectedOrdersPerMinute?: number;
  /** The controller's estimate of one user's orders per minute (null until measured). */
  readonly ordersPerUserPerMinute?: number | null;
  /** Set once the target is found unreachable ("target unreachable: saturated at N orders/min with U users"). */
  readonly saturation?: Saturation | null;
  /** What limited or explained the controller's decision (caps, stalls, resets, probes). */
  readonly notes?: readonly string[];
  /** The SLO watch (core/slo.ts): each SLO's state, breach episodes; set by `watchTick` on every tick. */
  readonly slo?: SloWatchState;
  /** Set (with `done: true`) when the abort policy stopped the test early: which SLO and when. */
  readonly abort?: RunAbort;
  /** Consecutive ticks the system under test has been down (core/dead-system.ts); null when it is not. */
  readonly down?: DownStreak | null;
  /** What the drift guard found (and re-applied) at this tick; empty when the prepared shape held. */
  readonly drift?: readonly DriftEvent[];
  /** Mode capacity: where the search stands (core/capacity/search.ts); absent in mode target. */
  readonly capacity?: CapacityState;
}

/** One application found out of the shape the run prepared (a rollout, an HPA edit, a manual change). */
export interface DriftEvent {
  /** The application, or `nodegroup/<name>` for a node group (as its shape is recorded). */
  readonly application: string;
  /** ISO time of the check. */
  readonly at: string;
  /** What differs: images, resources, HPA bounds, replicas (below the HPA's minimum, or ≠ without one). */
  readonly differences: readonly ShapeDifference[];
  /** Whether the prepared shape was submitted again (the next check shows whether it held). */
  readonly reapplied: boolean;
  /** Why it could not be read or re-applied. */
  readonly error?: string;
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
  /** Workers the fleet was scaled back to (absent when the conductor does not size it or never scaled it). */
  readonly workers?: number;
  readonly message: string;
}

/** The Locust worker fleet brought back to its size before the run (Stop load, the janitor). */
export interface FleetRestore {
  /** The fleet, e.g. `deployment load/locust-worker`. */
  readonly fleet: string;
  /** Workers asked for when the restore came. */
  readonly from: number;
  /** The size recorded before the run, asked for again (unless it already was). */
  readonly to: number;
}

export interface TeardownResult {
  readonly restored: readonly AppChange[];
  /** Node groups restored after the applications. */
  readonly nodeGroups?: readonly NodeGroupChange[];
}

export interface CleanupResult {
  readonly actions: readonly { readonly name: string; readonly result: string }[];
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
