import { describe, expect, it } from 'vitest';
import { runController, SYSTEMS } from '../../../../../bench/ramp-bench';

/**
 * A run in flight during an upgrade: the previous controller (bench/previous-controller.ts, the state version 2
 * the deployed conductor writes) runs the first ticks on a simulated system, then this controller decides from
 * the state it left. Over many seeds: no saturation on a reachable system, no jump of users at the upgrade, and
 * the ramp still ends on the plan.
 */
describe('a run in flight during the upgrade continues', () => {
  const seeds = Array.from({ length: 8 }, (_, i) => i + 1);
  describe.each(['linear', 'queueing'].map((n) => [n, SYSTEMS.find((s) => s.name === n)] as const))(
    'on the %s system, upgraded at tick 5',
    (_name, system) => {
      it(`continues without a false saturation or a jump, and ends the ramp within ±5 % (${seeds.length} seeds)`, () => {
        if (!system) throw new Error('the benchmark lost a system');
        const failures: string[] = [];
        for (const seed of seeds) {
          const { figures, trace } = runController(system, seed, undefined, 'previous', 5);
          const [before, after] = [trace.ticks[3]?.users ?? 0, trace.ticks[4]?.users ?? 0];
          if (figures.falseSaturation) failures.push(`seed ${seed}: ${trace.saturationMessage}`);
          if (after < before * 0.9 || after > before * 1.6)
            failures.push(`seed ${seed}: ${before} → ${after} users`);
          if (Math.abs(figures.endOfRampError) > 0.05)
            failures.push(`seed ${seed}: end of ramp ${(figures.endOfRampError * 100).toFixed(1)} %`);
        }
        expect(failures).toEqual([]);
      });
    },
  );
});
