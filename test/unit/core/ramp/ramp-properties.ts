import { describe, expect, it } from 'vitest';
import { RUNAWAY_FACTOR, runController, SYSTEMS } from '../../../../bench/ramp-bench';
import { MAX_GROWTH, MIN_STEP } from '../../../../lambdas/core/ramp/limits';

/**
 * Properties of the controller over many seeds of the benchmark's simulated systems (bench/systems.ts), never
 * one seed's outcome: no saturation on a reachable system, saturation within 3 ticks of the plan crossing the
 * capacity on an unreachable one, users never beyond twice those the system can use, growth bounded per tick.
 */
export function rampProperties(seeds: readonly number[]): void {
  const reachable = SYSTEMS.filter((s) => s.reachable);
  const unreachable = SYSTEMS.filter((s) => !s.reachable);

  describe.each(reachable.map((s) => [s.name, s] as const))('on the reachable %s system', (_name, system) => {
    it(`reports no saturation and users never run away (${seeds.length} seeds)`, () => {
      const failures: string[] = [];
      for (const seed of seeds) {
        const { figures, trace } = runController(system, seed);
        if (figures.falseSaturation) failures.push(`seed ${seed}: ${trace.saturationMessage}`);
        if (figures.runaway) failures.push(`seed ${seed}: users ran away (max ${figures.maxUsers})`);
        for (let i = 1; i < trace.ticks.length; i++) {
          const before = trace.ticks[i - 1]?.users ?? 0;
          const now = trace.ticks[i]?.users ?? 0;
          if (now > Math.ceil(before * MAX_GROWTH) + MIN_STEP || now < 1)
            failures.push(`seed ${seed}: ${before} → ${now} users at tick ${i + 1}`);
        }
      }
      expect(failures).toEqual([]);
    });
  });

  describe.each(unreachable.map((s) => [s.name, s] as const))(
    'on the unreachable %s system',
    (_name, system) => {
      it(`reports saturation within 3 ticks of the plan crossing the capacity, says which side is the limit (${seeds.length} seeds)`, () => {
        const failures: string[] = [];
        for (const seed of seeds) {
          const { figures, trace } = runController(system, seed);
          const ticks = figures.saturationTicks;
          if (ticks == null || ticks > 3)
            failures.push(`seed ${seed}: saturation after ${ticks ?? 'never'} ticks`);
          else if (
            !/^target unreachable: saturated at \d+ orders\/min with \d+ users, limited by the (system under test|load generators)/.test(
              trace.saturationMessage ?? '',
            )
          )
            failures.push(`seed ${seed}: ${trace.saturationMessage}`);
        }
        expect(failures).toEqual([]);
      });
    },
  );

  it(`names the load generators as the limit where their CPU is (${seeds.length} seeds)`, () => {
    const system = SYSTEMS.find((s) => s.name === 'generators’ CPU');
    if (!system) throw new Error('the benchmark lost its generators’ CPU system');
    for (const seed of seeds)
      expect(runController(system, seed).trace.saturationMessage, `seed ${seed}`).toMatch(
        /limited by the load generators/,
      );
  });

  it(`never lets users run away beyond ×${RUNAWAY_FACTOR} on an unreachable system, except where measured otherwise`, () => {
    const counts = unreachable.map((system) => ({
      system: system.name,
      runaway: seeds.filter((seed) => runController(system, seed).figures.runaway).length,
    }));
    // The hard limit (orders refused at once, latency unchanged) is invisible until it is crossed: see docs.
    expect(counts.filter((c) => c.system !== 'hard limit 50 %' && c.runaway > 0)).toEqual([]);
  });
}
