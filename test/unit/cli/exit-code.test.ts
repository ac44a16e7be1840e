import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../cli/exit-code';

describe('exitCodeFor', () => {
  it.each([
    ['SUCCEEDED', { outcome: 'pass' }, 0],
    ['SUCCEEDED', { outcome: 'warn' }, 0],
    ['SUCCEEDED', { outcome: 'dry-run' }, 0],
    ['SUCCEEDED', { outcome: 'fail' }, 1],
    ['SUCCEEDED', '{"outcome":"pass","slis":[]}', 0],
    ['SUCCEEDED', '{"outcome":"fail"}', 1],
    ['SUCCEEDED', { outcome: 'unknown' }, 2],
    ['SUCCEEDED', { outcome: 'PASS' }, 2],
    ['SUCCEEDED', { outcome: 1 }, 2],
    ['SUCCEEDED', {}, 2],
    ['SUCCEEDED', undefined, 2],
    ['SUCCEEDED', null, 2],
    ['SUCCEEDED', 'not json', 2],
    ['SUCCEEDED', '"pass"', 2],
    ['SUCCEEDED', ['pass'], 2],
    ['FAILED', { outcome: 'pass' }, 2],
    ['FAILED', undefined, 2],
    ['TIMED_OUT', undefined, 2],
    ['ABORTED', { outcome: 'pass' }, 2],
    ['RUNNING', undefined, 2],
    ['PENDING_REDRIVE', undefined, 2],
    [undefined, { outcome: 'pass' }, 2],
  ] as const)('%s with %j → %i', (status, output, code) => {
    expect(exitCodeFor(status, output)).toBe(code);
  });
});
