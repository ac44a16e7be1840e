/**
 * The plant: by Little's law a closed system of U users that each take a cycle of C minutes per order delivers
 * X = U / C orders per minute. The cycle per order is modelled as growing linearly with the load,
 *
 *     U / X = a + k·U
 *
 * `a` is the cycle at no load (1 / orders per user and minute; it moves with the conversion), `k` how much
 * each user adds to it (queueing). k = 0 is a linear system; k > 0 bends X towards its capacity 1/k, which a
 * capacity-bound system reaches (past its knee U/X = U/capacity: a ≈ 0, k = 1/capacity). The model is linear
 * in (a, k), so a Kalman filter estimates both with their uncertainty (estimator.ts).
 *
 * A quota (a payment provider's, a rate limit) is a capacity on successful orders that the line cannot bend to:
 * the users' cycle runs on, orders beyond it are refused at once, and they show as failures. So refused orders
 * are measured, not extrapolated: the users that made them are beyond the quota (`refusedOrders`).
 */
import { SURPRISE_Z } from './estimator';
import type { Estimate, Recent } from './types';

type Theta = Pick<Estimate, 'a' | 'k'>;

/**
 * The cycle per order at `users`. A k below 0 (orders per user growing with the load) is kept as the local
 * line it is, but the cycle never falls below half of `a`.
 */
function cycle(θ: Theta, users: number): number {
  return Math.max(θ.a / 2, θ.a + θ.k * users);
}

/** Orders per minute `users` deliver. */
export function ordersPerMinute(θ: Theta, users: number): number {
  return users > 0 ? users / cycle(θ, users) : 0;
}

/** Users that deliver `rate` orders per minute; infinite when the model's capacity is below the rate. */
export function usersFor(θ: Theta, rate: number): number {
  if (θ.k * rate >= 1) return Number.POSITIVE_INFINITY;
  return Math.max((θ.a * rate) / (1 - θ.k * rate), (θ.a * rate) / 2);
}

/** d ln X / d ln U at `users`: 1 on a linear system, towards 0 at capacity. */
export function elasticity(θ: Theta, users: number): number {
  return θ.a / (θ.a + Math.max(0, θ.k) * users);
}

/** Users beyond which the elasticity falls below `floor`: more users there mostly add latency. */
export function usersAtElasticity(θ: Theta, floor: number): number {
  const k = Math.max(0, θ.k);
  return k > 0 ? (θ.a * (1 - floor)) / (floor * k) : Number.POSITIVE_INFINITY;
}

/**
 * Elasticity d ln X / d ln U below which orders do not follow users: most of what an added user would order is
 * lost to the queue. The model is followed down to it (beyond, its inverse swings with small errors of k: asking
 * for more is a suspicion of saturation), and a comparison below it is a strike.
 */
export const MIN_ELASTICITY = 0.5;

/** Confidence (standard deviations of k) of what the data allow the system to deliver at most. */
export const CAPACITY_Z = 2;

/** The line with the slope `z` standard deviations lower (not below 0): the most the data allow the system to deliver. */
export function optimistic(e: Estimate, z: number): Estimate {
  return { ...e, k: Math.max(0, e.k - z * Math.sqrt(Math.max(0, e.P[2]))) };
}

/** The capacity's upper confidence bound 1/(k − z·σ_k): infinite while k is not significantly above 0. */
export function capacityUpperBound(e: Estimate, z: number): number {
  const { k } = optimistic(e, z);
  return k > 0 ? 1 / k : Number.POSITIVE_INFINITY;
}

/** Failures and requests pooled. */
export interface FailureCounts {
  readonly failures: number;
  readonly requests: number;
}

/**
 * The failures a system has without refusing orders: those of the recent intervals without refusals, pooled (if
 * every recent one refused, the quota is still there: none). Null when there is nothing to compare with: no
 * interval yet, or only some from a state written before intervals carried their requests.
 */
export function failureBackground(recent: readonly Recent[]): FailureCounts | null {
  const counted = recent.filter((r) => r.requests != null);
  if (counted.length === 0) return null;
  const unrefused = counted.filter((r) => !r.refused);
  return {
    failures: unrefused.reduce((sum, r) => sum + r.failureRatio * (r.requests ?? 0), 0),
    requests: unrefused.reduce((sum, r) => sum + (r.requests ?? 0), 0),
  };
}

/**
 * Orders refused in an interval: its failures beyond the background rate of the recent intervals without
 * refusals (`background`, pooled), when beyond noise as an interval beyond `SURPRISE_Z` σ is (a change, not
 * noise: a system with background errors must not read as refusing); else 0.
 */
export function refusedOrders(failures: number, requests: number, background: FailureCounts): number {
  const ratio = background.requests > 0 ? background.failures / background.requests : 0;
  const excess = failures - ratio * requests;
  // Poisson noise of the excess if nothing was refused: both counts at one rate, the pooled one (each count's
  // own would call a background that came out low by chance precise, and its next interval a refusal).
  const pooled = (background.failures + failures) / (background.requests + requests);
  const variance = background.requests > 0 ? pooled * requests * (1 + requests / background.requests) : 0;
  return excess > SURPRISE_Z * Math.sqrt(Math.max(1, variance)) ? excess : 0;
}
