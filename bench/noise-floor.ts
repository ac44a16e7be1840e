/**
 * The arithmetic behind a goal a simulated system cannot meet on every seed, whatever the controller: how noisy
 * one tick's order count is, and — for a system whose conversion drifts — how often an ideal controller would
 * meet each goal. The ideal controller knows everything about the system except the drift and estimates that
 * from the same tick counts with the optimal (Kalman) filter for the simulation's own AR(1) drift and counting
 * noise; no controller that only sees the counts can do better on average. (It sets users exactly, so the
 * shares it reaches are upper bounds.)
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

/** How often the ideal controller meets each goal on a drifting system (null without drift). */
export function idealShares(spec: SystemSpec, scenario: Scenario, runs = 2000): IdealShares | null {
  if (!spec.drift) return null;
  const random = rng(4242);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
  const { tickSeconds: T, rampUpSeconds, plateauSeconds, targetOrdersPerMinute: target } = scenario;
  const correlation = spec.driftSeconds ?? 300;
  const step = Math.exp(-DT / correlation);
  const perTick = Math.exp(-T / correlation);
  const drift = spec.drift;
  const ticks = Math.round((rampUpSeconds + plateauSeconds) / T);
  const stepsPerTick = Math.round(T / DT);
  const plan = (t: number) => (target * Math.min(t, rampUpSeconds)) / rampUpSeconds;
  let end = 0;
  let overshoot = 0;
  let plateau = 0;
  for (let run = 0; run < runs; run++) {
    let d = 1 + drift * normal();
    // The filter's estimate of ln(drift) at the last reading and its variance.
    let estimate = 0;
    let variance = drift * drift;
    const delivered: number[] = [];
    const tickErrors: number[] = [];
    for (let k = 0; k < ticks; k++) {
      const predicted = Math.exp(perTick * estimate);
      let sum = 0;
      for (let i = 0; i < stepsPerTick; i++) {
        d = 1 + step * (d - 1) + drift * Math.sqrt(1 - step * step) * normal();
        sum += d;
        // The users were chosen to deliver the plan at the predicted drift.
        delivered.push((plan((k * stepsPerTick + i + 0.5) * DT) * d) / predicted);
      }
      const mean = sum / stepsPerTick;
      tickErrors.push(mean / predicted - 1);
      const orders = (plan((k + 0.5) * T) * T) / 60;
      const noise = tickNoise(spec, Math.max(1, orders)) ** 2;
      const prior = perTick * perTick * variance + drift * drift * (1 - perTick * perTick);
      const gain = prior / (prior + noise);
      estimate =
        perTick * estimate + gain * (Math.log(mean) + Math.sqrt(noise) * normal() - perTick * estimate);
      variance = (1 - gain) * prior;
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
