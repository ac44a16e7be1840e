import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../cli/errors';
import { exitCodeFor, restoreOf } from '../../../cli/exit-code';

const incomplete = {
  complete: false,
  errors: [{ step: 'Teardown', error: 'timeout', at: '2026-11-27T12:00:00Z' }],
  leftovers: [{ kind: 'deployment', name: 'shop', current: 4, recorded: 2 }],
};

describe('exitCodeFor', () => {
  it.each([
    ['SUCCEEDED', { outcome: 'pass' }, 0],
    ['SUCCEEDED', { outcome: 'warn' }, 0],
    ['SUCCEEDED', { outcome: 'dry-run' }, 0],
    ['SUCCEEDED', { outcome: 'fail' }, 1],
    ['SUCCEEDED', '{"outcome":"pass","slis":[]}', 0],
    ['SUCCEEDED', '{"outcome":"fail"}', 1],
    ['SUCCEEDED', { outcome: 'error' }, 4],
    ['SUCCEEDED', { outcome: 'unknown' }, 4],
    ['SUCCEEDED', { outcome: 'PASS' }, 4],
    ['SUCCEEDED', { outcome: 1 }, 4],
    ['SUCCEEDED', {}, 4],
    ['SUCCEEDED', undefined, 4],
    ['SUCCEEDED', null, 4],
    ['SUCCEEDED', 'not json', 4],
    ['SUCCEEDED', '"pass"', 4],
    ['SUCCEEDED', ['pass'], 4],
    ['FAILED', { outcome: 'pass' }, 4],
    ['FAILED', undefined, 4],
    ['TIMED_OUT', undefined, 4],
    ['ABORTED', { outcome: 'pass' }, 4],
    ['RUNNING', undefined, 0],
    ['PENDING_REDRIVE', undefined, 0],
    [undefined, { outcome: 'pass' }, 4],
    ['SUCCEEDED', { outcome: 'pass', restore: incomplete }, 6],
    ['SUCCEEDED', { outcome: 'fail', restore: incomplete }, 6],
    ['SUCCEEDED', { outcome: 'pass', restore: { complete: true, errors: [], leftovers: [] } }, 0],
    ['SUCCEEDED', { outcome: 'pass', restore: { complete: 'no' } }, 0],
  ] as const)('%s with %j → %i', (status, output, code) => {
    expect(exitCodeFor(status, output)).toBe(code);
  });

  it('takes a failed run restore report from its caller (the history), before the status', () => {
    expect(exitCodeFor('FAILED', undefined, restoreOf({ restore: incomplete }))).toBe(EXIT.restoreIncomplete);
  });

  it('gives each meaning its own code', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('restoreOf', () => {
  it('reads the contract fields and drops entries that are not objects', () => {
    expect(restoreOf({ restore: { ...incomplete, errors: [...incomplete.errors, 'x', null] } })).toEqual(
      incomplete,
    );
  });
  it.each([undefined, {}, { restore: null }, { restore: {} }, '{"restore":{"complete":"yes"}}'])(
    'has nothing to say for %j',
    (output) => {
      expect(restoreOf(output)).toBeUndefined();
    },
  );
  it('reads own properties only', () => {
    expect(restoreOf(Object.create({ restore: incomplete }))).toBeUndefined();
  });
  it('takes caught restore errors with no account of them (Release lock failed) as incomplete', () => {
    const state = {
      restoreErrors: {
        teardown: {
          step: 'Teardown',
          Error: 'Error',
          Cause: 'shop: connection refused',
          at: '2026-12-06T05:00:00Z',
        },
        releaseLock: { step: 'Release lock', Error: 'Error', at: '2026-12-06T05:01:00Z' },
      },
    };
    expect(restoreOf(state)).toEqual({
      complete: false,
      errors: [
        { step: 'Teardown', error: 'shop: connection refused', at: '2026-12-06T05:00:00Z' },
        { step: 'Release lock', error: 'Error', at: '2026-12-06T05:01:00Z' },
      ],
      leftovers: [],
    });
    expect(exitCodeFor('FAILED', undefined, restoreOf(state))).toBe(EXIT.restoreIncomplete);
  });
});
