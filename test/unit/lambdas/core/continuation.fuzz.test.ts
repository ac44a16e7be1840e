import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { validateContinuation } from '../../../../lambdas/core/continuation';
import runContinuationSchema from '../../../../schema/run-continuation.schema.json' with { type: 'json' };
import {
  deepFreeze,
  type Json,
  namesInput,
  type Path,
  Rng,
  schemaProperties,
  set,
} from '../../../support/schema-generator';
import { handedOnState } from '../../../support/step-fakes';

/**
 * Continuation inputs (what "Continue in new execution" hands the next execution) broken in one to three
 * ways: every one refused with problems naming fields of the input, no crash, the input unchanged.
 */
const FIELDS = schemaProperties(runContinuationSchema);
const CASES = 250;
const VALID = { continuation: handedOnState() } as unknown as Json;
const C = ['continuation'] as const;

/** Fields the contract requires, each with values it refuses. */
const REFUSED: readonly [Path, readonly Json[]][] = [
  [
    [...C, 'run', 'executionId'],
    ['', 7, null],
  ],
  [
    [...C, 'run', 'executionName'],
    ['', {}, false],
  ],
  [
    [...C, 'run', 'request', 'tickSeconds'],
    [0, 1.5, '60'],
  ],
  [
    [...C, 'run', 'request', 'targetOrdersPerMinute'],
    [0, -3, 'many'],
  ],
  [
    [...C, 'run', 'request', 'environment'],
    ['', 1],
  ],
  [
    [...C, 'run', 'maxTicks'],
    [0, 2.5, null],
  ],
  [
    [...C, 'run', 'environment'],
    ['staging', []],
  ],
  [
    [...C, 'lock', 'holder'],
    ['', 'arn:another-run', 3],
  ],
  [
    [...C, 'lock', 'environment'],
    ['prod', '', null],
  ],
  [
    [...C, 'ramp', 'tick'],
    [-1, 0.5, 'ten'],
  ],
  [
    [...C, 'ramp', 'done'],
    [true, 'no', null],
  ],
  [
    [...C, 'ramp', 'startedAt'],
    ['', 'yesterday', 5],
  ],
  [
    [...C, 'ramp', 'nextTickAt'],
    ['', 'soon', []],
  ],
  [
    [...C, 'ramp', 'controller'],
    [null, 'x'],
  ],
  [
    [...C, 'execution', 'id'],
    ['', 1],
  ],
  [
    [...C, 'execution', 'number'],
    [0, 1.5, '2'],
  ],
];

const BREAKERS: readonly ((rng: Rng, doc: Json) => Json)[] = [
  (rng, d) => {
    const [path, values] = rng.pick(REFUSED);
    return set(d, path, rng.pick(values));
  },
  (rng, d) => set(d, rng.pick(REFUSED)[0], undefined),
  (rng, d) => set(d, [...C, rng.pick(['run', 'lock', 'ramp', 'execution'])], undefined),
  (rng, d) => set(d, [rng.pick(['environment', 'extra', 'continuations'])], 'x'),
];

function generate(seed: number): Json {
  const rng = new Rng(seed);
  if (rng.next() < 0.05)
    return rng.pick([null, [], 'continue', { continuation: null }, { continuation: [] }]);
  let doc = structuredClone(VALID);
  for (let i = rng.int(1, 3); i > 0; i--) doc = rng.pick(BREAKERS)(rng, doc);
  return doc;
}

describe(`validateContinuation refuses ${CASES} generated invalid continuations`, () => {
  it('each with problems naming fields of the input, no crash, input unchanged', () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const input = generate(seed);
      const before = structuredClone(input);
      deepFreeze(input);
      let result: ReturnType<typeof validateContinuation>;
      try {
        result = validateContinuation(input);
      } catch (err) {
        throw new Error(`seed ${seed} crashed: ${(err as Error).stack}\ninput: ${JSON.stringify(before)}`);
      }
      const context = `seed ${seed}: ${JSON.stringify(before).slice(0, 400)}`;
      expect(result.ok, context).toBe(false);
      if (result.ok) continue;
      expect(result.problems.length, context).toBeGreaterThan(0);
      for (const p of result.problems) {
        expect(p.rule.length, context).toBeGreaterThan(0);
        expect(namesInput(before, p.field, FIELDS), `${context}\nnames no field: ${JSON.stringify(p)}`).toBe(
          true,
        );
      }
      expect(isDeepStrictEqual(input, before), `${context} was mutated`).toBe(true);
    }
  });

  it('accepts the state the generator starts from (the check is not vacuous)', () => {
    expect(validateContinuation(VALID).ok).toBe(true);
  });
});
