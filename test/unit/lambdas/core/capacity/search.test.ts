import { describe, expect, it } from 'vitest';
import { rng } from '../../../../../bench/sim';
import {
  advance,
  BACKOFF,
  type CapacityPlan,
  type CapacityState,
  type CapacityTick,
  capacityControllerConfig,
  capacityResult,
  DELIVERY_TOLERANCE,
  initialCapacityState,
  LEVEL_USERS_GROWTH,
  type LevelOutcome,
  levelUsers,
  levelWindowStart,
  MAX_SETTLE_SECONDS,
  monotoneFit,
  SETTLE_SECONDS,
  settleTicks,
} from '../../../../../lambdas/core/capacity/search';
import {
  countedBreaches,
  generatorCpuLimit,
  generatorLimit,
  levelDecision,
} from '../../../../../lambdas/core/capacity/tick';
import type { ControllerConfig, Decision } from '../../../../../lambdas/core/ramp-controller';
import type { SloTrack } from '../../../../../lambdas/core/slo';

/** 10 ticks of climb (60 s), 30 of plateau; a level is judged over 3 ticks after one settling tick. */
const PLAN: CapacityPlan = {
  parameters: { maxOrdersPerMinute: 1000, holdTicks: 3, resolutionOrdersPerMinute: 20 },
  breachTicks: 1,
  rampUpSeconds: 600,
  totalSeconds: 2400,
  tickSeconds: 60,
};

function tick(n: number, ordersPerMinute: number, extra: Partial<CapacityTick> = {}): CapacityTick {
  return {
    tick: n,
    elapsedSeconds: n * 60,
    orders: ordersPerMinute,
    minutes: 1,
    requests: ordersPerMinute * 4,
    failures: 0,
    users: Math.round(ordersPerMinute / 3),
    workers: 2,
    breaches: [],
    breaching: [],
    saturation: null,
    generatorLimit: null,
    generatorCpu: null,
    dispersion: 1,
    ...extra,
  };
}

const P95 = { id: 'request:checkout:p95', label: 'p95 of "checkout"' };
const BREACH = { breaches: [P95], breaching: [P95] };

/** Runs the search over ticks from `from` on, each delivering `rate(level)` (with a breach when `breaches`). */
function run(
  state: CapacityState,
  from: number,
  deliver: (level: number) => { rate: number; breach?: boolean },
  plan = PLAN,
): { state: CapacityState; ticks: number } {
  let s = state;
  let n = from;
  while (s.phase === 'hold' && n < 200) {
    n += 1;
    const { rate, breach } = deliver(s.level as number);
    s = advance(plan, s, tick(n, rate, breach ? BREACH : {}));
  }
  return { state: s, ticks: n };
}

/**
 * Ticks from `from` on, `count` at most while a level is held, on a system that delivers `rate(users)` with the
 * users the search set the tick before.
 */
function follow(
  state: CapacityState,
  from: number,
  count: number,
  rate: (users: number) => number,
  extra: Partial<CapacityTick> = {},
  plan = PLAN,
): CapacityState {
  let s = state;
  for (let n = from; n < from + count && s.phase === 'hold'; n++) {
    const users = levelUsers(s) as number;
    s = advance(plan, s, tick(n, rate(users), { users, meanUsers: users, ...extra }));
  }
  return s;
}

function climbToBreachAt(rate: number): CapacityState {
  let s = initialCapacityState();
  for (let n = 1; n <= 4; n++) s = advance(PLAN, s, tick(n, rate * (n / 5)));
  expect(s.phase).toBe('climb');
  return advance(PLAN, s, tick(5, rate, BREACH));
}

/** The controller's own decision on a plateau, which a held level's users override (only the fields read). */
const CONTROLLER_PLATEAU = {
  users: 900,
  spawnRate: 1,
  workersNeeded: 1,
  phase: 'plateau',
  message: 'plateau: 900 users',
  notes: [],
  state: { usersSet: 900, command: null },
} as unknown as Decision;

describe('the climb', () => {
  it('goes on while the plan rises and nothing limits it', () => {
    let s = initialCapacityState();
    for (let n = 1; n <= 9; n++) s = advance(PLAN, s, tick(n, n * 100));
    expect(s.phase).toBe('climb');
  });

  it('stops at a counted SLO breach and holds a level BACKOFF below the rate it stopped at', () => {
    const s = climbToBreachAt(800);
    expect(s.phase).toBe('hold');
    expect(s.level).toBe(800 * (1 - BACKOFF));
    expect(s.climb?.limit).toEqual({ kind: 'slo', slo: 'request:checkout:p95', label: 'p95 of "checkout"' });
  });

  it("stops at the controller's saturation, from the best rate it saw", () => {
    const saturation = {
      ordersPerMinute: 700,
      users: 240,
      reason: 'orders-flat' as const,
      evidence: 'users +24 %, orders +2 %',
      sinceTick: 6,
      limitedBy: 'system' as const,
    };
    const s = advance(PLAN, initialCapacityState(), tick(6, 650, { saturation }));
    expect(s.level).toBe(700 * (1 - BACKOFF));
    expect(s.climb?.limit).toMatchObject({ kind: 'system' });
    // The controller's saturation names its side: the generators' CPU is theirs.
    const busy = { ...saturation, reason: 'generators-busy' as const, limitedBy: 'load-generators' as const };
    const stopped = advance(PLAN, initialCapacityState(), tick(6, 650, { saturation: busy }));
    expect(stopped.climb?.limit).toMatchObject({ kind: 'load-generators' });
  });

  it('stops when the load generators cap the users two ticks in a row, not one', () => {
    const capped = { generatorLimit: 'users capped at maxUsers 400' };
    const once = advance(PLAN, initialCapacityState(), tick(3, 500, capped));
    expect(once.phase).toBe('climb');
    const twice = advance(PLAN, once, tick(4, 520, capped));
    expect(twice.phase).toBe('hold');
    expect(twice.climb?.limit).toEqual({ kind: 'load-generators', evidence: 'users capped at maxUsers 400' });
  });

  it('holds the ceiling when the plan reaches it unlimited; met, the search ends there', () => {
    let s = initialCapacityState();
    for (let n = 1; n <= 10; n++) s = advance(PLAN, s, tick(n, n * 100));
    expect(s).toMatchObject({ phase: 'hold', level: 1000 });
    const { state } = run(s, 10, (level) => ({ rate: level }));
    expect(state.result).toMatchObject({ end: 'ceiling', level: 1000, range: { high: null } });
    expect(state.result?.limit?.kind).toBe('ceiling');
  });
});

describe('holding a level', () => {
  it('does not judge the tick after a change (60-s ticks), then judges holdTicks ticks', () => {
    const s = climbToBreachAt(800);
    const settled = advance(PLAN, s, tick(6, 10, BREACH)); // a breach carried over from above: not judged
    expect(settled.window).toBeNull();
    const judged = [7, 8].reduce((acc, n) => advance(PLAN, acc, tick(n, 640)), settled);
    expect(judged.window?.ticks).toBe(2);
    const third = advance(PLAN, judged, tick(9, 640));
    expect(third.levels.at(-1)).toMatchObject({ level: 640, met: true, ordersPerMinute: 640 });
  });

  it("says from which tick a held level is judged (the SLO watch's window starts there)", () => {
    expect(levelWindowStart(climbToBreachAt(800))).toBe(7);
    expect(levelWindowStart(initialCapacityState())).toBeNull();
  });

  it(`settles ${SETTLE_SECONDS} s on short ticks: an overload's queued requests go through before the judging`, () => {
    expect(settleTicks(60)).toBe(1);
    expect(settleTicks(10)).toBe(3);
    const short = { ...PLAN, tickSeconds: 10, rampUpSeconds: 100, totalSeconds: 400 };
    let s = initialCapacityState();
    for (let n = 1; n <= 5; n++) s = advance(short, s, { ...tick(n, 160 * n), elapsedSeconds: n * 10 });
    s = advance(short, s, { ...tick(6, 800, BREACH), elapsedSeconds: 60 });
    expect(s).toMatchObject({ phase: 'hold', since: 6 });
    expect(levelWindowStart(s)).toBe(10);
    // Breaching through the settling (the overload's queue), then not: the level is met.
    for (const n of [7, 8, 9]) s = advance(short, s, { ...tick(n, 640, BREACH), elapsedSeconds: n * 10 });
    expect(s.window).toBeNull();
    for (const n of [10, 11, 12]) s = advance(short, s, { ...tick(n, 640), elapsedSeconds: n * 10 });
    expect(s.levels.at(-1)).toMatchObject({ level: 640, met: true });
  });

  it("takes a level's users from the measured curve: Little's law's tangent line, solved for the level", () => {
    // climbToBreachAt(800): 160, 320, 480, 640 orders/min measured with a third as many users, then 800.
    const s = climbToBreachAt(800);
    expect(s.level).toBe(640);
    // A linear curve (3 orders per user and minute): the users that delivered 640 on the climb, to rounding.
    expect(Math.abs((levelUsers(s) as number) - 640 / 3)).toBeLessThanOrEqual(2);
    expect(levelUsers(initialCapacityState())).toBeNull();
  });

  it("runs a held level's users within maxUsers and the fleet, and says so beside the controller's message", () => {
    const s = climbToBreachAt(800);
    const config: ControllerConfig = {
      targetOrdersPerMinute: 1000,
      rampUpSeconds: 600,
      plateauSeconds: 1800,
      tickSeconds: 60,
      initialOrdersPerUserPerMinute: 3,
      maxUsers: 1000,
      usersPerWorker: 100,
      fleet: { minWorkers: 1, maxWorkers: 4 },
    };
    const wanted = levelUsers(s) as number;
    const held = levelDecision(config, s, CONTROLLER_PLATEAU, 900);
    expect(held.users).toBe(wanted);
    expect(held.state.usersSet).toBe(wanted);
    expect(held.message).toContain(`capacity: ${wanted} users for 640 orders/min`);
    // Beyond the fleet's 4 workers × 100 users: capped there.
    const far = levelDecision(config, { ...s, level: 5000 }, CONTROLLER_PLATEAU, 900);
    expect(far.users).toBe(400);
    // Climbing: the controller's decision as it is.
    expect(levelDecision(config, initialCapacityState(), CONTROLLER_PLATEAU, 900)).toBe(CONTROLLER_PLATEAU);
  });

  it('fits the curve’s rates non-decreasing in the users by least squares, leaving a rising curve as it is', () => {
    const rising = [10, 20, 30].map((users) => ({ users, ordersPerMinute: 12 * users }));
    expect(monotoneFit(rising)).toEqual(rising);
    const noisy = [
      { users: 10, ordersPerMinute: 120 },
      { users: 14, ordersPerMinute: 200 },
      { users: 16, ordersPerMinute: 160 },
      { users: 18, ordersPerMinute: 210 },
    ];
    const fitted = monotoneFit(noisy).map((p) => p.ordersPerMinute);
    // 200 and 160 fall as users grow: both take their mean; the total stays (least squares).
    expect(fitted).toEqual([120, 180, 180, 210]);
    expect(fitted.reduce((a, b) => a + b)).toBe(noisy.reduce((a, p) => a + p.ordersPerMinute, 0));
  });

  it('reads a level’s users off a curve measured at short ticks without too few users, over 200 seeds', () => {
    // 12 orders per user and minute up to 260 orders/min (the demo shop's shape at 1 replica), measured at 10-s
    // ticks: a tick counts 3 or 4 of the workers' 3-s reports, its rate reads 0.9 or 1.2 of the truth.
    const ratios: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const random = rng(seed);
      const climbCurve = Array.from({ length: 18 }, (_, i) => {
        const users = 2 * (i + 1);
        return { users, ordersPerMinute: Math.min(12 * users, 260) * (random() < 1 / 3 ? 1.2 : 0.9) };
      });
      const s: CapacityState = { ...initialCapacityState(), phase: 'hold', level: 200, climbCurve };
      ratios.push((levelUsers(s) as number) / (200 / 12));
    }
    const median = ratios.sort((a, b) => a - b)[100] as number;
    // The upper envelope of the points read the reports' top: 4 % too few users on the median.
    expect(median).toBeGreaterThanOrEqual(1);
    expect(median).toBeLessThanOrEqual(1.08);
  });

  it('reads a level near a paced system’s capacity off the points where every SLO held, over 200 seeds', () => {
    // Paced users (12 orders per user and minute) up to 780 orders/min (the demo shop at 3 replicas), climbed at
    // 10-s ticks past the capacity: beyond it the users only queue, and latency breaches.
    const level = 0.97 * 780;
    const ratios: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const random = rng(seed);
      const climbCurve = Array.from({ length: 25 }, (_, i) => {
        const users = 4 * (i + 1);
        const rate = Math.min(12 * users, 780) * (random() < 1 / 3 ? 1.2 : 0.9);
        return { users, ordersPerMinute: rate, ...(12 * users > 780 ? { breaching: true as const } : {}) };
      });
      const s: CapacityState = { ...initialCapacityState(), phase: 'hold', level, climbCurve };
      ratios.push((levelUsers(s) as number) / (level / 12));
    }
    ratios.sort((a, b) => a - b);
    // Read off every point, the queued ones too: 13 % too many users on the median, 54 % on one seed in ten.
    expect(ratios[100]).toBeGreaterThanOrEqual(0.9);
    expect(ratios[100]).toBeLessThanOrEqual(1.05);
    expect(ratios[180]).toBeLessThanOrEqual(1.3);
  });

  it('leaves a level not met for an SLO out of the curve a level’s users are read off', () => {
    const climbCurve = [10, 20, 30].map((users) => ({ users, ordersPerMinute: 12 * users }));
    const queued = { ...climbToBreachAt(800).levels[0], level: 400, users: 60, ordersPerMinute: 400 };
    const breached = { ...queued, limit: { kind: 'slo' as const, slo: P95.id, label: P95.label } };
    const s: CapacityState = { ...initialCapacityState(), phase: 'hold', level: 400, climbCurve };
    // 400 orders/min at 12 per user: 34 users, not the 60 that delivered it while p95 breached.
    expect(levelUsers({ ...s, levels: [breached as LevelOutcome] })).toBe(34);
    expect(levelUsers({ ...s, levels: [{ ...queued, limit: null, met: true } as LevelOutcome] })).toBe(60);
  });

  it('extrapolates a queueing curve beyond what was measured, and at most doubles the most users measured', () => {
    // U/X = a + k·U with a = 0.3 min, k = 1/2000 (a capacity of 2,000 orders/min): X = U / (0.3 + U/2000).
    const X = (users: number) => users / (0.3 + users / 2000);
    const climbCurve = [300, 500, 700, 900].map((users) => ({ users, ordersPerMinute: X(users) }));
    const s: CapacityState = { ...initialCapacityState(), phase: 'hold', level: 1400, climbCurve };
    // U = a·X / (1 − k·X): 0.3 × 1400 / 0.3 = 1400 users, beyond the 900 measured.
    expect(levelUsers(s)).toBe(1400);
    // 1,900 orders/min needs 11,400 users by the line: at most twice the 900 measured.
    expect(levelUsers({ ...s, level: 1900 })).toBe(900 * LEVEL_USERS_GROWTH);
    // Beyond the line's capacity.
    expect(levelUsers({ ...s, level: 2500 })).toBe(900 * LEVEL_USERS_GROWTH);
  });

  it('fails a level at once when a breach counts in its window, naming the SLO', () => {
    const s = advance(PLAN, climbToBreachAt(800), tick(6, 640));
    const judged = advance(PLAN, s, tick(7, 640));
    const breached = advance(PLAN, judged, tick(8, 640, BREACH));
    expect(breached.levels.at(-1)).toMatchObject({ level: 640, met: false, limit: { kind: 'slo' } });
    expect(breached.level).toBe(640 * (1 - BACKOFF));
  });

  it('names the load generators, not the SLO, for a breach with the workers at their CPU limit once the climb met it', () => {
    const cpu = 'workers at 96 % CPU with 4 workers (add Locust workers)';
    const busy = {
      ordersPerMinute: 800,
      users: 260,
      reason: 'generators-busy' as const,
      evidence: 'load generators at their CPU limit',
      sinceTick: 5,
      limitedBy: 'load-generators' as const,
    };
    const breachBusy = (climbed: CapacityState) => {
      const s = advance(PLAN, climbed, tick(6, 640));
      const held = advance(PLAN, advance(PLAN, s, tick(7, 640, { generatorCpu: cpu })), tick(8, 640));
      return advance(PLAN, held, tick(9, 640, BREACH)).levels.at(-1);
    };
    let climb = initialCapacityState();
    for (let n = 1; n <= 4; n++) climb = advance(PLAN, climb, tick(n, 160 * n));
    const byGenerators = advance(PLAN, climb, tick(5, 800, { saturation: busy, generatorCpu: cpu }));
    expect(byGenerators.climb?.limit).toMatchObject({ kind: 'load-generators' });
    expect(breachBusy(byGenerators)).toMatchObject({
      met: false,
      limit: { kind: 'load-generators', evidence: `SLO p95 of "checkout" breached while the ${cpu}` },
    });
    // A climb stopped by the SLO: the users a level piles up loaded the generators, the breach is the SLO's.
    expect(breachBusy(climbToBreachAt(800))).toMatchObject({ met: false, limit: { kind: 'slo' } });
    // The climb's own breach with the generators at their limit is theirs.
    const stopped = advance(PLAN, climb, tick(5, 800, { ...BREACH, generatorCpu: cpu }));
    expect(stopped.climb?.limit).toMatchObject({ kind: 'load-generators' });
  });

  it(`judges a level from steady state: settling goes on while an SLO breaches, for ${MAX_SETTLE_SECONDS} s at most`, () => {
    const tenSeconds = { ...PLAN, tickSeconds: 10, totalSeconds: 600 };
    const at = (n: number, extra: Partial<CapacityTick> = {}) =>
      tick(n, 640, { elapsedSeconds: n * 10, minutes: 1 / 6, orders: 640 / 6, ...extra });
    let s = climbToBreachAt(800);
    // The climb's backlog drains: breaching for 8 ticks after the level began (tick 5), then over.
    for (let n = 6; n <= 13; n++) s = advance(tenSeconds, s, at(n, BREACH));
    expect(s.levels).toHaveLength(1);
    expect(levelWindowStart(s)).toBe(14);
    for (let n = 14; n <= 16; n++) s = advance(tenSeconds, s, at(n));
    expect(s.levels.at(-1)).toMatchObject({ level: 640, met: true });
    // A breach that outlasts the longest settling is the level's.
    let lasting = climbToBreachAt(800);
    const longest = MAX_SETTLE_SECONDS / 10;
    for (let n = 6; n <= 5 + longest + 1; n++) lasting = advance(tenSeconds, lasting, at(n, BREACH));
    expect(lasting.levels.at(-1)).toMatchObject({ level: 640, met: false, limit: { kind: 'slo' } });
  });

  it('fails a level on an SLO only when its breach persists breachTicks of the level’s own ticks', () => {
    const twoTicks = { ...PLAN, breachTicks: 2 };
    const s = advance(twoTicks, climbToBreachAt(800), tick(6, 640));
    // Breaching one judged tick, then over: it did not persist.
    const judged = advance(twoTicks, s, tick(7, 640));
    const carried = advance(twoTicks, judged, tick(8, 640, BREACH));
    expect(carried.levels).toHaveLength(1);
    const met = advance(twoTicks, carried, tick(9, 640));
    expect(met.levels.at(-1)).toMatchObject({ level: 640, met: true });
    // Breaching two judged ticks in a row: not met.
    const twice = [8, 9].reduce((acc, n) => advance(twoTicks, acc, tick(n, 640, BREACH)), judged);
    expect(twice.levels.at(-1)).toMatchObject({ level: 640, met: false, limit: { kind: 'slo' } });
  });

  it('fails a level whose SLO breaches at the last judged tick, persisting or not: that tick judges the window', () => {
    const twoTicks = { ...PLAN, breachTicks: 2 };
    const s = advance(twoTicks, climbToBreachAt(800), tick(6, 640));
    const late = [7, 8].reduce((acc, n) => advance(twoTicks, acc, tick(n, 640)), s);
    const failed = advance(twoTicks, late, tick(9, 640, { breaches: [], breaching: [P95] }));
    expect(failed.levels.at(-1)).toMatchObject({
      level: 640,
      met: false,
      limit: { kind: 'slo', slo: P95.id },
    });
    // The bound is the rate it breached at, plus the counting noise.
    expect(failed.levels.at(-1)?.high).toBeGreaterThan(640);
  });

  it('fails a level not delivered when orders did not follow the users: the system, or the load generators', () => {
    const s = advance(PLAN, climbToBreachAt(800), tick(6, 640));
    // At most 500 orders/min, whatever the users: the loop steps up once, orders do not follow, it stops there.
    const flat = follow(s, 7, 10, (users) => Math.min(500, 3 * users));
    const judged = flat.levels.find((l) => l.level === 640);
    expect(judged).toMatchObject({ met: false, limit: { kind: 'system' } });
    expect(flat.failed?.high).toBeCloseTo(640 / (1 - DELIVERY_TOLERANCE));
    const users = judged?.users as number;
    expect(users).toBeGreaterThan(640 / 3);
    expect(users).toBeLessThan(LEVEL_USERS_GROWTH * 267);
    // The load generators cap the users: no step up, and the limit is theirs.
    const capped = follow(s, 7, 10, (users) => 2.4 * users, { generatorLimit: 'users capped by the fleet' });
    const cappedLevel = capped.levels.find((l) => l.level === 640);
    expect(cappedLevel?.limit?.kind).toBe('load-generators');
    expect(cappedLevel?.users).toBe(levelUsers(s));
  });

  it('closes a shortfall within the level: orders per user 20 % below the curve’s, the level is met at its rate', () => {
    const s = advance(PLAN, climbToBreachAt(800), tick(6, 640));
    // 2.4 orders per user and minute where the climb measured 3: the curve's 214 users deliver 514.
    // One tick at the curve's users: the loop asks the curve for ~640 ÷ 0.8, and the held tick's note says so.
    const stepped = follow(s, 7, 1, (users) => 2.4 * users);
    const config = { maxUsers: 10_000, usersPerWorker: 500, fleet: null } as unknown as ControllerConfig;
    expect(levelDecision(config, stepped, CONTROLLER_PLATEAU, 214).message).toMatch(/the curve's for 80\d/);
    const met = follow(s, 7, 10, (users) => 2.4 * users);
    const level = met.levels.at(-1) as LevelOutcome;
    expect(level).toMatchObject({ level: 640, met: true });
    // Judged only on ticks after the step: the window delivered the level, with the users it takes.
    expect(Math.abs(level.ordersPerMinute / 640 - 1)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(level.users / (640 / 2.4) - 1)).toBeLessThanOrEqual(0.02);
  });

  it('does not chase counting noise: users move only beyond 2 σ of the level’s pooled orders', () => {
    const s = advance(PLAN, climbToBreachAt(800), tick(6, 640));
    const start = levelUsers(s) as number;
    // ±4 % tick to tick (σ of 640 orders ≈ 4 %): the users stay.
    let n = 6;
    const noisy = follow(s, 7, 4, (users) => 3 * users * (n++ % 2 === 0 ? 1.04 : 0.96));
    expect(noisy.levels.at(-1)).toMatchObject({ level: 640, met: true });
    expect(noisy.levels.at(-1)?.users).toBe(start);
  });

  it('does not step the users up while an SLO breaches: latency rising is queueing', () => {
    const twoTicks = { ...PLAN, breachTicks: 2 };
    const s = advance(twoTicks, climbToBreachAt(800), tick(6, 640));
    const start = levelUsers(s) as number;
    const breaching = { breaches: [], breaching: [P95] };
    const held = advance(twoTicks, s, tick(7, 2.4 * start, { users: start, ...breaching }));
    expect(levelUsers(held)).toBe(start);
    const stepped = advance(twoTicks, s, tick(7, 2.4 * start, { users: start }));
    expect(levelUsers(stepped) as number).toBeGreaterThan(start);
  });

  it('counts a level as delivered within the tolerance and the counting noise', () => {
    const s = advance(PLAN, climbToBreachAt(800), tick(6, 640));
    // The system's peak is the tolerance below the level: the loop's step up finds no more orders, and stops.
    const peak = 640 * (1 - DELIVERY_TOLERANCE);
    const near = follow(s, 7, 10, (users) => Math.min(peak, 3 * users));
    expect(near.levels.find((l) => l.level === 640)?.met).toBe(true);
  });
});

describe('the bisection', () => {
  it('converges between the highest level met and the lowest not met, to the resolution', () => {
    // SLOs hold up to 730 orders/min; the system delivers whatever is asked.
    const { state } = run(climbToBreachAt(800), 5, (level) => ({ rate: level, breach: level > 730 }));
    const result = capacityResult(state);
    expect(result.end).toBe('converged');
    expect(result.ordersPerMinute as number).toBeLessThanOrEqual(730);
    expect(result.ordersPerMinute as number).toBeGreaterThan(
      730 - (PLAN.parameters.resolutionOrdersPerMinute ?? 0),
    );
    expect(result.range.low as number).toBeLessThanOrEqual(730);
    expect(result.range.high as number).toBeGreaterThanOrEqual(730);
    expect(result.limit).toMatchObject({ kind: 'slo', slo: 'request:checkout:p95' });
  });

  it('looks above a climb that stopped low, until a held level fails', () => {
    // The climb stopped at 500 (a transient), the system sustains 900.
    const { state } = run(climbToBreachAt(500), 5, (level) => ({ rate: Math.min(level, 900) }));
    const result = capacityResult(state);
    expect(result.range.low as number).toBeLessThanOrEqual(900);
    expect(result.range.high as number).toBeGreaterThanOrEqual(900);
    expect(
      result.ordersPerMinute as number,
      JSON.stringify(state.levels.map((l) => [l.level, l.met, l.ordersPerMinute])),
    ).toBeGreaterThan(850);
    expect(result.limit?.kind).toBe('system');
  });

  it('says so when the plateau ends before it converged, with the bracket it has', () => {
    const short = {
      ...PLAN,
      totalSeconds: 600 + 8 * 60,
      parameters: { ...PLAN.parameters, resolutionOrdersPerMinute: 1 },
    };
    let s = initialCapacityState();
    for (let n = 1; n <= 4; n++) s = advance(short, s, tick(n, n * 150));
    s = advance(short, s, tick(5, 800, BREACH));
    const { state } = run(s, 5, (level) => ({ rate: level, breach: level > 730 }), short);
    expect(state.result?.end).toBe('out-of-time');
    expect(state.result?.ordersPerMinute).not.toBeNull();
  });

  it('finds nothing to hold when every level breaches, down to the resolution', () => {
    const long = { ...PLAN, totalSeconds: 6000 };
    const { state } = run(climbToBreachAt(800), 5, (level) => ({ rate: level, breach: true }), long);
    expect(state.result).toMatchObject({ end: 'nothing-met', ordersPerMinute: null, range: { low: null } });
  });
});

describe("the controller's plan", () => {
  const base: ControllerConfig = {
    targetOrdersPerMinute: 1000,
    rampUpSeconds: 600,
    plateauSeconds: 1800,
    tickSeconds: 60,
    initialOrdersPerUserPerMinute: 3,
    maxUsers: 400,
    usersPerWorker: 100,
    fleet: { minWorkers: 1, maxWorkers: 3 },
  };

  it('climbs as the ordinary ramp, holds a level flat to the same end, and stops when done', () => {
    expect(capacityControllerConfig(base, initialCapacityState())).toEqual(base);
    const holding = climbToBreachAt(800);
    expect(capacityControllerConfig(base, holding)).toMatchObject({
      targetOrdersPerMinute: 640,
      rampUpSeconds: 0,
      plateauSeconds: 2400,
    });
    const done = { ...holding, phase: 'done' as const };
    expect(capacityControllerConfig(base, done)).toMatchObject({ rampUpSeconds: 0, plateauSeconds: 0 });
  });

  it('reads the load generators’ limit from maxUsers and the fleet, their CPU once no worker is left to add', () => {
    const decision = (users: number, ran = 0, cpu: number | null = null) =>
      ({ users, state: { last: { users: ran } }, workerCpuPercent: cpu }) as Decision;
    const roomy = { ...base, maxUsers: 1000 };
    expect(generatorLimit(base, decision(400))).toContain('maxUsers 400');
    expect(generatorLimit(roomy, decision(300))).toContain('3 workers host 300 users');
    expect(generatorLimit(roomy, decision(299))).toBeNull();
    // A held level's users are the search's: those that ran the interval at the fleet's limit.
    expect(generatorLimit(roomy, decision(120, 300))).toContain('3 workers host');
    // Below the fleet's maximum the controller asks for another worker instead.
    expect(generatorCpuLimit(roomy, decision(200, 0, 95), 2)).toBeNull();
    expect(generatorCpuLimit(roomy, decision(200, 0, 95), 3)).toBe(
      "workers at 95 % CPU with 3 workers (the fleet's maximum of 3)",
    );
    expect(generatorCpuLimit(roomy, decision(200, 0, 89), 3)).toBeNull();
    expect(generatorCpuLimit({ ...roomy, fleet: null }, decision(200, 0, 91), 4)).toBe(
      'workers at 91 % CPU with 4 workers (add Locust workers)',
    );
  });

  it('takes counted breaches from the SLO watch, but not the KPI’s attainment', () => {
    const track = (id: string, kind: SloTrack['kind'], status: SloTrack['status']): SloTrack => ({
      id,
      kind,
      label: id,
      threshold: '',
      status,
      observed: 1,
      consecutive: 2,
      since: null,
      longest: 2,
      worst: 1,
    });
    expect(
      countedBreaches([
        track('a', 'latency', 'breached'),
        track('b', 'latency', 'breaching'),
        track('kpi-attainment', 'kpi', 'breached'),
        track('c', 'alarm', 'breached'),
      ]),
    ).toEqual([
      { id: 'a', label: 'a' },
      { id: 'c', label: 'c' },
    ]);
  });
});
