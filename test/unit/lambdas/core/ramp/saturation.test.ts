import { describe, expect, it } from 'vitest';
import {
  nextSaturation,
  ordersHeld,
  type SaturationInput,
} from '../../../../../lambdas/core/ramp/saturation';
import type { Recent } from '../../../../../lambdas/core/ramp/types';

/** An interval of `users` whose orders per minute are `orders`, taken in as it came (`clean`). */
const interval = (users: number, orders: number, clean = true): Recent => ({
  users,
  orders,
  minutes: 1,
  failureRatio: 0,
  requests: orders * 6,
  clean,
});

/** Users +15 % from `from`, orders growing with elasticity `e` (1,600 orders a tick: a standard error of ~0.25). */
const step = (from: Recent, e: number, clean = true): Recent =>
  interval(from.users * 1.15, from.orders * 1.15 ** e, clean);

/** A suspected saturation with `strikes` flat comparisons so far, reading `recent` (its newest just measured). */
function suspected(strikes: number, recent: readonly Recent[], dispersion = 1): SaturationInput {
  return {
    tick: 10,
    phase: 'suspected',
    since: 8,
    strikes,
    saturation: null,
    estimate: { a: 0.3, k: 0, P: [1e-4, 0, 1e-10], dispersion, at: 0, users: 1000 },
    recent,
    measured: true,
    aim: 3000,
    failureLimit: 0.05,
    suspicious: false,
    refused: false,
    generatorsAtLimit: false,
    everyUserOrders: true,
  };
}

describe('nextSaturation, suspected', () => {
  const first = interval(1000, 1600);
  const second = step(first, 0.6);

  it('keeps the strikes over a comparison that neither shows orders flat nor refutes the knee', () => {
    // Elasticity 0.6 ± 0.25: not below 1/2, not above it by a standard error.
    const out = nextSaturation(suspected(1, [first, second]));
    expect(out.phase).toBe('suspected');
    expect(out.strikes).toBe(1);
    expect(out.refuted).toBeNull();
    // The next flat comparison is the second strike: saturated.
    const flat = nextSaturation(suspected(out.strikes, [first, second, step(second, 0.1)]));
    expect(flat.phase).toBe('saturated');
    expect(flat.saturation?.reason).toBe('orders-flat');
  });

  it('counts no strike from a comparison too noisy to tell orders flat from orders following users', () => {
    const recent = [first, step(first, 0.1)];
    expect(nextSaturation(suspected(1, recent)).phase).toBe('saturated');
    // Counts 9 times noisier than Poisson: a standard error of ~0.76, elasticity 0.1 tells nothing.
    const noisy = nextSaturation(suspected(1, recent, 9));
    expect(noisy.phase).toBe('suspected');
    expect(noisy.strikes).toBe(1);
  });

  it('breaks the row of strikes on an interval that cannot be compared (held back)', () => {
    const out = nextSaturation(suspected(1, [first, step(first, 0.1, false)]));
    expect(out.phase).toBe('suspected');
    expect(out.strikes).toBe(0);
  });

  it('keeps the row of strikes over an interval at the users held (the plan delivered): it only pauses', () => {
    const held = interval(1000, 1610);
    const out = nextSaturation(suspected(1, [first, held]));
    expect(out.phase).toBe('suspected');
    expect(out.strikes).toBe(1);
    // The probe after it shows orders flat below the plan: the second strike.
    expect(nextSaturation(suspected(out.strikes, [first, held, step(held, 0.1)])).phase).toBe('saturated');
  });

  it('counts no strike where the requests kept the users’ pace: fewer orders per request is a change of conversion', () => {
    // Orders +1 % for users +15 %, as at a knee, but the requests +15 %: every user kept its cycle.
    const knee = step(first, 0.1);
    const converted: Recent = { ...knee, requests: 1600 * 6 * 1.15 };
    const out = nextSaturation(suspected(1, [first, converted]));
    expect(out.phase).toBe('suspected');
    expect(out.strikes).toBe(1);
    expect(out.refuted).toBeNull();
    // The same intervals where users may never order (a mix): the requests tell nothing, the orders decide.
    const mix = nextSaturation({ ...suspected(1, [first, converted]), everyUserOrders: false });
    expect(mix.phase).toBe('saturated');
    // The knee slows the requests with the orders: saturated, the evidence names both.
    const saturated = nextSaturation(suspected(1, [first, knee]));
    expect(saturated.phase).toBe('saturated');
    expect(saturated.saturation?.evidence).toBe('users +15 %, orders +1 %, requests +1 %');
  });

  it('counts no strike where orders are flat at the rate the plan asks for: the plan is reached at that knee', () => {
    // Orders +1 % for users +15 %, at 1,616 orders/min: a knee, but at the plan's rate when the aim is 1,600.
    const knee = [first, step(first, 0.1)];
    const reached = nextSaturation({ ...suspected(1, knee), aim: 1600 });
    expect(reached.phase).toBe('suspected');
    expect(reached.strikes).toBe(1);
    expect(reached.saturation).toBeNull();
    // The same knee below the aim (3,000) is the second strike; from ramping, the first.
    expect(nextSaturation(suspected(1, knee)).phase).toBe('saturated');
    const ramping = (aim: number) =>
      nextSaturation({ ...suspected(0, knee), phase: 'ramping', suspicious: true, aim });
    expect(ramping(3000).strikes).toBe(1);
    expect(ramping(1600).strikes).toBe(0);
  });

  it('refutes the knee when orders follow users beyond a standard error', () => {
    const out = nextSaturation(suspected(1, [first, step(first, 1)]));
    expect(out.phase).toBe('ramping');
    expect(out.refuted).toBeCloseTo(1, 6);
  });
});

describe('ordersHeld: orders while users grew, as a saturation predicts them', () => {
  const before = interval(1000, 1600);
  const now = (orders: number) => ({
    at: 0,
    minutes: 1,
    orders,
    userMinutes: 1150,
    requests: orders * 6,
    failures: 0,
    users: 1150,
    workerCpuPercent: null,
  });
  // σ of the log-ratio of two counts of ~1,600: √(2/1,600) = 3.5 %; CHANGE_Z 2.5 of it is 8.8 %.
  it('holds when the rate fell within CHANGE_Z σ of the counts, or rose', () => {
    expect(ordersHeld(before, now(1600), 1)).toBe(true);
    expect(ordersHeld(before, now(1500), 1)).toBe(true);
    expect(ordersHeld(before, now(1800), 1)).toBe(true);
  });
  it('does not when it fell beyond: a drop of conversion, not a knee', () => {
    expect(ordersHeld(before, now(1400), 1)).toBe(false);
    // Noisier counts widen what holds.
    expect(ordersHeld(before, now(1400), 3)).toBe(true);
    expect(ordersHeld(undefined, now(1600), 1)).toBe(false);
  });
});
