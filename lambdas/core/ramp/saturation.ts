/**
 * Saturation as a state machine: ramping → suspected → saturated → probing → (saturated | ramping).
 *
 * - ramping → suspected: the model says the plan is out of reach — the capacity's upper confidence bound
 *   1/(k − 2σ_k) is below the rate the next users are aimed at, or the plan needs users beyond the model's
 *   useful range or beyond those whose orders were just refused (a quota: failures beyond their
 *   background) — or the load generators are at their CPU limit with no worker left to add. Suspected, users
 *   grow by a probe's step each tick, unless the last interval delivered the aim (nothing to test: held).
 * - suspected → saturated: two comparisons (intervals in a row, users growing) showing orders flat below the rate
 *   the plan aims at (flat at it, the plan is reached at the knee): elasticity below 1/2, with a standard error
 *   that tells it from 1 — and, where every user orders, the requests too: a
 *   knee slows the users' cycle, a change of conversion (a drop split over two intervals reads as two flat
 *   comparisons of orders) does not. One that neither shows that nor refutes tells nothing and keeps the
 *   strikes; a tick without a comparison (an interval held back as a possible change of conversion) breaks the
 *   row: one odd interval (a pause) makes at most one comparison flat. Orders clearly following the users (above
 *   1/2 by a standard error) end the suspicion.
 *   Orders refused on the next interval too, at least as often, or failures past their limit (users held
 *   meanwhile: more would only add refusals) confirm, and so do generators still at their limit.
 * - saturated: users are held at the knee (the fewest that reached 97 % of the best rate); every PROBE_TICKS
 *   ticks a probe adds PROBE_STEP users; orders following it clear the saturation.
 */
import { percent } from '../numbers';
import { CHANGE_Z } from './estimator';
import { CAPACITY_Z, capacityUpperBound, MIN_ELASTICITY } from './model';
import type { Estimate, Recent, Sample, Saturation, SaturationPhase } from './types';

/** Ticks between two saturation probes. */
export const PROBE_TICKS = 4;
/** Users a probe adds (fraction). */
export const PROBE_STEP = 0.15;
/** Worker CPU (%) from which the load generators, not the system, are the limit. */
export const GENERATORS_CPU_PERCENT = 90;
/** Flat comparisons in a row that confirm a saturation. */
const STRIKES = 2;

export interface SaturationInput {
  readonly tick: number;
  readonly phase: SaturationPhase;
  readonly since: number;
  readonly strikes: number;
  readonly saturation: Saturation | null;
  readonly estimate: Estimate;
  /** Intervals, oldest first; the newest is this tick's, when `measured`. */
  readonly recent: readonly Recent[];
  readonly measured: boolean;
  /** Orders per minute the next users are aimed at. */
  readonly aim: number;
  readonly failureLimit: number;
  /** The plan needs users beyond the model's useful range or beyond those whose orders were refused. */
  readonly suspicious: boolean;
  /** Orders were refused in this tick's interval (past a quota). */
  readonly refused: boolean;
  /** The generators are at their CPU limit and no worker can be added. */
  readonly generatorsAtLimit: boolean;
  /** The requests are the ordering users' pace (ControllerConfig.everyUserOrders). */
  readonly everyUserOrders: boolean;
}

export interface SaturationOutput {
  readonly phase: SaturationPhase;
  readonly since: number;
  readonly strikes: number;
  readonly saturation: Saturation | null;
  readonly note: string | null;
  /** Elasticity measured when orders following users refuted the knee (null otherwise). */
  readonly refuted: number | null;
}

export function nextSaturation(i: SaturationInput): SaturationOutput {
  const stay = {
    phase: i.phase,
    since: i.since,
    strikes: i.strikes,
    saturation: i.saturation,
    note: null,
    refuted: null,
  };
  if (!i.measured) return stay;
  const [before, now] = i.recent.slice(-2) as [Recent | undefined, Recent | undefined];
  // Only intervals of one conversion are compared: none held back as a possible straddle of a change.
  const step =
    before?.clean && now?.clean ? compare(before, now, i.estimate.dispersion, i.everyUserOrders) : null;
  // Orders flat at the rate the plan asks for are a knee the plan is reached at, not one it is out of reach at.
  const flatBelowPlan = step?.flat === true && now != null && now.orders / now.minutes < i.aim;
  const bound = capacityUpperBound(i.estimate, CAPACITY_Z);
  const saturated = (reason: Saturation['reason'], evidence: string): SaturationOutput => ({
    phase: 'saturated',
    since: i.tick,
    strikes: 0,
    saturation: {
      ...kneeOf(i.recent),
      reason,
      limitedBy: reason === 'generators-busy' ? 'load-generators' : 'system',
      evidence,
      sinceTick: i.tick,
    },
    note: null,
    refuted: null,
  });
  switch (i.phase) {
    case 'ramping': {
      const why = i.generatorsAtLimit
        ? 'load generators at their CPU limit'
        : bound < i.aim
          ? `capacity ≤ ${Math.round(bound)} orders/min (${CAPACITY_Z} σ), aimed at ${Math.round(i.aim)}`
          : i.suspicious
            ? i.refused
              ? `orders refused (failures ${percent(now?.failureRatio ?? 0)})`
              : 'the plan needs users beyond the useful range'
            : null;
      // Two clean intervals already showing orders flat count as the first strike.
      const strikes = flatBelowPlan ? 1 : 0;
      return why
        ? { ...stay, phase: 'suspected', since: i.tick, strikes, note: `saturation suspected: ${why}` }
        : stay;
    }
    case 'suspected': {
      if (i.generatorsAtLimit) return saturated('generators-busy', 'load generators at their CPU limit');
      // Orders refused on the next interval too, at least as often (users held: more would only add
      // refusals; the tail of an outage fades), or failures past their limit: a limit, not a blip.
      const refusalsPersist = i.refused && now != null && now.failureRatio >= (before?.failureRatio ?? 0);
      if (now != null && (refusalsPersist || now.failureRatio >= i.failureLimit))
        return saturated(
          'failures-climb',
          `failures ${percent(before?.failureRatio ?? 0)} → ${percent(now?.failureRatio ?? 0)}`,
        );
      // Strikes are comparisons in a row: an interval held back breaks the row; users held (the plan delivered)
      // only pause it.
      if (!step) return { ...stay, strikes: now?.clean ? i.strikes : 0 };
      if (flatBelowPlan) {
        const strikes = i.strikes + 1;
        return strikes >= STRIKES ? saturated('orders-flat', step.evidence) : { ...stay, strikes };
      }
      // Orders flat at the plan's rate tell nothing; below ½ they cannot refute either.
      return step.elasticity - step.se >= MIN_ELASTICITY
        ? {
            ...stay,
            phase: 'ramping',
            since: i.tick,
            strikes: 0,
            note: `saturation refuted: ${step.evidence}`,
            refuted: step.elasticity,
          }
        : stay;
    }
    case 'saturated':
      return stay;
    case 'probing':
      return step && step.elasticity - step.se >= MIN_ELASTICITY
        ? {
            ...stay,
            phase: 'ramping',
            since: i.tick,
            saturation: null,
            note: `saturation cleared: orders grew with the probe (${step.evidence})`,
            refuted: step.elasticity,
          }
        : { ...stay, phase: 'saturated', since: i.tick };
  }
}

/** Users of a probe: one step above those held or set. */
export function probeUsers(users: number): number {
  return Math.ceil(users * (1 + PROBE_STEP)) + 1;
}

/** Whether a saturated tick probes now. */
export function probeDue(phase: SaturationPhase, since: number, tick: number): boolean {
  return phase === 'saturated' && tick > since && (tick - since) % PROBE_TICKS === 0;
}

/**
 * Whether `now`'s rate did not fall below `before`'s beyond `CHANGE_Z` σ of their counting noise: orders held while
 * users grew, as a saturation predicts — a change of conversion of a surprise's size makes them fall.
 */
export function ordersHeld(before: Recent | undefined, now: Sample, dispersion: number): boolean {
  if (!before || before.orders <= 0 || now.orders <= 0) return false;
  const fall = Math.log(before.orders / before.minutes / (now.orders / now.minutes));
  return fall <= CHANGE_Z * Math.sqrt(dispersion * (1 / before.orders + 1 / now.orders));
}

/** Elasticity of orders to users from one interval to the next, with its standard error; null if users did not grow. */
function compare(
  a: Recent,
  b: Recent,
  dispersion: number,
  everyUserOrders: boolean,
): { elasticity: number; se: number; flat: boolean; evidence: string } | null {
  const growth = b.users / a.users;
  if (!(growth >= 1 + PROBE_STEP / 2) || a.orders <= 0 || b.orders <= 0) return null;
  const ratio = b.orders / b.minutes / (a.orders / a.minutes);
  const elasticity = Math.log(ratio) / Math.log(growth);
  const se = Math.sqrt(dispersion * (1 / a.orders + 1 / b.orders)) / Math.log(growth);
  const pace =
    everyUserOrders && a.requests && b.requests ? b.requests / b.minutes / (a.requests / a.minutes) : null;
  const requests = pace != null ? `, requests ${percent(pace - 1, 0, true)}` : '';
  const evidence = `users +${percent(growth - 1, 0)}, orders ${percent(ratio - 1, 0, true)}${requests}`;
  // Flat: below 1/2, by a comparison precise enough to tell that from following (1); a noisier one tells nothing.
  // Orders that did not follow users are a knee or a change of conversion. A knee slows every user's cycle, so the
  // requests flatten with the orders; a change of conversion leaves the users' pace, and the requests follow.
  const paceFlat = pace == null || Math.log(pace) / Math.log(growth) < MIN_ELASTICITY;
  return {
    elasticity,
    se,
    flat: elasticity < MIN_ELASTICITY && se <= 1 - MIN_ELASTICITY && paceFlat,
    evidence,
  };
}

/** The knee: the highest recent rate, and the fewest users that reached 97 % of it. */
function kneeOf(recent: readonly Recent[]): { ordersPerMinute: number; users: number } {
  const rates = recent.map((r) => ({ users: r.users, rate: r.orders / r.minutes }));
  const rate = Math.max(...rates.map((r) => r.rate));
  const users = Math.min(...rates.filter((r) => r.rate >= 0.97 * rate).map((r) => r.users));
  return { ordersPerMinute: rate, users: Math.max(1, Math.ceil(users)) };
}
