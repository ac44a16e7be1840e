import { describe, expect, it } from 'vitest';
import { runBaseline, runController, SYSTEMS } from '../../../bench/ramp-bench';
import { MAX_GROWTH, MIN_STEP } from '../../../lambdas/core/ramp-controller';

/**
 * Property-like checks of the controller over the benchmark's simulated systems (bench/sim.ts), three seeds
 * each: bounded growth, no collapse, the goals where a system allows them, and better than the seed's
 * algorithm everywhere.
 *
 * The bench's later systems (bench/systems.ts) found defects of this controller that issue 13 is about: on
 * them the properties below are pinned as failing (`it.fails`), so the day they hold the test says so.
 */
const SEEDS = [1, 2, 3];
/** Reachable systems where this controller's plateau error is not below the seed's algorithm's. */
const PLATEAU_WORSE_THAN_SEED = new Set([
  'conversion drop, late ramp',
  'conversion rise, late ramp',
  'conversion dip',
  'slow spawn ×0.5',
]);
/** Reachable systems where this controller reports a saturation the system does not have. */
const FALSE_SATURATION = new Set(['conversion drop, late ramp', 'conversion dip']);
const system = (name: string) => {
  const s = SYSTEMS.find((x) => x.name === name);
  if (!s) throw new Error(name);
  return s;
};

describe.each(SYSTEMS.map((s) => [s.name, s] as const))('on the %s system', (_name, spec) => {
  it.each(SEEDS)('seed %i: never grows users beyond ×MAX_GROWTH per tick, never collapses', (seed) => {
    const { trace } = runController(spec, seed);
    for (let i = 1; i < trace.ticks.length; i++) {
      const before = trace.ticks[i - 1]?.users ?? 0;
      expect(trace.ticks[i]?.users).toBeLessThanOrEqual(Math.ceil(before * MAX_GROWTH) + MIN_STEP);
      expect(trace.ticks[i]?.users).toBeGreaterThanOrEqual(1);
    }
    expect(trace.collapsed).toBe(false);
  });

  // Nobody can reach an unreachable system's plateau: see the saturation test.
  if (!spec.reachable) return;
  const known = PLATEAU_WORSE_THAN_SEED.has(spec.name) ? it.fails : it;
  known('has a lower plateau error than the seed’s algorithm (same seeds)', () => {
    const ours = SEEDS.map((s) => runController(spec, s).figures.plateauMae);
    const seed = SEEDS.map((s) => runBaseline(spec, s).figures.plateauMae);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(ours)).toBeLessThan(mean(seed));
  });
});

describe('goals of issue 4 where the system can meet them', () => {
  it.each(['linear', 'stats lag + reset', 'stall', 'conversion step'])(
    '%s: ±3 % at the end of the ramp, overshoot ≤ 5 %, plateau error ≤ 2 %',
    (name) => {
      for (const seed of SEEDS) {
        const f = runController(system(name), seed).figures;
        expect(Math.abs(f.endOfRampError), `seed ${seed}`).toBeLessThanOrEqual(0.03);
        expect(f.overshoot, `seed ${seed}`).toBeLessThanOrEqual(0.05);
        expect(f.plateauMae, `seed ${seed}`).toBeLessThanOrEqual(0.02);
      }
    },
  );

  // The noisy system's orders come in clumps of ~5: a tick's count alone is ±4 %, so its floor is near 2 %.
  it.each([
    ['queueing', 0.02],
    ['noisy', 0.025],
  ] as const)('%s: plateau error ≤ %d, overshoot ≤ 5 % (median of seeds)', (name, limit) => {
    {
      const figures = SEEDS.map((s) => runController(system(name), s).figures);
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] as number;
      expect(median(figures.map((f) => f.plateauMae)), name).toBeLessThanOrEqual(limit);
      expect(median(figures.map((f) => f.overshoot)), name).toBeLessThanOrEqual(0.05);
    }
  });

  // Orders per user fall ~30 % by the target: the shape's extrapolation, not only the level, must be right.
  it('queueing: within ±3 % of the target at the end of the ramp (median of seeds)', () => {
    const errors = SEEDS.map((s) => runController(system('queueing'), s).figures.endOfRampError);
    const median = [...errors].sort((a, b) => a - b)[1] as number;
    expect(Math.abs(median)).toBeLessThanOrEqual(0.03);
  });

  it('capacity below target: saturation reported within 3 ticks with the message, users stop growing', () => {
    for (const seed of SEEDS) {
      const { figures, trace } = runController(system('capacity < target'), seed);
      expect(figures.saturationTicks, `seed ${seed}`).not.toBeNull();
      expect(figures.saturationTicks ?? 99, `seed ${seed}`).toBeLessThanOrEqual(3);
      expect(trace.saturationMessage).toMatch(
        /^target unreachable: saturated at \d+ orders\/min with \d+ users/,
      );
      const after = trace.ticks.filter((t) => t.tick > (trace.saturationTick ?? 0));
      const held = Math.min(...after.map((t) => t.users));
      expect(Math.max(...after.map((t) => t.users))).toBeLessThanOrEqual(Math.ceil(held * 1.15) + 1);
      // The seed's algorithm keeps adding users into the saturated system.
      expect(runBaseline(system('capacity < target'), seed).figures.maxUsers).toBeGreaterThan(
        figures.maxUsers * 5,
      );
    }
  });

  // Taking the larger of two noisy user counts would add users everywhere: the decline must be beyond the noise.
  it('counts orders per user falling with load where latency grows, never from the noise of a linear system', () => {
    const declines = (name: string, seed: number) =>
      runController(system(name), seed).trace.ticks.filter((t) => t.message.includes('fall with load'))
        .length;
    for (const seed of [1, 2, 3, 4, 5]) {
      expect(declines('linear', seed), `linear seed ${seed}`).toBe(0);
      expect(declines('queueing', seed), `queueing seed ${seed}`).toBeGreaterThan(0);
    }
  });

  // Seed 32: a burst of orders at minute 5 looked like a change of conversion; the fit restarted from it with
  // no noise estimate, and the next, ordinary interval read as "users +20 %, orders −4 %": saturation.
  it('noisy, seed 32: a burst read as a change of conversion does not end in a saturation', () => {
    expect(runController(system('noisy'), 32).figures.falseSaturation).toBe(false);
  });

  // The decline line's root near its top: −0.86 orders/user/min per 1,000 users (−0.71 at the top in truth)
  // asked for 1,684 users where the plateau needed ~1,450; the end of the ramp overshot by 6–8 %.
  it('queueing, seeds 1039, 1159: the decline is not followed to its top, overshoot ≤ 5 %', () => {
    for (const seed of [1039, 1159]) {
      const f = runController(system('queueing'), seed).figures;
      expect(f.overshoot, `seed ${seed}`).toBeLessThanOrEqual(0.05);
    }
  });

  // Seeds where the knee took 4 ticks: the older intervals, at far fewer users, misfit the local shape near the
  // knee, and read as noise (3× Poisson) that misfit made a +35 % users / +1 % orders interval no strike.
  it('capacity below target, seeds 7, 19, 24, 33, 39: the knee is judged against the noise near it, within 3 ticks', () => {
    for (const seed of [7, 19, 24, 33, 39]) {
      const ticks = runController(system('capacity < target'), seed).figures.saturationTicks;
      expect(ticks ?? 99, `seed ${seed}`).toBeLessThanOrEqual(3);
    }
  });

  // One clumped interval early in the ramp, weighed against a noise not yet known, looked like a flat top.
  it('noisy, seeds 1096, 1145, 1332, 1386: one early strike alone is no saturation', () => {
    for (const seed of [1096, 1145, 1332, 1386])
      expect(runController(system('noisy'), seed).figures.falseSaturation, `seed ${seed}`).toBe(false);
  });

  it.each(SYSTEMS.filter((s) => s.reachable).map((s) => [s.name, s] as const))(
    'never reports saturation on %s, which can reach the target',
    (_name, spec) => {
      const check = () => {
        for (const seed of SEEDS)
          expect(runController(spec, seed).figures.falseSaturation, `seed ${seed}`).toBe(false);
      };
      if (!FALSE_SATURATION.has(spec.name)) return check();
      expect(
        check,
        'a known false saturation (issue 13) no longer happens: drop it from FALSE_SATURATION',
      ).toThrow();
    },
  );
});
