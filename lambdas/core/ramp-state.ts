/**
 * The ramp's state, carried from tick to tick in the execution state, and the pure rules a tick applies to it
 * besides the controller's decision: the plateau's totals, when the worker fleet shrinks, users Locust ignores.
 */
import type { CapacityState } from './capacity/search';
import type { DownStreak } from './dead-system';
import type { DriftEvent } from './plan';
import type {
  ControllerState,
  ControllerStateV2,
  Decision,
  Observation,
  Saturation,
} from './ramp-controller';
import type { RunAbort, SloWatchState } from './slo';

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

/** Running totals over the plateau, from which the verdict is computed. */
export interface PlateauTotals {
  readonly ticks: number;
  readonly orders: number;
  readonly minutes: number;
  readonly requests: number;
  readonly failures: number;
}

/** Before the first tick on the plateau. */
export const NO_PLATEAU: PlateauTotals = { ticks: 0, orders: 0, minutes: 0, requests: 0, failures: 0 };

/**
 * Whether the interval a tick just measured counts for the plateau: it began (at the controller's last
 * reading, else now) after the ramp-up, and it lasted (an interval not comparable has zero minutes).
 */
export function intervalInPlateau(
  previous: Pick<RampState, 'startedAt' | 'controller'>,
  now: Date,
  rampUpSeconds: number,
  interval: Decision['delta'],
): boolean {
  const start = (previous.controller.last?.at ?? now.getTime()) - Date.parse(previous.startedAt);
  return start >= rampUpSeconds * 1000 && interval.minutes > 0;
}

/** The plateau's totals with one more interval. */
export function addToPlateau(totals: PlateauTotals, interval: Decision['delta']): PlateauTotals {
  return {
    ticks: totals.ticks + 1,
    orders: totals.orders + interval.orders,
    minutes: totals.minutes + interval.minutes,
    requests: totals.requests + interval.requests,
    failures: totals.failures + interval.failures,
  };
}

/**
 * Says when Locust runs other users than the last tick asked for (beyond 10 %, at least 3): a master that lost a
 * worker from its user dispatch keeps that worker's users running and counted, and no later command reaches them.
 * The controller integrates the users it commanded, so it would read their orders as a higher rate per user.
 */
export function unfollowedUsers(
  previous: Pick<RampState, 'users' | 'done'>,
  observation: Observation,
): string | null {
  if (!observation.running || previous.done) return null;
  const asked = previous.users;
  if (Math.abs(observation.users - asked) < Math.max(3, 0.1 * asked)) return null;
  return `Locust runs ${observation.users} users where ${asked} were asked`;
}
