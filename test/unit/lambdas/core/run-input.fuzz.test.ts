import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../lambdas/core/config';
import { validateRunInput } from '../../../../lambdas/core/run-input';
import runInputSchema from '../../../../schema/run-input.schema.json' with { type: 'json' };
import {
  deepFreeze,
  type Json,
  namesInput,
  paths,
  Rng,
  schemaProperties,
  set,
  wrongValue,
} from '../../../support/schema-generator';

/**
 * Execution inputs generated from valid ones by a seeded generator: each broken in one to three ways that
 * the schema or the configuration refuse. Every one must be refused with problems naming fields of the
 * input, without a crash and without the input changing.
 */
const config = parseConfig(JSON.parse(readFileSync('config/example.json', 'utf8')));
const FIELDS = schemaProperties(runInputSchema);
const CASES = 300;

const VALID: readonly Json[] = [
  { environment: 'staging', targetOrdersPerMinute: 1200 },
  {
    environment: 'staging',
    targetOrdersPerMinute: 600,
    rampUpMinutes: 10,
    plateauMinutes: 20,
    scenario: 'mixed',
    deployProductionVersions: false,
    applications: ['checkout'],
    tickSeconds: 30,
    dryRun: true,
  },
];

/** Mutations that always make an input invalid. */
const BREAKERS: readonly ((rng: Rng, doc: Json) => Json)[] = [
  (_, d) => set(d, ['environment'], undefined),
  (_, d) => set(d, ['targetOrdersPerMinute'], undefined),
  (rng, d) => set(d, ['environment'], rng.pick(['Staging', 'nope', 'production', '', '-x', 'a'.repeat(70)])),
  (rng, d) => set(d, ['targetOrdersPerMinute'], rng.pick([0, -1, 6001, 1e12, '100', null, [], true])),
  (rng, d) => set(d, ['rampUpMinutes'], rng.pick([-1, 1441, '5', null, {}])),
  (rng, d) => set(d, ['plateauMinutes'], rng.pick([-0.5, 10081, 'long', false])),
  (rng, d) => set(d, ['tickSeconds'], rng.pick([4, 301, 7.5, 0, '60', null])),
  (rng, d) => set(d, ['scenario'], rng.pick(['unknown', 'UP', '', 'a b', 3])),
  (rng, d) =>
    set(
      d,
      ['applications'],
      rng.pick([[], ['ghost'], ['checkout', 'checkout'], [1], 'checkout', [''], null]),
    ),
  (rng, d) => set(d, ['deployProductionVersions'], rng.pick(['yes', 1, null, []])),
  (rng, d) => set(d, ['dryRun'], rng.pick(['true', 0, {}])),
  (rng, d) =>
    set(d, [rng.pick(['extra', 'Environment', 'target', '__proto__x', 'a.b', '[0]'])], wrongValue(rng, null)),
  (_, d) => set(set(set(d, ['rampUpMinutes'], 1440), ['plateauMinutes'], 20160), ['tickSeconds'], 5),
  (_, d) => set(set(d, ['rampUpMinutes'], 0), ['plateauMinutes'], 0),
  (_, d) => set(set(d, ['rampUpMinutes'], 0.05), ['tickSeconds'], 60),
  (rng, d) => {
    // Any existing field given a value of another type.
    const path = rng.pick(paths(d));
    return set(d, path, rng.pick([null, [], {}, 'x', -1e308, true]));
  },
];

function generate(seed: number): Json {
  const rng = new Rng(seed);
  const roll = rng.next();
  // Not an object at all.
  if (roll < 0.05) return rng.pick([null, [], 'staging', 42, true, [{ environment: 'staging' }]]);
  let doc = structuredClone(rng.pick(VALID)) as Json;
  for (let i = rng.int(1, 3); i > 0; i--) doc = rng.pick(BREAKERS)(rng, doc);
  return doc;
}

describe(`validateRunInput refuses ${CASES} generated invalid inputs`, () => {
  it('each with problems naming fields of the input, no crash, input unchanged', () => {
    const refusedBy = new Map<string, number>();
    for (let seed = 1; seed <= CASES; seed++) {
      const input = generate(seed);
      const before = structuredClone(input);
      deepFreeze(input);
      let result: ReturnType<typeof validateRunInput>;
      try {
        result = validateRunInput(input, config);
      } catch (err) {
        throw new Error(`seed ${seed} crashed: ${(err as Error).stack}\ninput: ${JSON.stringify(before)}`);
      }
      const context = `seed ${seed}: ${JSON.stringify(before)}`;
      expect(result.ok, context).toBe(false);
      if (result.ok) continue;
      expect(result.problems.length, context).toBeGreaterThan(0);
      for (const p of result.problems) {
        expect(typeof p.rule === 'string' && p.rule.length > 0, context).toBe(true);
        expect(namesInput(before, p.field, FIELDS), `${context}\nnames no field: ${JSON.stringify(p)}`).toBe(
          true,
        );
        refusedBy.set(p.field, (refusedBy.get(p.field) ?? 0) + 1);
      }
      expect(isDeepStrictEqual(input, before), `${context} was mutated`).toBe(true);
    }
    // The generator reaches every field of the schema.
    for (const field of [
      'environment',
      'targetOrdersPerMinute',
      'rampUpMinutes',
      'plateauMinutes',
      'tickSeconds',
      'scenario',
      'applications',
      'dryRun',
    ]) {
      expect(
        [...refusedBy.keys()].some((f) => f.startsWith(field)),
        field,
      ).toBe(true);
    }
  });

  it('accepts the inputs the generator starts from (the check is not vacuous)', () => {
    for (const v of VALID) expect(validateRunInput(v, config).ok).toBe(true);
  });
});
