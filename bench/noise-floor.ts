/**
 * The arithmetic behind a goal a simulated system cannot meet on every seed, whatever the controller: how noisy
 * one tick's order count is, and — for a system whose conversion drifts — how often an ideal controller would
 * meet each goal. The ideal controller knows everything about the system except the drift (and, in its second
 * form, the mean conversion) and estimates them from the same tick counts with the optimal (Kalman) filter for
 * the simulation's own AR(1) drift and counting noise; no controller that only sees the counts can do better on
 * average. (It sets users exactly, so the shares it reaches are upper bounds.)
 */
import type { Scenario } from './ramp-bench';
import { DT, rng, type SystemSpec } from './sim';

/** Variance of one tick's order count relative to Poisson: orders in clumps of `1 + Poisson(clump − 1)`. */
export function countDispersion(spec: SystemSpec): number {
  const clump = spec.clump ?? 1;
  // E[X²] / E[X] with E[X] = clump and Var X = clump − 1.
  return (clump - 1 + clump * clump) / clump;
}

/**
 * Relative standard deviation of one tick's count of `orders` orders: the counting noise alone. The workers'
 * reports add nothing on the simulation's whole-minute ticks (each worker reports at a fixed phase, so both
 * readings of a tick lag by the same seconds); leaving them out also makes the ideal controller's figures
 * an upper bound.
 */
export function tickNoise(spec: SystemSpec, orders: number): number {
  return Math.sqrt(countDispersion(spec) / orders);
}

/** P(|X| > limit) for X normal with mean 0 and standard deviation `sd` (Abramowitz–Stegun 7.1.26 for erf). */
export function outsideShare(limit: number, sd: number): number {
  const x = limit / (sd * Math.SQRT2);
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    t *
      (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
      Math.exp(-x * x);
  return 1 - erf;
}

export interface IdealShares {
  /** Share of runs within ±3 % of the plan at the end of the ramp-up. */
  readonly endOfRamp: number;
  /** Share of runs with an overshoot ≤ 5 %. */
  readonly overshoot: number;
  /** Share of runs with a plateau mean absolute error ≤ 2 %. */
  readonly plateau: number;
}

/**
 * How often the ideal controller meets each goal on a drifting system (null without drift).
 *
 * `knowsConversion: true` is the upper bound: the mean conversion is known and only the drift around it is
 * estimated. `false` is the bound a controller that learns the conversion from the counts can aim at: it also
 * knows that orders are proportional to users (the shape), but starts from the configured guess of orders per
 * user (±50 %, as the controller does) and estimates the constant level beside the drift — a two-state
 * Kalman filter (level, drift) on the same counts.
 */
export function idealShares(
  spec: SystemSpec,
  scenario: Scenario,
  { runs = 2000, knowsConversion = true }: { runs?: number; knowsConversion?: boolean } = {},
): IdealShares | null {
  if (!spec.drift) return null;
  const random = rng(4242);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
  const { tickSeconds: T, rampUpSeconds, plateauSeconds, targetOrdersPerMinute: target } = scenario;
  const correlation = spec.driftSeconds ?? 300;
  const step = Math.exp(-DT / correlation);
  const perTick = Math.exp(-T / correlation);
  const drift = spec.drift;
  const driftVariance = drift * drift;
  const levelVariance = knowsConversion ? 0 : 0.25;
  const ticks = Math.round((rampUpSeconds + plateauSeconds) / T);
  const stepsPerTick = Math.round(T / DT);
  const plan = (t: number) => (target * Math.min(t, rampUpSeconds)) / rampUpSeconds;
  let end = 0;
  let overshoot = 0;
  let plateau = 0;
  for (let run = 0; run < runs; run++) {
    const level = Math.sqrt(levelVariance) * normal();
    let d = 1 + drift * normal();
    // The filter's estimate of (ln level, ln drift) at the last reading, and its covariance.
    let mean = [0, 0];
    let cov = [
      [levelVariance, 0],
      [0, driftVariance],
    ];
    const delivered: number[] = [];
    const tickErrors: number[] = [];
    for (let k = 0; k < ticks; k++) {
      // Predict: the level stays, the drift decays towards 0 and gains variance.
      mean = [mean[0] as number, perTick * (mean[1] as number)];
      const [[pll, pld], [, pdd]] = cov as [[number, number], [number, number]];
      cov = [
        [pll, perTick * pld],
        [perTick * pld, perTick * perTick * pdd + driftVariance * (1 - perTick * perTick)],
      ];
      const predicted = Math.exp((mean[0] as number) + (mean[1] as number));
      let sum = 0;
      for (let i = 0; i < stepsPerTick; i++) {
        d = 1 + step * (d - 1) + drift * Math.sqrt(1 - step * step) * normal();
        sum += d;
        // The users were chosen to deliver the plan at the predicted level and drift.
        delivered.push((plan((k * stepsPerTick + i + 0.5) * DT) * Math.exp(level) * d) / predicted);
      }
      const tickMean = (sum / stepsPerTick) * Math.exp(level);
      tickErrors.push(tickMean / predicted - 1);
      // Update with the tick's count: ln(observed) = level + drift + noise.
      const orders = (plan((k + 0.5) * T) * T) / 60;
      const noise = tickNoise(spec, Math.max(1, orders)) ** 2;
      const observed = Math.log(tickMean) + Math.sqrt(noise) * normal();
      const [[cll, cld], [, cdd]] = cov as [[number, number], [number, number]];
      const innovationVariance = cll + 2 * cld + cdd + noise;
      const gain = [(cll + cld) / innovationVariance, (cld + cdd) / innovationVariance];
      const innovation = observed - (mean[0] as number) - (mean[1] as number);
      mean = [
        (mean[0] as number) + (gain[0] as number) * innovation,
        (mean[1] as number) + (gain[1] as number) * innovation,
      ];
      const [g0, g1] = gain as [number, number];
      cov = [
        [cll - g0 * (cll + cld), cld - g0 * (cld + cdd)],
        [cld - g0 * (cld + cdd), cdd - g1 * (cld + cdd)],
      ];
    }
    const rateOver = (from: number, to: number) => {
      const a = Math.round(from / DT);
      const b = Math.round(to / DT);
      return delivered.slice(a, b).reduce((s, x) => s + x, 0) / (b - a);
    };
    const planOver = (from: number, to: number) => (plan(from) + plan(to)) / 2;
    const endError =
      rateOver(rampUpSeconds - 15, rampUpSeconds + 15) / planOver(rampUpSeconds - 15, rampUpSeconds + 15) - 1;
    let highest = 0;
    for (let t = 30; t <= ticks * T; t += 5) highest = Math.max(highest, rateOver(t - 30, t) / target - 1);
    const plateauErrors = tickErrors.slice(Math.round(rampUpSeconds / T));
    const mae = plateauErrors.reduce((s, e) => s + Math.abs(e), 0) / Math.max(1, plateauErrors.length);
    if (Math.abs(endError) <= 0.03) end++;
    if (highest <= 0.05) overshoot++;
    if (mae <= 0.02) plateau++;
  }
  return { endOfRamp: end / runs, overshoot: overshoot / runs, plateau: plateau / runs };
}
