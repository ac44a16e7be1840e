import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCENARIO,
  RUNAWAY_FACTOR,
  type RunResult,
  runController,
  type Scenario,
  SYSTEMS,
} from '../../bench/ramp-bench';
import type { BenchSystem } from '../../bench/systems';
import { MAX_GROWTH, MIN_STEP } from '../../lambdas/core/ramp/limits';

/**
 * Properties known to fail on some of the seeds, by system name, with the runs observed failing them. Each is
 * pinned as `it.fails` (it flips when fixed) beside a real assertion that no more runs fail than observed.
 */
export interface KnownFaults {
  /** Reachable systems: runs with a saturation reported, users run away or a growth beyond the limit. */
  readonly reachable?: Readonly<Record<string, number>>;
  /** Unreachable systems: runs with no saturation within 3 ticks of the plan crossing the capacity. */
  readonly lateSaturation?: Readonly<Record<string, number>>;
  /** Unreachable systems: runs whose users went beyond ×RUNAWAY_FACTOR of those the system can use. */
  readonly runaway?: Readonly<Record<string, number>>;
}

/**
 * Properties of the controller over many seeds of the benchmark's simulated systems (bench/systems.ts) under a
 * plan (`scenario`: the product's default, or one it was not tuned for), never
 * one seed's outcome: no saturation on a reachable system, saturation within 3 ticks of the plan crossing the
 * capacity on an unreachable one, users never beyond twice those the system can use, growth bounded per tick.
 */
export function rampProperties(
  seeds: readonly number[],
  known: KnownFaults = {},
  scenario: Scenario = DEFAULT_SCENARIO,
): void {
  const reachable = SYSTEMS.filter((s) => s.reachable);
  const unreachable = SYSTEMS.filter((s) => !s.reachable);
  checkKnownNames(known);

  // Several properties read the same runs; a run is deterministic in its system and seed.
  const runs = new Map<string, RunResult>();
  const run = (system: BenchSystem, seed: number): RunResult => {
    const key = `${system.name}#${seed}`;
    let result = runs.get(key);
    if (!result) {
      result = runController(system, seed, scenario);
      runs.set(key, result);
    }
    return result;
  };

  describe.each(reachable.map((s) => [s.name, s] as const))('on the reachable %s system', (name, system) => {
    property(
      `reports no saturation and users never run away (${seeds.length} seeds)`,
      known.reachable?.[name],
      () =>
        failingSeeds(seeds, (seed) => {
          const { figures, trace } = run(system, seed);
          const reasons: string[] = [];
          if (figures.falseSaturation) reasons.push(`${trace.saturationMessage}`);
          if (figures.runaway) reasons.push(`users ran away (max ${figures.maxUsers})`);
          for (let i = 1; i < trace.ticks.length; i++) {
            const before = trace.ticks[i - 1]?.users ?? 0;
            const now = trace.ticks[i]?.users ?? 0;
            if (now > Math.ceil(before * MAX_GROWTH) + MIN_STEP || now < 1)
              reasons.push(`${before} → ${now} users at tick ${i + 1}`);
          }
          return reasons;
        }),
    );
  });

  describe.each(unreachable.map((s) => [s.name, s] as const))(
    'on the unreachable %s system',
    (name, system) => {
      property(
        `reports saturation within 3 ticks of the plan crossing the capacity, says which side is the limit (${seeds.length} seeds)`,
        known.lateSaturation?.[name],
        () =>
          failingSeeds(seeds, (seed) => {
            const { figures, trace } = run(system, seed);
            const ticks = figures.saturationTicks;
            if (ticks == null || ticks > 3) return [`saturation after ${ticks ?? 'never'} ticks`];
            const named =
              /^target unreachable: saturated at \d+ orders\/min with \d+ users, limited by the (system under test|load generators)/;
            return named.test(trace.saturationMessage ?? '') ? [] : [`${trace.saturationMessage}`];
          }),
      );
    },
  );

  it(`names the load generators as the limit where their CPU is (${seeds.length} seeds)`, () => {
    const system = SYSTEMS.find((s) => s.name === 'generators’ CPU');
    if (!system) throw new Error('the benchmark lost its generators’ CPU system');
    for (const seed of seeds)
      expect(run(system, seed).trace.saturationMessage, `seed ${seed}`).toMatch(
        /limited by the load generators/,
      );
  });

  it(`asks Locust for whole users on every tick of every system (${seeds.length} seeds)`, () => {
    const fractions = SYSTEMS.flatMap((system) =>
      failingSeeds(seeds, (seed) =>
        run(system, seed)
          .trace.ticks.filter((t) => !Number.isInteger(t.users))
          .map((t) => `${system.name}: ${t.users} users`),
      ),
    );
    // Locust's /swarm refuses a fraction: the Ramp tick would fail the run.
    expect(fractions).toEqual([]);
  });

  describe.each(unreachable.map((s) => [s.name, s] as const))(
    'on the unreachable %s system',
    (name, system) => {
      property(
        `never lets users run away beyond ×${RUNAWAY_FACTOR} (${seeds.length} seeds)`,
        known.runaway?.[name],
        () =>
          failingSeeds(seeds, (seed) => {
            const { figures } = run(system, seed);
            return figures.runaway ? [`users ran away (max ${figures.maxUsers})`] : [];
          }),
      );
    },
  );
}

/** The seeds whose run breaks the property, each with its reasons. */
function failingSeeds(seeds: readonly number[], reasonsOf: (seed: number) => string[]): string[] {
  return seeds.flatMap((seed) => {
    const reasons = reasonsOf(seed);
    return reasons.length > 0 ? [`seed ${seed}: ${reasons.join('; ')}`] : [];
  });
}

/**
 * A property holds when no seed fails it. A known fault (`knownFailures` runs observed failing it) is pinned
 * as `it.fails`, which passes while the property fails and fails once it is fixed, beside a bound that
 * catches it getting worse.
 */
function property(name: string, knownFailures: number | undefined, failures: () => string[]): void {
  if (knownFailures === undefined) {
    it(name, () => expect(failures()).toEqual([]));
    return;
  }
  const runs = `${knownFailures} run${knownFailures === 1 ? '' : 's'}`;
  it.fails(`${name} — known fault on ${runs}`, () => expect(failures()).toEqual([]));
  it(`${name} — failing on no more than the ${runs} known`, () =>
    expect(failures().length, failures().join('\n')).toBeLessThanOrEqual(knownFailures));
}

/** A known fault naming a system the benchmark no longer has would pin nothing. */
function checkKnownNames(known: KnownFaults): void {
  const names = new Set(SYSTEMS.map((s) => s.name));
  const unknown = [known.reachable, known.lateSaturation, known.runaway]
    .flatMap((byName) => Object.keys(byName ?? {}))
    .filter((name) => !names.has(name));
  if (unknown.length > 0)
    throw new Error(`known faults name systems the benchmark does not have: ${unknown}`);
}
