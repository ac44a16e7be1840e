import { describe, expect, it } from 'vitest';
import {
  type ControllerStateV2,
  decide,
  initialControllerState,
  migrate,
  startTrajectory,
} from '../../../../../lambdas/core/ramp/controller';
import { PLATEAU_SPREAD_SECONDS } from '../../../../../lambdas/core/ramp/feedforward';
import { growthCap } from '../../../../../lambdas/core/ramp/limits';
import { probeUsers } from '../../../../../lambdas/core/ramp/saturation';
import type { ControllerConfig, ControllerState, Observation } from '../../../../../lambdas/core/ramp/types';

const config: ControllerConfig = {
  targetOrdersPerMinute: 3000,
  rampUpSeconds: 600,
  plateauSeconds: 600,
  tickSeconds: 60,
  initialOrdersPerUserPerMinute: 2,
  maxUsers: 20_000,
  usersPerWorker: 500,
};

/**
 * A system of exactly 3 orders per user and minute whose Locust runs the users commanded, spawning at the
 * commanded rate times `spawnGain`, read every `cfg.tickSeconds`. Orders beyond `quotaPerMinute` are refused at
 * once (each a failed request).
 */
function run(
  cfg: ControllerConfig,
  ticks: number,
  tweak: (o: Observation, k: number) => Observation = (o) => o,
  spawnGain = 1,
  quotaPerMinute = Number.POSITIVE_INFINITY,
) {
  const first = decide(cfg, initialControllerState(), null, 0);
  let state: ControllerState = {
    ...startTrajectory(first.state, 0, first.users, first.spawnRate),
    last: { at: 0, orders: 0, requests: 0, failures: 0, users: 0, bootId: 'b', generation: 1 },
  };
  let orders = 0;
  let refused = 0;
  let users = 0;
  let target = first.users;
  const decisions = [first];
  for (let k = 1; k <= ticks; k++) {
    for (let s = 0; s < cfg.tickSeconds; s++) {
      const step = (decisions.at(-1)?.spawnRate ?? 1) * spawnGain;
      users = target >= users ? Math.min(target, users + step) : Math.max(target, users - step);
      const attempted = (users * 3) / 60;
      orders += Math.min(attempted, quotaPerMinute / 60);
      refused += Math.max(0, attempted - quotaPerMinute / 60);
    }
    const o = tweak(
      {
        at: k * cfg.tickSeconds * 1000,
        orders: Math.round(orders),
        requests: Math.round(orders) * 6 + Math.round(refused) * 7,
        failures: Math.round(refused),
        users: Math.round(users),
        workers: 4,
        bootId: 'b',
        generation: 1,
        running: true,
      },
      k,
    );
    const d = decide(cfg, state, o, k * cfg.tickSeconds);
    decisions.push(d);
    state = d.state;
    target = d.users;
  }
  return decisions;
}

describe('decide', () => {
  it('on ticks no longer than the order delay, leaves the first interval unmeasured and commands finite users', () => {
    // 5-s ticks with the default delay (3-s journey + 2-s report lag): the first interval's users had not started.
    const short: ControllerConfig = {
      ...config,
      targetOrdersPerMinute: 60,
      rampUpSeconds: 30,
      plateauSeconds: 60,
      tickSeconds: 5,
      initialOrdersPerUserPerMinute: 3,
    };
    const decided = run(short, 18).slice(1);
    for (const d of decided) expect(Number.isFinite(d.users), d.message).toBe(true);
    expect(decided[0]?.notes.join(' ')).toContain('interval not measured');
    // 60 orders/min at 3 per user: 20 users on the plateau (tick 16 of 18; the last ends the test).
    const plateau = decided[15];
    expect(plateau?.phase).toBe('plateau');
    expect(plateau?.users).toBeGreaterThanOrEqual(18);
    expect(plateau?.users).toBeLessThanOrEqual(26);
  });

  it('learns that Locust spawns at half the commanded rate and commands twice as fast, so users reach the plan', () => {
    const slow = run(config, 12, (o) => o, 0.5);
    const atEnd = slow[10] as (typeof slow)[number];
    // 3,000 orders/min at 3 per user: 1,000 users at the end of the ramp, as reported by Locust.
    expect((atEnd.state.path.at(-1)?.users ?? 0) / 1000).toBeGreaterThan(0.95);
    const ramp = slow.slice(4, 9);
    const perSecond = ramp.map((d, i) => Math.abs(d.users - (slow[i + 3]?.users ?? 0)) / 60);
    for (const [i, d] of ramp.entries()) expect(d.spawnRate).toBeGreaterThan(1.6 * (perSecond[i] as number));
  });

  it('starts from the configured guess, spreading the first users over the tick', () => {
    const d = decide(config, initialControllerState(), null, 0);
    // Users for 2 orders/user/min at the plan 63 s on (315 orders/min).
    expect(d.users).toBe(158);
    expect(d.spawnRate).toBeCloseTo(158 / 60, 1);
    expect(d.ordersPerUserPerMinute).toBeNull();
  });

  it('follows the plan on a linear system and holds the target on the plateau', () => {
    const decisions = run(config, 19);
    const plateau = decisions.slice(12).map((d) => d.ordersPerMinute ?? 0);
    for (const rate of plateau) expect(Math.abs(rate / 3000 - 1)).toBeLessThan(0.03);
    expect(decisions.every((d) => d.saturation == null)).toBe(true);
    expect(decisions.at(-1)?.users).toBeGreaterThan(950);
    expect(decisions.at(-1)?.users).toBeLessThan(1060);
  });

  it('reports what a dead system answered: no orders, every request failed, as the dead-system check reads it', () => {
    let frozen = 0;
    const decisions = run(config, 7, (o, k) => {
      if (k === 5) frozen = o.orders;
      return k > 5 ? { ...o, orders: frozen, failures: o.requests - frozen * 6 } : o;
    });
    const dead = decisions[6];
    expect(dead?.notes.join('; ')).toMatch(/stalled/);
    expect(dead?.ordersPerMinute).toBe(0);
    expect(dead?.delta.requests).toBeGreaterThan(0);
    expect((dead?.delta.failures ?? 0) / (dead?.delta.requests ?? 1)).toBeGreaterThan(0.99);
  });

  it('says the load generators are the limit when their CPU is at 90 % and holds users', () => {
    const decisions = run(config, 6, (o, k) => (k >= 5 ? { ...o, workerCpuPercent: [95, 93] } : o));
    const busy = decisions[5];
    expect(busy?.notes.join('; ')).toMatch(/load generators at 95 % CPU: they are the limit, not the system/);
    expect(busy?.users).toBeLessThanOrEqual(decisions[4]?.users ?? 0);
    expect(decisions[6]?.saturation).toMatchObject({
      limitedBy: 'load-generators',
      reason: 'generators-busy',
    });
  });

  it('holds users while failures past their limit are tested, and saturates when they persist', () => {
    // From tick 5 on, 8 % of the requests fail (orders refused by a quota).
    const decisions = run(config, 6, (o, k) =>
      k >= 5 ? { ...o, failures: Math.round(o.requests * 0.08) } : o,
    );
    const suspected = decisions[5];
    // Failures past their limit are beyond the background (none before): orders refused.
    expect(suspected?.notes.join('; ')).toMatch(/saturation suspected: orders refused/);
    expect(suspected?.users).toBe(decisions[4]?.users);
    expect(decisions[6]?.saturation).toMatchObject({ reason: 'failures-climb', limitedBy: 'system' });
  });

  it('holds the users whose orders a quota refused, below the failure limit, and saturates when refusals persist', () => {
    // A quota of 1,500 orders/min: 500 users reach it at 3 orders per user and minute.
    const decisions = run(config, 9, (o) => o, 1, 1500);
    const first = decisions.findIndex((d) => (d.delta.failures ?? 0) > 0);
    const suspected = decisions[first];
    expect(first).toBeGreaterThan(0);
    // Fewer failures than the failure limit (5 % of requests): the refusals, not the ratio, tell the quota.
    expect((suspected?.delta.failures ?? 0) / (suspected?.delta.requests ?? 1)).toBeLessThan(0.05);
    expect(suspected?.notes.join('; ')).toMatch(/saturation suspected: orders refused/);
    expect(suspected?.users).toBe(decisions[first - 1]?.users);
    expect(decisions[first + 1]?.saturation).toMatchObject({ reason: 'failures-climb', limitedBy: 'system' });
    // Never beyond the users that made the refusals (the line is not extrapolated past the quota).
    expect(Math.max(...decisions.map((d) => d.users))).toBe(decisions[first - 1]?.users);
  });

  it('spawns a saturation probe on the ramp at once, so that its interval is measured at the users it tests', () => {
    // A 20-min ramp: the quota of 1,500 orders/min saturates at ~tick 11, the probe comes PROBE_TICKS later.
    const decisions = run({ ...config, rampUpSeconds: 1200 }, 17, (o) => o, 1, 1500);
    const probes = decisions.filter(
      (d) => d.phase === 'ramp-up' && d.notes.some((n) => n.startsWith('probing')),
    );
    expect(probes.length).toBeGreaterThan(0);
    for (const probe of probes) {
      const before = decisions[decisions.indexOf(probe) - 1]?.users ?? 0;
      expect(probe.users).toBeGreaterThan(before);
      expect(probe.spawnRate * PLATEAU_SPREAD_SECONDS).toBeGreaterThanOrEqual(probe.users - before);
    }
  });

  it('reads no refusal from a state whose intervals carry no counts of requests (written before they did)', () => {
    // 1 % background errors all along; the state of tick 5 as a controller without the counts wrote it.
    const withErrors = (o: Observation) => ({ ...o, failures: Math.round(o.requests * 0.01) });
    const decisions = run(config, 5, withErrors);
    const before = decisions[5]?.state as ControllerState;
    const old: ControllerState = {
      ...before,
      recent: before.recent.map(({ requests: _, refused: __, ...r }) => r),
    };
    const last = before.last as NonNullable<ControllerState['last']>;
    const orders = last.orders + 3 * (decisions[5]?.users ?? 0);
    const next = decide(
      config,
      old,
      withErrors({
        at: last.at + 60_000,
        orders,
        requests: orders * 6,
        failures: 0,
        users: decisions[5]?.users ?? 0,
        workers: 4,
        bootId: 'b',
        generation: 1,
        running: true,
      }),
      360,
    );
    expect(next.notes.join('; ')).not.toMatch(/saturation suspected/);
    expect(next.users).toBeGreaterThan(decisions[5]?.users ?? 0);
  });

  it('with a managed fleet: asks for more workers when theirs are at their CPU limit', () => {
    const fleet = { ...config, fleet: { minWorkers: 1, maxWorkers: 10 } };
    const decisions = run(fleet, 5, (o, k) =>
      k >= 5 ? { ...o, workers: 2, workerCpuPercent: [96, 94] } : { ...o, workers: 2 },
    );
    expect(decisions[5]?.workersNeeded).toBeGreaterThanOrEqual(3);
    expect(decisions[5]?.saturation).toBeNull();
  });

  it('sizes the fleet for the users the next tick may ask for, not for what one low reading makes the model want', () => {
    // 50 users a worker, up to 40 workers: the third interval's orders read at a tenth of what they were.
    const fleet = { ...config, usersPerWorker: 50, fleet: { minWorkers: 1, maxWorkers: 40 } };
    let counted = 0;
    let previous = 0;
    const decisions = run(fleet, 6, (o, k) => {
      counted += k === 3 ? (o.orders - previous) / 10 : o.orders - previous;
      previous = o.orders;
      return { ...o, orders: Math.round(counted) };
    });
    for (const d of decisions.slice(1)) {
      expect(d.workersNeeded, d.message).toBeLessThanOrEqual(Math.ceil(growthCap(d.users) / 50));
    }
  });

  it('asks for whole users where the model needs a fraction more than its reach, below the users set', () => {
    // 10 orders per user and minute and a capacity of 400 at no uncertainty: 234 orders/min take 56.4 users, and
    // the useful range (elasticity ½) ends at 40. Locust refuses a fractional count.
    const state: ControllerState = {
      ...initialControllerState(),
      tick: 12,
      usersSet: 60,
      estimate: { a: 0.1, k: 0.0025, P: [0, 0, 0], dispersion: 1, at: 0, users: 60 },
    };
    const plateau = { ...config, targetOrdersPerMinute: 234 };
    const decision = decide(plateau, state, null, 700);
    expect(decision.users).toBe(57);
  });

  it('holds the users that delivered the plan while a saturation is suspected, and probes while they did not', () => {
    // On the plateau at 1,700 users, on a line whose elasticity there is ~0.27 (a = 0.15, k = 2.4e-4): the
    // plan's 3,000 orders/min take ~1,600 users, beyond the useful range (625): suspected.
    const at = 900_000;
    const state: ControllerState = {
      ...initialControllerState(),
      tick: 15,
      phase: 'suspected',
      phaseSince: 14,
      usersSet: 1700,
      last: { at, orders: 40_000, requests: 240_000, failures: 0, users: 1700, bootId: 'b', generation: 1 },
      path: [{ at: at - 120_000, users: 1700 }],
      command: { at, users: 1700, rate: 1 },
      estimate: { a: 0.15, k: 2.4e-4, P: [1e-6, 0, 1e-14], dispersion: 1, at, users: 1700 },
    };
    const tick = (orders: number) =>
      decide(
        config,
        state,
        {
          at: at + 60_000,
          orders: 40_000 + orders,
          requests: 240_000 + orders * 6,
          failures: 0,
          users: 1700,
          workers: 4,
          bootId: 'b',
          generation: 1,
          running: true,
        },
        960,
      );
    const delivered = tick(3050);
    expect(delivered.users).toBe(1700);
    expect(delivered.saturation).toBeNull();
    expect(delivered.notes).toContain(
      'the plan delivered at 1700 users: held while a saturation is suspected',
    );
    // 2,950 orders/min: the plan not delivered, a probe's step tests whether more users bring more orders.
    expect(tick(2950).users).toBe(probeUsers(1700));
  });

  it('caps users at maxUsers and says so; ends with no users', () => {
    const capped = run({ ...config, maxUsers: 300 }, 8);
    expect(Math.max(...capped.map((d) => d.users))).toBe(300);
    expect(capped.at(-1)?.notes).toContain('capped at maxUsers 300');
    const done = run(config, 20).at(-1);
    expect(done?.phase).toBe('done');
    expect(done?.users).toBe(0);
  });
});

describe('migrate: a run in flight during the upgrade continues', () => {
  const v2: ControllerStateV2 = {
    version: 2,
    tick: 6,
    last: {
      at: 360_000,
      orders: 9000,
      requests: 54_000,
      failures: 0,
      users: 600,
      bootId: 'b',
      generation: 1,
    },
    segments: [{ at: 300_000, from: 500, to: 600, rate: 1.67 }],
    history: [{ minutes: 1, orders: 1650, userMinutes: 550, requests: 9900, failures: 0 }],
    ordersPerUserPerMinute: 3,
    referenceUsers: 550,
    elasticity: 1,
    dispersion: 1.2,
    usersSet: 600,
    stalledTicks: 0,
    saturation: null,
    probeUsers: null,
  };

  it('carries the baseline, the users’ path, the estimate and the noise into version 3', () => {
    const s = migrate(v2);
    expect(s.version).toBe(3);
    expect(s.last).toEqual(v2.last);
    expect(s.path).toEqual([
      { at: 300_000, users: 500 },
      { at: 300_000 + (100 / 1.67) * 1000, users: 600 },
    ]);
    expect(1 / (s.estimate?.a ?? 0)).toBeCloseTo(3, 6);
    expect(s.estimate?.k).toBe(0);
    expect(s.estimate?.dispersion).toBe(1.2);
    expect(s.usersSet).toBe(600);
  });

  it('decides the next tick from a version-2 state as it would have: the plan’s users, no saturation', () => {
    const o: Observation = {
      at: 420_000,
      orders: 10_800,
      requests: 64_800,
      failures: 0,
      users: 600,
      workers: 4,
      bootId: 'b',
      generation: 1,
      running: true,
    };
    const d = decide(config, v2, o, 420);
    expect(d.state.version).toBe(3);
    expect(d.ordersPerMinute).toBe(1800);
    // The plan 483 s in: 2,415 orders/min at 3 per user.
    expect(d.users).toBeGreaterThan(760);
    expect(d.users).toBeLessThan(850);
    expect(d.saturation).toBeNull();
  });

  it('keeps a saturation found before the upgrade', () => {
    const saturated: ControllerStateV2 = {
      ...v2,
      saturation: {
        ordersPerMinute: 1500,
        users: 500,
        reason: 'orders-flat',
        evidence: 'users +20 %, orders +1 %',
        sinceTick: 5,
      },
    };
    const s = migrate(saturated);
    expect(s.phase).toBe('saturated');
    expect(s.saturation).toMatchObject({ users: 500, limitedBy: 'system' });
  });
});
