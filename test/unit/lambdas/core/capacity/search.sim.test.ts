import { describe, expect, it } from 'vitest';
import { capacityOrdersPerMinute, type SystemSpec } from '../../../../../bench/sim';
import { SYSTEMS } from '../../../../../bench/systems';
import {
  runCapacitySearch,
  SCENARIO,
  type SimulatedScenario,
} from '../../../../support/capacity-simulated-run';

/**
 * The capacity search over simulated systems under test and Locust (bench/sim.ts), many seeds each: the true
 * capacity (the most orders per minute the simulated system delivers, `capacityOrdersPerMinute`) lies within
 * the range the search states, the range is narrow, and the limit named is the one the system has.
 */
const SEEDS = Array.from({ length: 12 }, (_, i) => 101 + i);
const system = (name: string): SystemSpec => {
  const s = SYSTEMS.find((x) => x.name === name);
  if (!s) throw new Error(name);
  return s;
};

/** Within 400 users (4 workers × 100): a fleet too small for the linear system's 3 orders/user/min. */
const SMALL_FLEET: SimulatedScenario = {
  ...SCENARIO,
  maxUsers: 400,
  fleet: { minWorkers: 1, maxWorkers: 4, usersPerWorker: 100 },
};

/**
 * The queueing system whose orders per user fall 20 % as the holds begin (minute 8, after the climb stopped): a
 * machine loaded by others, a conversion that drifted. Its capacity in orders is unchanged, but the curve the
 * climb measured reads a fifth too few users for every level (on the demo shop the holds delivered 83–87 %).
 */
const LOADED: SystemSpec = {
  ...system('capacity < target'),
  name: 'loaded after the climb',
  conversionChanges: [{ atSeconds: 480, factor: 0.8 }],
};

describe.each([
  ['capacity < target', SCENARIO, ['system', 'slo']],
  ['loaded after the climb', SCENARIO, ['system', 'slo']],
  ['soft knee', SCENARIO, ['system']],
  ['hard limit 50 %', SCENARIO, ['slo', 'system']],
  ['generators’ CPU', SCENARIO, ['load-generators']],
  ['linear', SMALL_FLEET, ['load-generators']],
] as const)('on the %s system', (name, scenario, limits) => {
  const spec = name === LOADED.name ? LOADED : system(name);
  const runs = SEEDS.map((seed) => {
    const run = runCapacitySearch(spec, seed, scenario);
    const truth = capacityOrdersPerMinute(spec, run.seconds, scenario.maxUsers);
    return { seed, run, truth };
  });

  // Each bound is NOISE_Z = 2 σ of counting noise (≈ 97.5 % one-sided): of twelve seeds, one falls just outside on
  // ~45 % of systems by chance, two on ~10 %, three on ~2 %.
  it('states a range that holds the true capacity, on all seeds but at most two, and misses by ≤ 2 %', () => {
    const misses = runs.flatMap(({ seed, run, truth }) => {
      const low = run.result.range.low ?? Number.POSITIVE_INFINITY;
      const high = run.result.range.high ?? Number.POSITIVE_INFINITY;
      const by = Math.max(low - truth, truth - high, 0) / truth;
      return by > 0 ? [{ seed, by, message: run.result.message, truth }] : [];
    });
    expect(misses.length, JSON.stringify(misses)).toBeLessThanOrEqual(2);
    for (const miss of misses) expect(miss.by, JSON.stringify(miss)).toBeLessThanOrEqual(0.02);
  });

  it('reports a capacity near the truth, in a range narrower than a quarter of it (median of seeds)', () => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const errors = runs.map(({ run, truth }) => Math.abs((run.result.ordersPerMinute ?? 0) - truth) / truth);
    const widths = runs.map(
      ({ run, truth }) => ((run.result.range.high ?? 0) - (run.result.range.low ?? 0)) / truth,
    );
    expect(median(errors)).toBeLessThanOrEqual(0.08);
    expect(median(widths)).toBeLessThanOrEqual(0.25);
  });

  it(`names the limit (${limits.join(' or ')}) and ends the search within the plateau`, () => {
    for (const { seed, run } of runs) {
      expect(limits, `seed ${seed}: ${run.result.message}`).toContain(run.result.limit?.kind);
      expect(run.result.end, `seed ${seed}`).toMatch(/converged|out-of-time/);
      // Never more ticks than the run planned: the history budget's count of ticks holds.
      expect(run.ticks).toBeLessThanOrEqual(
        (scenario.rampUpSeconds + scenario.plateauSeconds) / scenario.tickSeconds,
      );
    }
  });
});

describe('on systems beyond the ceiling', () => {
  it.each(['queueing', 'noisy'])(
    '%s: the ceiling is met and named as the limit, no upper bound stated',
    (name) => {
      for (const seed of SEEDS.slice(0, 4)) {
        const { result, seconds } = runCapacitySearch(system(name), seed);
        expect(result.end).toBe('ceiling');
        expect(result.limit?.kind).toBe('ceiling');
        expect(result.range.high).toBeNull();
        expect(result.range.low as number).toBeLessThanOrEqual(
          capacityOrdersPerMinute(system(name), seconds),
        );
        // Met: delivered within DELIVERY_TOLERANCE (5 %) and the counting noise of the clumped orders.
        expect(Math.abs((result.ordersPerMinute as number) / SCENARIO.ceiling - 1)).toBeLessThanOrEqual(0.1);
      }
    },
  );
});
