import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../../lambdas/core/config';
import { ValidationError } from '../../../../../lambdas/core/errors';
import configSchema from '../../../../../schema/conductor-config.schema.json' with { type: 'json' };
import runInputSchema from '../../../../../schema/run-input.schema.json' with { type: 'json' };
import {
  deepFreeze,
  get,
  type Json,
  namesInput,
  paths,
  Rng,
  randomValue,
  schemaProperties,
  set,
  wrongValue,
} from '../../../../support/schema-generator';

/**
 * Configurations generated from the shipped examples by a seeded generator: a value replaced by one of
 * another type or an odd one, a field removed, an unknown field added, a test platform pointed at
 * production, a production environment made a target. Mutations that leave the configuration valid are
 * skipped (and counted); at least 200 invalid ones must each be refused with a ValidationError whose
 * problems name fields of the input — no other error, and the input unchanged.
 */
const BASES: readonly Json[] = ['config/example.json', 'config/example-eks-ecs.json'].map((f) =>
  JSON.parse(readFileSync(f, 'utf8')),
);
// Schedules carry execution inputs: their fields (defaulted ones too) are fields of the configuration.
const FIELDS = schemaProperties(runInputSchema, schemaProperties(configSchema));
const WANTED = 250;
const MAX_ATTEMPTS = 2000;

const MUTATIONS: readonly ((rng: Rng, doc: Json) => Json)[] = [
  (rng, d) => {
    const p = rng.pick(paths(d));
    return set(d, p, wrongValue(rng, get(d, p)));
  },
  (rng, d) => set(d, rng.pick(paths(d)), undefined),
  (rng, d) => {
    const objects = [[], ...paths(d)].filter((p) => {
      const v = get(d, p);
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });
    const at = rng.pick(objects);
    return set(d, [...at, rng.pick(['unknown', 'Url', 'replicas', 'a.b', '[1]'])], randomValue(rng));
  },
  (rng, d) => {
    // An environment's test platform made its production one (never written to), or the other way round.
    const envs = Object.keys((get(d, ['environments']) ?? {}) as object);
    const env = rng.pick(envs);
    const apps = (get(d, ['environments', env, 'applications']) ?? []) as Json[];
    if (apps.length === 0) return set(d, ['environments', env, 'applications'], []);
    const i = rng.int(0, apps.length - 1);
    return set(
      d,
      ['environments', env, 'applications', i, 'test'],
      get(d, ['environments', env, 'applications', i, 'production']) ?? null,
    );
  },
  (rng, d) => {
    const env = rng.pick(Object.keys((get(d, ['environments']) ?? {}) as object));
    return set(
      set(d, ['environments', env, 'production'], true),
      ['environments', env, 'loadTestTarget'],
      true,
    );
  },
  (rng, d) => {
    const env = rng.pick(Object.keys((get(d, ['environments']) ?? {}) as object));
    return set(d, ['environments', env, 'defaultScenario'], rng.pick(['missing', 'UPPER', '']));
  },
  (rng, d) =>
    set(d, ['environments', rng.pick(['Bad Name', '', 'ü'])], get(d, ['environments', 'staging']) ?? {}),
  (rng) => rng.pick<Json>([null, [], 'config', 0, { environments: null }, { environments: [] }, {}]),
];

function generate(seed: number): Json {
  const rng = new Rng(seed);
  let doc = structuredClone(rng.pick(BASES)) as Json;
  for (let i = rng.int(1, 2); i > 0; i--) {
    // A second mutation only of what is still a configuration with environments.
    const envs = get(doc, ['environments']);
    if (i < 2 && (envs === null || typeof envs !== 'object' || Object.keys(envs).length === 0)) break;
    doc = rng.pick(MUTATIONS)(rng, doc);
  }
  return doc;
}

describe(`parseConfig refuses ${WANTED} generated invalid configurations`, () => {
  it('each with a ValidationError naming fields of the input, no other error, input unchanged', () => {
    let refused = 0;
    let stillValid = 0;
    const problemFields = new Set<string>();
    for (let seed = 1; refused < WANTED && seed <= MAX_ATTEMPTS; seed++) {
      const input = generate(seed);
      const before = structuredClone(input);
      deepFreeze(input);
      let error: unknown;
      try {
        parseConfig(input);
      } catch (err) {
        error = err;
      }
      expect(isDeepStrictEqual(input, before), `seed ${seed} was mutated`).toBe(true);
      if (error === undefined) {
        stillValid += 1;
        continue;
      }
      const context = `seed ${seed}: ${JSON.stringify(before).slice(0, 2000)}`;
      if (!(error instanceof ValidationError)) {
        throw new Error(`${context}\ncrashed: ${(error as Error).stack}`);
      }
      refused += 1;
      expect(error.problems.length, context).toBeGreaterThan(0);
      for (const p of error.problems) {
        expect(p.rule.length, context).toBeGreaterThan(0);
        expect(error.message).toContain(p.field);
        expect(namesInput(before, p.field, FIELDS), `${context}\nnames no field: ${JSON.stringify(p)}`).toBe(
          true,
        );
        problemFields.add(p.field.split(/[.[]/)[0] ?? '');
      }
    }
    expect(refused).toBe(WANTED);
    // Most mutations break the configuration; a few hit optional fields and free-form values.
    expect(stillValid).toBeLessThan(refused);
    expect(problemFields.has('environments')).toBe(true);
  });

  it('accepts the configurations the generator starts from (the check is not vacuous)', () => {
    for (const b of BASES) expect(() => parseConfig(b)).not.toThrow();
  });
});
