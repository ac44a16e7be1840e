import { describe, expect, it } from 'vitest';
import {
  causeMessage,
  describeLeftover,
  describeRestore,
  restoreErrorsOf,
  restoreOutcome,
} from '../../../../lambdas/core/restore';

const at = '2026-12-06T04:00:00.000Z';

describe('restoreErrorsOf', () => {
  it('lists every caught error in the order the steps run, whatever order the slots are in', () => {
    const errors = restoreErrorsOf({
      releaseLock: { step: 'Release lock', Error: 'TransientError', Cause: 'lock: down', at },
      teardown: { step: 'Teardown', Error: 'TransientError', Cause: 'checkout: connect ECONNREFUSED', at },
      stopLoad: { step: 'Stop load', Error: 'Error', Cause: '', at },
    });
    expect(errors).toEqual([
      { step: 'Stop load', error: 'Error', at },
      { step: 'Teardown', error: 'TransientError: checkout: connect ECONNREFUSED', at },
      { step: 'Release lock', error: 'TransientError: lock: down', at },
    ]);
  });

  it('reads the message out of a Lambda error’s JSON cause', () => {
    const cause = JSON.stringify({ errorType: 'TransientError', errorMessage: 'shop down', trace: ['…'] });
    expect(causeMessage({ Error: 'TransientError', Cause: cause })).toBe('shop down');
    expect(causeMessage({ Error: 'X', Cause: 'plain text' })).toBe('plain text');
    expect(causeMessage({ Error: 'X' })).toBe('');
  });
});

describe('restoreOutcome', () => {
  it('is complete only with no error and nothing left', () => {
    expect(restoreOutcome(undefined, [], [])).toEqual({ complete: true, errors: [], leftovers: [] });
    expect(restoreOutcome({}, [], [{ kind: 'lock', name: 'staging' }]).complete).toBe(false);
    const own = { step: 'Release lock', error: 'the lock was not released: down', at };
    const outcome = restoreOutcome({ cleanup: { step: 'Cleanup', Error: 'E', Cause: 'c', at } }, [own], []);
    expect(outcome.complete).toBe(false);
    expect(outcome.errors.map((e) => e.step)).toEqual(['Cleanup', 'Release lock']);
  });
});

describe('describeRestore', () => {
  it('says which steps failed and what may be left, with current and recorded shapes', () => {
    const outcome = restoreOutcome(
      {
        teardown: { step: 'Teardown', Error: 'E', Cause: 'c', at },
        cleanup: { step: 'Cleanup', Error: 'E', at },
      },
      [],
      [
        { kind: 'application', name: 'checkout', recorded: { version: '1.0', replicas: 1 } },
        {
          kind: 'nodeGroup',
          name: 'workers',
          current: { minSize: 1, maxSize: 9, desiredSize: 6 },
          recorded: { minSize: 1, maxSize: 3, desiredSize: 2 },
        },
        { kind: 'lock', name: 'staging' },
      ],
    );
    expect(describeRestore(outcome)).toBe(
      'Restore incomplete: Teardown, Cleanup failed; may be left: ' +
        'application checkout (current unreadable, may still be as the run left it, recorded 1 replicas, version 1.0); ' +
        'node group workers (current desiredSize 6, minSize 1, maxSize 9, recorded desiredSize 2, minSize 1, maxSize 3); ' +
        'lock staging (still held)',
    );
    expect(describeRestore(restoreOutcome(undefined, [], []))).toBeNull();
  });

  it('describes a worker fleet by its workers', () => {
    expect(
      describeLeftover({
        kind: 'workerFleet',
        name: 'local',
        current: { workers: 8 },
        recorded: { workers: 2 },
      }),
    ).toBe('worker fleet local (current workers 8, recorded workers 2)');
  });
});
