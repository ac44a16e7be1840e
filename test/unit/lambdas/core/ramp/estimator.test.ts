import { describe, expect, it } from 'vitest';
import { poisson, rng } from '../../../../../bench/sim';
import {
  CHANGE_Z,
  innovation,
  priorEstimate,
  reanchor,
  SURPRISE_Z,
  update,
} from '../../../../../lambdas/core/ramp/estimator';
import { capacityUpperBound, ordersPerMinute, usersFor } from '../../../../../lambdas/core/ramp/model';
import type { Estimate, Sample } from '../../../../../lambdas/core/ramp/types';

/** An interval of one minute at `users` that counted `orders`. */
const counted = (at: number, users: number, orders: number): Sample => ({
  at,
  minutes: 1,
  orders,
  userMinutes: users,
  requests: orders * 6,
  failures: 0,
  users,
  workerCpuPercent: null,
});

/** An interval of one minute at `users` of a system whose cycle per order is `a + k·users` (exact counts). */
const sample = (at: number, users: number, a: number, k: number): Sample =>
  counted(at, users, Math.round(users / (a + k * users)));

const feed = (e: Estimate, users: readonly number[], a: number, k: number, from = 1) =>
  users.reduce((acc, u, i) => update(acc, sample((from + i) * 60_000, u, a, k)), e);

describe('the estimator of U/X = a + k·U', () => {
  it('learns a linear system: a = 1/(orders per user), no slope, no capacity bound', () => {
    const e = feed(priorEstimate(2, 3000, 0), [100, 200, 350, 500, 700, 900, 1000], 1 / 3, 0);
    expect(1 / e.a).toBeCloseTo(3, 1);
    expect(Math.abs(e.k) * 1000).toBeLessThan(0.02);
    expect(capacityUpperBound(e, 2)).toBe(Number.POSITIVE_INFINITY);
    expect(usersFor(e, 3000)).toBeGreaterThan(970);
    expect(usersFor(e, 3000)).toBeLessThan(1030);
  });

  it('learns a queueing system’s slope and, with it, the users the target needs', () => {
    // Capacity 1/k = 4,000 orders/min.
    const e = feed(priorEstimate(2, 3000, 0), [100, 200, 350, 500, 700, 900, 1100, 1300], 1 / 3, 1 / 4000);
    expect(1 / e.k).toBeGreaterThan(3000);
    expect(1 / e.k).toBeLessThan(5500);
    expect(ordersPerMinute(e, usersFor(e, 2500)) / 2500).toBeCloseTo(1, 2);
  });

  it('never knows the slope less than before any measurement, though users grow many-fold from a few', () => {
    const prior = priorEstimate(12, 240, 0);
    // The first ticks of a ramp: 2, 7, 19 users, few orders each (Poisson-sized deviations both ways).
    const counts = [
      [2, 4],
      [7, 6],
      [19, 20],
    ] as const;
    let e = prior;
    counts.forEach(([users, orders], i) => {
      e = update(e, {
        ...sample((i + 1) * 5000, users, 1 / 12, 0),
        minutes: 1 / 12,
        userMinutes: users / 12,
        orders,
      });
      expect(e.P[2]).toBeLessThanOrEqual(prior.P[2] * (1 + 1e-9));
    });
    // So two noisy intervals at a few users do not make up a knee below the target.
    expect(capacityUpperBound(e, 0)).toBeGreaterThan(240);
  });

  it('takes a change of conversion into a when told so, leaving the slope where it was', () => {
    const before = feed(priorEstimate(2, 3000, 0), [100, 200, 350, 500, 700, 900, 1000], 1 / 3, 0);
    const dropped = sample(8 * 60_000, 1000, 1 / 3 / 0.6, 0);
    expect(innovation(before, dropped).z).toBeGreaterThan(SURPRISE_Z);
    const after = update(before, dropped, 'conversion');
    expect(1 / after.a).toBeCloseTo(1.8, 1);
    expect(Math.abs(after.k - before.k)).toBeLessThan(1e-5);
  });

  it('re-anchors a refuted slope at the elasticity measured, predicting the same where it was measured', () => {
    const e: Estimate = { a: 0.1, k: 0.0005, P: [1e-4, 0, 1e-8], dispersion: 1, at: 0, users: 500 };
    const r = reanchor(e, 1);
    expect(r.k).toBe(0);
    expect(ordersPerMinute(r, 500)).toBeCloseTo(ordersPerMinute(e, 500), 6);
  });

  it('never lets the cycle shrink with users: orders per user rising as users grow move a, not the slope below 0', () => {
    // A conversion rising by 30 % while users grow, taken in as it comes: a line with k < 0 would fit it.
    const before = feed(priorEstimate(2, 3000, 0), [100, 200, 350, 500], 1 / 3, 0);
    const after = feed(before, [600, 700, 800], 1 / 3 / 1.3, 0, 5);
    expect(after.k).toBeGreaterThanOrEqual(0);
    // Where it was last measured it still predicts what it measured.
    expect(ordersPerMinute(after, 800) / (800 * 3 * 1.3)).toBeGreaterThan(0.9);
  });

  it('does not read a lasting change of conversion as noisier counts', () => {
    const before = feed(priorEstimate(2, 3000, 0), [100, 200, 350, 500, 700, 900, 1000], 1 / 3, 0);
    let e = before;
    const beyond: number[] = [];
    for (let i = 0; i < 2; i++) {
      const risen = sample((8 + i) * 60_000, 1000, 1 / 3 / 1.15, 0);
      beyond.push(Math.abs(innovation(e, risen).z));
      e = update(e, risen);
    }
    expect(Math.min(...beyond)).toBeGreaterThan(CHANGE_Z);
    expect(e.dispersion).toBe(before.dispersion);
  });

  it('reads a curve the line cannot follow as a misfit, not as noisier counts', () => {
    // Past a knee's peak (cycle a + k·U + c·U²): orders fall as users grow 15 % a tick; exact counts.
    const [a, k, c] = [1 / 3, 1e-4, 3e-7];
    let e = priorEstimate(2, 3000, 0);
    let users = 200;
    for (let i = 1; i <= 18; i++, users = Math.round(users * 1.15)) {
      e = update(e, counted(i * 60_000, users, Math.round(users / (a + k * users + c * users * users))));
    }
    // Read from the innovations' squares, the misfit climbed to 14 (every saturation comparison then too noisy).
    expect(e.dispersion).toBeLessThan(1.5);
  });

  it('still learns counts noisier than Poisson (orders in clumps of 4), over 100 seeds', () => {
    const learnt: number[] = [];
    for (let seed = 1; seed <= 100; seed++) {
      const random = rng(seed);
      let e = priorEstimate(3, 3000, 0);
      for (let i = 1; i <= 20; i++) {
        e = update(e, counted(i * 60_000, 2000 / 3, 4 * poisson(2000 / 4, random)));
      }
      learnt.push(e.dispersion);
    }
    // Poisson counts learn ~1.1; the quantisation term and the CHANGE_Z cut leave less than 4 to learn.
    const mean = learnt.reduce((x, y) => x + y, 0) / learnt.length;
    expect(mean).toBeGreaterThan(1.35);
  });

  // Known fault (docs/ramp-controller.md, "Short ticks"): y = E/N is convex in the count, so small counts read
  // the cycle long and the users asked for run above the plan. Fixed, the `it.fails` flips; the bound catches
  // it growing.
  it.fails('is not biased by small counts: ~20 orders an interval give the true orders per user on average', () => {
    expect(Math.abs(smallCountLevelError())).toBeLessThan(0.05);
  });
  it('reads the cycle per order at most ~25 % long from ~20 orders an interval (the known bias, bounded)', () => {
    expect(smallCountLevelError()).toBeLessThan(0.25);
  });
});

/**
 * Mean relative error of the level `a + k·Ū` learnt from 60 intervals of 5 s at 20 users and 12 orders/user/min
 * (20 orders expected, Poisson), counted as one worker reports them every 3 s (an interval holds 3 or 6 s of
 * orders), over 200 seeds.
 */
function smallCountLevelError(): number {
  const a = 1 / 12;
  const levels: number[] = [];
  for (let seed = 1; seed <= 200; seed++) {
    const random = rng(seed);
    const phase = 3 * random();
    const reportedBy = (t: number) => phase + 3 * Math.floor((t - phase) / 3);
    let e = priorEstimate(12, 240, 0);
    for (let i = 1; i <= 60; i++) {
      const seconds = reportedBy(5 * i) - reportedBy(5 * (i - 1));
      const orders = Math.max(1, poisson((20 * seconds) / 5, random));
      e = update(e, {
        at: i * 5_000,
        minutes: 5 / 60,
        orders,
        userMinutes: (20 * 5) / 60,
        requests: orders * 6,
        failures: 0,
        users: 20,
        workerCpuPercent: null,
      });
    }
    levels.push(e.a + e.k * 20);
  }
  return levels.reduce((x, y) => x + y, 0) / levels.length / a - 1;
}
