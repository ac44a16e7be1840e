/**
 * A Kalman filter on θ = [a, k] of `U/X = a + k·U` (model.ts). Each interval measures y = E/N (user-minutes
 * per order) at Ū = E/minutes users: y ≈ a + k·Ū, a linear measurement. Its variance is Poisson counting of N
 * (y²/N, times the overdispersion the filter learns from the successive differences of its normalised innovations) plus the 3-s
 * quantisation of the workers' reports: kept for settled counts, which have none, where it stands for the
 * line's own error away from the users it was measured at (docs/ramp-controller.md). Process noise lets `a`
 * drift (the conversion wanders) and `k` bend (the straight line is a local one); a change is taken in by
 * inflating the variance of the parameter that explains it, never by restarting.
 */
import type { Estimate, Sample } from './types';

/** Relative drift of the cycle per order `a`, per √minute (the conversion wanders). */
export const A_DRIFT = 0.01;
/**
 * Bend of the slope k, relative to a/Ū, per unit of ln(users) moved: the cycle's curve is only locally a line,
 * so its slope may change as far as users move (not with time: on the plateau it stays).
 */
export const K_BEND = 0.5;
/**
 * Normalised innovation beyond which an interval that is not a surprise is read as a change of conversion
 * (into `a`) rather than as counting noise shared between `a` and the slope.
 */
export const CHANGE_Z = 2.5;
/** Normalised innovation beyond which an interval is a surprise (a change, not noise). */
export const SURPRISE_Z = 4;
/** Worker report interval of Locust (s): the quantisation of the master's counters. */
const REPORT_SECONDS = 3;

/** Before any measurement: the configured orders per user (±50 %), and k = 0 ± 1/target. */
export function priorEstimate(ordersPerUserPerMinute: number, target: number, at: number): Estimate {
  const a = 1 / ordersPerUserPerMinute;
  const slopePriorVariance = (1 / target) ** 2;
  return {
    a,
    k: 0,
    P: [(0.5 * a) ** 2, 0, slopePriorVariance],
    slopePriorVariance,
    dispersion: 1,
    at,
    users: 0,
  };
}

export interface Innovation {
  readonly y: number;
  readonly users: number;
  /** y minus its prediction. */
  readonly nu: number;
  /** Variance of `nu` (parameters and counting). */
  readonly S: number;
  readonly z: number;
}

/**
 * Turns the line around the users it was last measured at so that its elasticity there is the one measured
 * (a refuted knee: orders followed users), with the slope's uncertainty of a bend: what it predicts there stays.
 */
export function reanchor(e: Estimate, measuredElasticity: number): Estimate {
  const U = e.users;
  const y = e.a + e.k * U;
  const share = Math.min(1, Math.max(0, measuredElasticity));
  const variance = ((K_BEND * e.a) / Math.max(1, U)) ** 2;
  const [paa, pak, pkk] = e.P;
  return {
    ...e,
    a: share * y,
    k: ((1 - share) * y) / Math.max(1, U),
    P: [paa + variance * U * U, pak - variance * U, pkk + variance],
  };
}

/** The estimate carried to the sample's time (process noise for the minutes since the last update). */
function advance(e: Estimate, s: Sample): Estimate {
  const minutes = Math.max(0, (s.at - e.at) / 60_000);
  const users = s.userMinutes / s.minutes;
  // The bend turns the line around the users it was last measured at (Ū₀): Δθ = Δk·[−Ū₀, 1], so what it
  // predicts there stays, and only the extrapolation away from it grows uncertain.
  const pivot = e.users;
  const [paa, pak, pkk] = conversionNoise(e, A_DRIFT ** 2 * minutes);
  // A bend forgets what was learnt of the slope, never more than was known before any measurement (at a few
  // users a/Ū is far above any slope the target's range allows).
  const forgotten = pivot > 0 ? ((K_BEND * e.a * Math.log(users / pivot)) / users) ** 2 : 0;
  const bend = Math.min(forgotten, Math.max(0, (e.slopePriorVariance ?? Number.POSITIVE_INFINITY) - pkk));
  return { ...e, P: [paa + bend * pivot * pivot, pak - bend * pivot, pkk + bend] };
}

/**
 * The conversion scales the whole cycle per order (cycles per journey ÷ orders per journey), so a change of it
 * moves θ along itself, Δθ = ε·[a, k]: `variance` is that of the relative change ε.
 */
function conversionNoise(e: Estimate, variance: number): Estimate['P'] {
  const [paa, pak, pkk] = e.P;
  return [paa + variance * e.a * e.a, pak + variance * e.a * e.k, pkk + variance * e.k * e.k];
}

function counting(e: Estimate, s: Sample, predicted: number): number {
  const q = REPORT_SECONDS / (s.minutes * 60);
  return e.dispersion * (predicted ** 3 / s.userMinutes + (predicted * q) ** 2 / 6);
}

/** How the sample compares with the estimate's prediction. */
export function innovation(estimate: Estimate, s: Sample): Innovation {
  const e = advance(estimate, s);
  const users = s.userMinutes / s.minutes;
  const y = s.userMinutes / s.orders;
  const predicted = Math.max(1e-9, e.a + e.k * users);
  const [paa, pak, pkk] = e.P;
  const S = paa + 2 * pak * users + pkk * users * users + counting(e, s, predicted);
  const nu = y - predicted;
  return { y, users, nu, S, z: nu / Math.sqrt(S) };
}

/**
 * Takes the sample in; `change` 'conversion' says the conversion moved: the innovation is put within the
 * uncertainty of θ's scale.
 */
export function update(estimate: Estimate, s: Sample, change: 'conversion' | null = null): Estimate {
  const e = advance(estimate, s);
  const { users, nu } = innovation(estimate, s);
  const predicted = Math.max(1e-9, e.a + e.k * users);
  const [paa, pak, pkk] = change === 'conversion' ? conversionNoise(e, (nu / predicted) ** 2) : e.P;
  const R = counting(e, s, predicted);
  const ha = paa + pak * users;
  const hk = pak + pkk * users;
  const S = ha + hk * users + R;
  const ka = ha / S;
  const kk = hk / S;
  // The overdispersion from the normalised innovations (at unit dispersion), by their mean square successive
  // difference: a curve the line cannot follow drifts them one way and cancels in the difference; noise does not.
  // An innovation beyond CHANGE_Z may be a change of conversion: it says nothing of the counts' noise, and breaks
  // the sequence.
  const z = nu / Math.sqrt(ha + hk * users + R / e.dispersion);
  const noise = !change && z ** 2 <= CHANGE_Z ** 2 * e.dispersion;
  const spread = e.lastZ != null ? (z - e.lastZ) ** 2 / 2 : z ** 2;
  const dispersion = noise ? Math.min(25, Math.max(1, 0.8 * e.dispersion + 0.2 * spread)) : e.dispersion;
  const P: Estimate['P'] = [paa - ka * ka * S, pak - ka * kk * S, pkk - kk * kk * S];
  const θ = physical(e.a + ka * nu, e.k + kk * nu, P);
  return { ...e, ...θ, P, dispersion, at: s.at, users, lastZ: noise ? z : null };
}

/**
 * A closed system's cycle per order never shrinks as users are added (a response time does not fall with the
 * load): an estimate with k < 0 is projected onto k = 0 along the covariance, which moves `a` by what the
 * correlation says the slope was standing in for.
 */
function physical(a: number, k: number, P: Estimate['P']): { a: number; k: number } {
  if (k >= 0) return { a: Math.max(1e-6, a), k };
  return { a: Math.max(1e-6, a - (P[1] / Math.max(1e-30, P[2])) * k), k: 0 };
}
