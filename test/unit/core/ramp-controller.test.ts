import { describe, expect, it } from 'vitest';
import {
  type ControllerConfig,
  type ControllerState,
  DEFAULT_ORDER_DELAY_SECONDS,
  DEFAULT_STATS_LAG_SECONDS,
  decide,
  initialControllerState,
  MAX_GROWTH,
  MIN_STEP,
  type Observation,
  PLATEAU_SPREAD_SECONDS,
  plannedRate,
  startTrajectory,
  userMinutes,
  usersAt,
} from '../../../lambdas/core/ramp-controller';

const config: ControllerConfig = {
  targetOrdersPerMinute: 3000,
  rampUpSeconds: 600,
  plateauSeconds: 600,
  tickSeconds: 60,
  initialOrdersPerUserPerMinute: 2,
  maxUsers: 20_000,
  usersPerWorker: 500,
};
const D = DEFAULT_ORDER_DELAY_SECONDS + DEFAULT_STATS_LAG_SECONDS;

/**
 * A minimal driver: the system delivers exactly `perUser(users)` orders per user and minute, counted
 * D seconds late (the model the controller assumes), so every figure can be checked by hand.
 */
function drive(
  cfg: ControllerConfig,
  ticks: number,
  system: (users: number, t: number) => number,
  tweak: (o: Observation, t: number) => Observation = (o) => o,
) {
  const first = decide(cfg, initialControllerState(), null, 0);
  let state: ControllerState = {
    ...startTrajectory(first.state, 0, first.users, first.spawnRate),
    last: { at: 0, orders: 0, requests: 0, failures: 0, users: 0, bootId: 'b', generation: 1 },
  };
  let orders = 0;
  let requests = 0;
  let failures = 0;
  const decisions = [first];
  for (let k = 1; k <= ticks; k++) {
    const t = k * cfg.tickSeconds;
    // Integrate the delivered orders over the last tick in 1-s steps along the commanded trajectory.
    for (let s = t - cfg.tickSeconds; s < t; s++) {
      const users = usersAt(state.segments, (s - D) * 1000);
      const rate = users * system(users, s);
      orders += rate / 60;
      requests += (rate / 60) * 6;
      failures += 0;
    }
    const observation = tweak(
      {
        at: t * 1000,
        orders: Math.round(orders),
        requests: Math.round(requests),
        failures,
        users: usersAt(state.segments, t * 1000),
        workers: 4,
        bootId: 'b',
        generation: 1,
        running: true,
      },
      t,
    );
    const d = decide(cfg, state, observation, t);
    decisions.push(d);
    state = d.state;
  }
  return decisions;
}

describe('plan and trajectory', () => {
  it('plans a straight line to the target over the ramp-up, then holds it', () => {
    expect(plannedRate(config, 0)).toBe(0);
    expect(plannedRate(config, 300)).toBe(1500);
    expect(plannedRate(config, 600)).toBe(3000);
    expect(plannedRate(config, 1000)).toBe(3000);
    expect(plannedRate({ ...config, rampUpSeconds: 0 }, 0)).toBe(3000);
  });

  it('integrates the commanded users exactly (linear spawn, then flat)', () => {
    const segments = [
      { at: 0, from: 0, to: 100, rate: 10 }, // 0 → 100 in 10 s
      { at: 60_000, from: 100, to: 40, rate: 2 }, // down 60 in 30 s
    ];
    expect(usersAt(segments, 5_000)).toBe(50);
    expect(usersAt(segments, 30_000)).toBe(100);
    expect(usersAt(segments, 75_000)).toBe(70);
    // 0..10 s: triangle 500 user-s; 10..60 s: 5000 user-s.
    expect(userMinutes(segments, 0, 60_000)).toBeCloseTo(5500 / 60, 6);
    // 60..90 s: trapezoid (100+40)/2·30 = 2100; 90..120 s: 40·30 = 1200.
    expect(userMinutes(segments, 60_000, 120_000)).toBeCloseTo(3300 / 60, 6);
    expect(userMinutes(segments, 10_000, 10_000)).toBe(0);
  });
});

describe('decide', () => {
  it('starts from the configured guess, spreading the users over the first tick', () => {
    const first = decide(config, initialControllerState(), null, 0);
    // Plan at T + J = 63 s is 315 orders/min; at 2 orders/user/min that is 158 users.
    expect(first.users).toBe(Math.ceil(plannedRate(config, 60 + DEFAULT_ORDER_DELAY_SECONDS) / 2));
    expect(first.spawnRate).toBeCloseTo(first.users / 60, 1);
    expect(first.phase).toBe('ramp-up');
    expect(first.message).toContain('assumed');
  });

  it('follows the plan on a linear system: each tick within 2 % of the plan it measured', () => {
    const decisions = drive(config, 19, () => 3);
    decisions.forEach((d, k) => {
      if (k < 4) return;
      const t = k * 60;
      // The interval just measured averaged the plan over [t − 60 − D, t − D] (the counters lag).
      const planned = (plannedRate(config, t - 60 - D) + plannedRate(config, t - D)) / 2;
      expect(d.ordersPerMinute ?? 0).toBeGreaterThan(planned * 0.98);
      expect(d.ordersPerMinute ?? 0).toBeLessThan(planned * 1.02 + 1);
    });
    const plateau = decisions.slice(12);
    for (const d of plateau) expect(d.users).toBeGreaterThanOrEqual(999);
    for (const d of plateau) expect(d.users).toBeLessThanOrEqual(1010);
    expect(decisions.at(-1)?.state.ordersPerUserPerMinute).toBeCloseTo(3, 1);
  });

  it('applies a correction on the plateau within PLATEAU_SPREAD_SECONDS, and spreads ramp changes over the tick', () => {
    // 3 orders/user/min until minute 12, then 2.4: the plateau's corrections must come at once.
    const decisions = drive(config, 15, (_u, t) => (t < 720 ? 3 : 2.4));
    for (const d of decisions.slice(1, 10)) {
      const change = Math.abs(d.users - (decisions[decisions.indexOf(d) - 1]?.users ?? 0));
      expect(d.spawnRate).toBeCloseTo(Math.max(0.1, change / 60), 1);
    }
    const correction = decisions.find((d, k) => k > 12 && d.users > 1100);
    if (!correction) throw new Error('no correction after the conversion fell');
    const before = decisions[decisions.indexOf(correction) - 1]?.users ?? 0;
    expect(correction.spawnRate).toBeCloseTo((correction.users - before) / PLATEAU_SPREAD_SECONDS, 0);
  });

  it('carries its noise estimate over a restart of the fit, so a burst is not read as saturation', () => {
    const decisions = drive(config, 8, () => 3);
    const last = decisions.at(-1);
    if (!last) throw new Error('no decision');
    const noisy = { ...last.state, dispersion: 6 };
    // An interval 30 % above the fit restarts it (a change of conversion); the noise estimate stays.
    const reading = (orders: number, at: number): Observation => ({
      at,
      orders,
      requests: orders * 6,
      failures: 0,
      users: last.users,
      workers: 4,
      bootId: 'b',
      generation: 1,
      running: true,
    });
    const base = noisy.last?.orders ?? 0;
    const at = (noisy.last?.at ?? 0) + 60_000;
    const rate = 3 * last.users * 1.3;
    const spike = decide(config, noisy, reading(base + Math.round(rate), at), at / 1000);
    expect(spike.notes.join(' ')).toMatch(/estimate restarted/);
    expect(spike.state.samples).toHaveLength(1);
    expect(spike.state.dispersion ?? 0).toBeGreaterThan(3);
  });

  // Conversion falls by 30 % half-way through the interval ending at 15:00: that interval (2.55 orders/user/min)
  // restarts the fit, and read together with the clean one after it (2.1 at more users) it looked like orders per
  // user falling steeply with users: the next tick asked for 9 % more users than deliver 3,000 orders/min.
  it('after a change of conversion, does not read the shape from the interval that mixes both conversions', () => {
    const need = 3000 / 2.1;
    const decisions = drive(config, 18, (_u, t) => (t < 870 ? 3 : 2.1));
    expect(decisions[15]?.notes.join(' ')).toMatch(/estimate restarted/);
    for (const tick of [16, 17, 18]) {
      const users = decisions[tick]?.users ?? 0;
      expect(users / need, `tick ${tick}`).toBeLessThan(1.02);
    }
    expect(Math.abs((decisions[18]?.users ?? 0) / need - 1)).toBeLessThan(0.02);
  });

  it('resumes the fit from before a restart when the next interval shows the change did not last', () => {
    // One burst of 900 extra orders (+30 %) in the interval ending at 13:00, then 3 orders/user/min as before.
    const decisions = drive(
      config,
      15,
      () => 3,
      (o, t) => (t >= 780 ? { ...o, orders: o.orders + 900 } : o),
    );
    expect(decisions[13]?.notes.join(' ')).toMatch(/estimate restarted/);
    expect(decisions[14]?.notes.join(' ')).toMatch(/did not last/);
    // The intervals from before the burst are back in the fit, not only the two since it, and the burst is out.
    expect(decisions[14]?.state.samples.length).toBeGreaterThan(4);
    expect(decisions[14]?.state.history.some((s) => s.at === 780_000)).toBe(false);
    expect(Math.abs((decisions[15]?.users ?? 0) / 1000 - 1)).toBeLessThan(0.01);
  });

  it('learns that orders per user fall with load (elasticity < 1) and still reaches the target', () => {
    // Orders per user fall by 30 % from 0 to 1,400 users.
    const decisions = drive(config, 19, (users) => 3 * (1 - (0.3 * users) / 1400));
    const last = decisions.at(-1);
    expect(last?.ordersPerMinute ?? 0).toBeGreaterThan(3000 * 0.97);
    expect(last?.ordersPerMinute ?? 0).toBeLessThan(3000 * 1.03);
    expect(last?.state.elasticity).toBeLessThan(0.95);
  });

  // The first plateau tick extrapolates from the last ramp interval's users (~1,250) as far as the last ramp tick
  // did: with the power law alone it asked for 1,414 users, 2.6 % short of the 1,451 that deliver the target.
  it('aims at the users that deliver the target where orders per user fall linearly, at the end of the ramp and on the first plateau tick', () => {
    const perUser = (users: number) => 3 * (1 - (0.3 * users) / 1400);
    // U · perUser(U) = 3,000: the smaller root of a quadratic.
    const need = ((1 - Math.sqrt(1 - 4000 / (1400 / 0.3))) * (1400 / 0.3)) / 2;
    const decisions = drive(config, 10, perUser);
    for (const tick of [9, 10]) {
      const d = decisions[tick];
      expect(d?.notes.join(' '), `tick ${tick}`).toMatch(/orders per user fall with load/);
      expect(Math.abs((d?.users ?? 0) / need - 1), `tick ${tick}`).toBeLessThan(0.01);
    }
  });

  it('never grows users by more than ×MAX_GROWTH (+MIN_STEP) in one tick, whatever the prior', () => {
    const wrongPrior = { ...config, initialOrdersPerUserPerMinute: 100 };
    const decisions = drive(wrongPrior, 10, () => 0.5);
    for (let i = 2; i < decisions.length; i++) {
      const before = decisions[i - 1]?.users ?? 0;
      expect(decisions[i]?.users).toBeLessThanOrEqual(Math.ceil(before * MAX_GROWTH) + MIN_STEP);
    }
    expect(decisions.some((d) => d.notes.some((n) => n.startsWith('growth capped')))).toBe(true);
  });

  it('holds users through a stall (no orders) instead of collapsing, and never goes to one user', () => {
    const decisions = drive(config, 16, (_u, t) => (t >= 720 && t < 840 ? 0 : 3));
    const atStall = decisions.slice(13, 15);
    for (const d of atStall) {
      expect(d.users).toBeGreaterThanOrEqual(990);
      expect(d.message).toMatch(/stalled|collapsed|recovering/);
    }
    expect(Math.min(...decisions.slice(10).map((d) => d.users))).toBeGreaterThan(900);
    // After the stall it goes back to the rate it had, without an overshoot in users.
    expect(Math.max(...decisions.slice(10).map((d) => d.users))).toBeLessThan(1100);
  });

  it('holds a collapse that was only late reports without reading the late orders as more orders per user', () => {
    // Starved workers: at 12:00 only a fifth of the tick's orders has been reported; the rest comes by 13:00.
    let reported = 0;
    const decisions = drive(
      config,
      15,
      () => 3,
      (o, t) => {
        const seen = t === 720 ? reported + Math.round((o.orders - reported) * 0.2) : o.orders;
        reported = seen;
        return { ...o, orders: seen };
      },
    );
    expect(decisions[12]?.message).toContain('collapsed');
    const after = decisions[13];
    expect(after?.message).not.toContain('restarted');
    // Measured from the kept baseline, over both ticks: the true rate per user.
    expect(after?.state.ordersPerUserPerMinute).toBeCloseTo(3, 1);
    for (const d of decisions.slice(12)) expect(d.users).toBeGreaterThanOrEqual(990);
    expect(Math.max(...decisions.slice(12).map((d) => d.users))).toBeLessThan(1030);
  });

  it.each([
    [
      'master restarted',
      (o: Observation) => ({ ...o, bootId: 'other', orders: 5, users: 0, running: false }),
      [720],
    ],
    [
      'the counters were reset',
      (o: Observation) => ({ ...o, generation: 2, orders: 10, requests: 60 }),
      [720],
    ],
    // A counter going down is a bad reading the first time; only a second in a row rebases.
    ['a counter went down', (o: Observation) => ({ ...o, orders: 1 }), [660, 720]],
  ])(
    'skips a reading that cannot be compared (%s): new baseline, estimate kept, no collapse',
    (why, breakIt, badAt) => {
      const decisions = drive(
        config,
        12,
        () => 3,
        (o, t) => (badAt.includes(t) ? breakIt(o) : o),
      );
      const skipped = decisions[12];
      expect(skipped?.ordersPerMinute).toBeNull();
      expect(skipped?.message).toContain('not comparable');
      expect(skipped?.message).toContain(why);
      expect(skipped?.state.ordersPerUserPerMinute).toBeCloseTo(
        decisions[11]?.state.ordersPerUserPerMinute ?? 0,
        2,
      );
      expect(skipped?.users).toBeGreaterThanOrEqual((decisions[11]?.users ?? 0) * 0.95);
    },
  );

  it.each([
    ['a counter went down', (o: Observation) => ({ ...o, orders: 1 })],
    ['a reading not newer than the last', (o: Observation) => ({ ...o, at: o.at - 60_000 })],
  ])(
    'ignores one bad reading (%s): the baseline is kept, the next reading measures both ticks',
    (_why, breakIt) => {
      const decisions = drive(
        config,
        14,
        () => 3,
        (o, t) => (t === 720 ? breakIt(o) : o),
      );
      const ignored = decisions[12];
      expect(ignored?.ordersPerMinute).toBeNull();
      expect(ignored?.message).toContain('reading ignored');
      expect(ignored?.users).toBeGreaterThanOrEqual((decisions[11]?.users ?? 0) * 0.95);
      // Measured against the kept baseline over two ticks: the true rate, not two ticks' orders in one.
      const next = decisions[13];
      const truth = (decisions[14]?.ordersPerMinute ?? 0) || 1;
      expect(next?.ordersPerMinute).not.toBeNull();
      expect(Math.abs((next?.ordersPerMinute ?? 0) / truth - 1)).toBeLessThan(0.15);
      expect(next?.state.ignoredReading).toBeUndefined();
    },
  );

  it('reports saturation when more users bring no more orders, within 3 ticks, and stops adding users', () => {
    // Orders are capped at 2,000/min whatever the users.
    const decisions = drive(config, 19, (users) => Math.min(3, 2000 / Math.max(1, users)));
    const firstOver = decisions.findIndex((_d, i) => i > 0 && plannedRate(config, i * 60) > 2000);
    const detected = decisions.findIndex((d) => d.saturation != null);
    expect(detected).toBeGreaterThan(0);
    expect(detected - firstOver).toBeLessThanOrEqual(3);
    const d = decisions[detected];
    expect(d?.message).toMatch(/^target unreachable: saturated at \d+ orders\/min with \d+ users/);
    expect(d?.saturation?.ordersPerMinute).toBeGreaterThan(1900);
    expect(d?.saturation?.reason).toBe('orders-flat');
    // Users stop growing (only a short probe now and then), and the phase goes on: no abort.
    const held = d?.saturation?.users ?? 0;
    for (const later of decisions.slice(detected + 1)) {
      expect(later.users).toBeLessThanOrEqual(Math.ceil(held * 1.15) + 1);
      expect(later.saturation).not.toBeNull();
    }
    expect(decisions.at(-1)?.phase).toBe('plateau');
  });

  it('reports saturation when failures climb as users are added', () => {
    let failures = 0;
    const decisions = drive(
      config,
      12,
      () => 3,
      (o, t) => {
        // From minute 6 on, a growing share of requests fails.
        if (t >= 360) failures += Math.round((o.requests * 0.002 * (t - 300)) / 60);
        return { ...o, failures: Math.min(failures, o.requests) };
      },
    );
    const d = decisions.find((x) => x.saturation != null);
    expect(d?.saturation?.reason).toBe('failures-climb');
    expect(d?.message).toContain('target unreachable: saturated at');
  });

  it('with a managed fleet: asks for the workers one tick ahead and only spawns users the connected ones host', () => {
    const fleetConfig: ControllerConfig = {
      ...config,
      usersPerWorker: 100,
      fleet: { minWorkers: 1, maxWorkers: 8 },
    };
    const decisions = drive(
      fleetConfig,
      6,
      () => 3,
      (o) => ({ ...o, workers: 2 }),
    );
    const d = decisions[6];
    expect(d?.users).toBeLessThanOrEqual(200);
    expect(d?.notes.some((n) => n.startsWith('waiting for workers'))).toBe(true);
    // Enough workers for what the next tick will want (plan at t + 2T + J), within the bounds.
    const ahead = plannedRate(fleetConfig, 6 * 60 + 120 + DEFAULT_ORDER_DELAY_SECONDS) / 3;
    expect(d?.workersNeeded).toBeGreaterThanOrEqual(Math.min(8, Math.floor(ahead / 100)));
    expect(d?.workersNeeded).toBeLessThanOrEqual(8);
    const bounded = drive({ ...fleetConfig, fleet: { minWorkers: 1, maxWorkers: 3 } }, 10, () => 3);
    expect(Math.max(...bounded.map((x) => x.workersNeeded))).toBe(3);
    expect(bounded.at(-1)?.notes.some((n) => n.startsWith('fleet limit'))).toBe(true);
  });

  it('caps users at maxUsers and says so', () => {
    const decisions = drive({ ...config, maxUsers: 500 }, 12, () => 3);
    expect(Math.max(...decisions.map((d) => d.users))).toBe(500);
    expect(decisions.at(-1)?.message).toContain('capped at maxUsers 500');
  });

  it('stops at the end: phase done and no users', () => {
    const decisions = drive({ ...config, rampUpSeconds: 120, plateauSeconds: 120 }, 4, () => 3);
    expect(decisions.at(-1)?.phase).toBe('done');
    expect(decisions.at(-1)?.users).toBe(0);
  });
});
