import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { isContinuation, validateContinuation } from '../../../../lambdas/core/continuation';
import runContinuationSchema from '../../../../schema/run-continuation.schema.json' with { type: 'json' };
import { handedOnState } from '../../../support/step-fakes';

describe('the input of an execution that continues a run', () => {
  it("is told apart from a user's input by its one field", () => {
    expect(isContinuation({ continuation: handedOnState() })).toBe(true);
    expect(isContinuation({ environment: 'staging', targetOrdersPerMinute: 1 })).toBe(false);
    expect(isContinuation(null)).toBe(false);
  });

  it('accepts the state the previous execution handed on, with the id of that execution', () => {
    const input = { continuation: handedOnState(), AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: 'arn:prev' };
    expect(validateContinuation(input)).toEqual({ ok: true, state: handedOnState() });
  });

  const base = handedOnState();
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', { continuation: 'x' }, 'continuation', /must be an object/],
    ['another field beside it', { continuation: base, environment: 'x' }, 'environment', /not a known/],
    ['no lock', { continuation: { ...base, lock: undefined } }, 'continuation.lock', /required/],
    [
      'a finished ramp',
      { continuation: { ...base, ramp: { ...base.ramp, done: true } } },
      'continuation.ramp.done',
      /must be false/,
    ],
    [
      'a negative tick',
      { continuation: { ...base, ramp: { ...base.ramp, tick: -1 } } },
      'continuation.ramp.tick',
      /at least 0/,
    ],
    [
      'a lock of another run',
      { continuation: { ...base, lock: { ...base.lock, holder: 'arn:other' } } },
      'continuation.lock.holder',
      /the run's first execution/,
    ],
    [
      'a lock of another environment',
      { continuation: { ...base, lock: { ...base.lock, environment: 'prod' } } },
      'continuation.lock.environment',
      /the run's environment 'staging'/,
    ],
    [
      'a next tick that is no time',
      { continuation: { ...base, ramp: { ...base.ramp, nextTickAt: 'tomorrow' } } },
      'continuation.ramp.nextTickAt',
      /ISO 8601/,
    ],
    [
      'no execution',
      { continuation: { ...base, execution: undefined } },
      'continuation.execution',
      /required/,
    ],
  ];
  it.each(cases)('refuses %s, naming the field', (_, input, field, rule) => {
    const result = validateContinuation(JSON.parse(JSON.stringify(input)));
    expect(result.ok).toBe(false);
    const problem = result.ok ? undefined : result.problems.find((p) => p.field === field);
    expect(problem?.rule, JSON.stringify(result)).toMatch(rule);
  });

  it('has a valid schema', () => {
    const ajv = new Ajv2020({ strict: true });
    expect(ajv.validateSchema(runContinuationSchema), JSON.stringify(ajv.errors)).toBe(true);
  });
});
