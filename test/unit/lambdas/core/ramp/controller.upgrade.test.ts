import { describe, expect, it } from 'vitest';
import { runController, SYSTEMS } from '../../../../../bench/ramp-bench';

/**
 * A run in flight during an upgrade: the previous controller (bench/previous-controller.ts, the state version 2
 * the deployed conductor writes) runs the first ticks on a simulated system, then this controller decides from
 * the state it left. Over many seeds: no saturation on a reachable system, no jump of users at the upgrade, and
 * the ramp still ends on the plan as often as a run without an upgrade does.
 */
describe('a run in flight during the upgrade continues', () => {
  const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
  describe.each(['linear', 'queueing'].map((n) => [n, SYSTEMS.find((s) => s.name === n)] as const))(
    'on the %s system, upgraded at tick 5',
    (_name, system) => {
      it(`continues without a false saturation or a jump, and ends the ramp within ±5 % on 4 in 5 and ±8 % on all (${seeds.length} seeds)`, () => {
        if (!system) throw new Error('the benchmark lost a system');
        const failures: string[] = [];
        const beyond5: string[] = [];
        for (const seed of seeds) {
          const { figures, trace } = runController(system, seed, undefined, 'previous', 5);
          const [before, after] = [trace.ticks[3]?.users ?? 0, trace.ticks[4]?.users ?? 0];
          if (figures.falseSaturation) failures.push(`seed ${seed}: ${trace.saturationMessage}`);
          if (after < before * 0.9 || after > before * 1.6)
            failures.push(`seed ${seed}: ${before} → ${after} users`);
          const end = `seed ${seed}: end of ramp ${(figures.endOfRampError * 100).toFixed(1)} %`;
          if (Math.abs(figures.endOfRampError) > 0.08) failures.push(end);
          else if (Math.abs(figures.endOfRampError) > 0.05) beyond5.push(end);
        }
        expect(failures).toEqual([]);
        // On the queueing system one ramp in ~15 ends beyond ±5 % after an upgrade (17 and 22 of 300 seeds with
        // the staircase and the settled counts).
        expect(beyond5.length, beyond5.join('; ')).toBeLessThanOrEqual(seeds.length / 5);
      });
    },
  );
});
