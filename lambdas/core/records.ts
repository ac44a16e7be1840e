/**
 * What the runs table keeps of a run for its report and its janitor (lambdas/adapters/aws/run-store.ts stores
 * them): the ticks, the SLO watch's part of a tick, the phases and the janitor's records.
 */
import type { HistogramBase } from './histogram';
import type { TickHistograms } from './latency-window';
import type { DriftEvent } from './plan';
import type { Saturation as RampSaturation } from './ramp-controller';
import type { FleetRestore } from './restore';
import type { RequestFigures, SloStatus } from './slo';

/**
 * How long a run's records are kept (recorded shapes and fleet size, run meta, ticks, phases): for the report
 * and a late restore.
 */
export const RECORD_DAYS = 30;

/** When the records a step writes at `now` expire. */
export function recordsExpireAt(now: Date): Date {
  return new Date(now.getTime() + RECORD_DAYS * 86_400_000);
}

/** One tick as kept for the report: what was measured and what was decided. */
export interface TickRecord {
  readonly tick: number;
  readonly at: string;
  readonly phase: string;
  readonly targetNow: number;
  readonly ordersPerMinute: number | null;
  readonly users: number;
  readonly workers: number;
  readonly failureRatio: number;
  readonly message: string;
  // What the ramp controller decided (lambdas/core/ramp-controller.ts), written by the ramp tick:
  /** Users per second Locust was told to spawn (or stop) at. */
  readonly spawnRate?: number;
  /** Locust workers asked of the fleet at this tick; null when the conductor does not size the fleet. */
  readonly workersRequested?: number | null;
  /** Orders per minute the controller expects the chosen users to deliver at the end of the coming tick. */
  readonly expectedOrdersPerMinute?: number;
  /** The controller's estimate of one user's order rate, and how it falls with load (1 = linear). */
  readonly ordersPerUserPerMinute?: number | null;
  readonly elasticity?: number;
  /** Set once the target is found unreachable: the rate the system saturated at, and the users held. */
  readonly saturation?: RampSaturation | null;
  /** What limited or explained the decision (caps, stalls, skipped readings). */
  readonly notes?: readonly string[];
  /** The drift guard's findings at this tick (re-applied shapes), for the report. */
  readonly drift?: readonly DriftEvent[];
  // Added by the SLO watch (use-cases/watch.ts), stored as `WATCH#<n>` and merged in by `ticks()`:
  /** Requests per second over the tick's interval. */
  readonly rps?: number | null;
  /** Per request name (`Aggregated` included), the figures of the tick's own responses (its histogram interval). */
  readonly requests?: readonly RequestFigures[];
  /** Each SLO's state at this tick. */
  readonly slo?: readonly TickSloState[];
  /** What the watch said (breaches, abort). */
  readonly watchMessage?: string | null;
}

/** One SLO at one tick, as the report charts it. */
export interface TickSloState {
  readonly id: string;
  readonly label: string;
  readonly status: SloStatus;
  readonly observed: number | null;
}

/** What the janitor did for an execution that ended ABORTED, TIMED_OUT or FAILED (lambdas/handlers/janitor.ts). */
export interface JanitorRecord {
  readonly at: string;
  /** The execution's final status and, when Step Functions gave them, its error and cause. */
  readonly reason: string;
  /** Who held the environment's lock when the janitor came: this execution, nobody, or another run. */
  readonly lock: 'held' | 'free' | 'other';
  readonly loadStopped: boolean;
  readonly restored: readonly { readonly application: string; readonly changed: boolean }[];
  /** The Locust worker fleet brought back to (or found at) its size before the run; null: the run never scaled it. */
  readonly fleet?: FleetRestore | null;
  readonly lockReleased: boolean;
  readonly message: string;
}

/**
 * A tick's response-time histograms (`HIST#<n>`, use-cases/watch.ts): the interval's, for exact percentiles of
 * any window, and the reading the next tick subtracts from.
 */
export interface TickHistogramRecord extends TickHistograms {
  readonly base: HistogramBase;
  /** Why there is no interval, when there is none. */
  readonly note: string | null;
}

/** What the watch adds to a tick. */
export type TickWatchRecord = Pick<TickRecord, 'tick' | 'at'> &
  Required<Pick<TickRecord, 'rps' | 'requests' | 'slo' | 'watchMessage'>>;

/**
 * A step of the state machine as it ran: for the report's phase timeline and the run's cost in AWS
 * (locally the executor's events give the same).
 */
export interface PhaseRecord {
  /** The state's name, e.g. `Evaluate`, or a phase such as `Load`. */
  readonly name: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly outcome: 'succeeded' | 'failed';
  /** Milliseconds of Lambda time this phase billed (its invocations), when known. */
  readonly lambdaMs?: number;
  readonly detail?: string;
}
