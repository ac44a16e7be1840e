import { describe, expect, it } from 'vitest';
import { extendPath, measure, userMinutes } from '../../../../../lambdas/core/ramp/measurement';
import type { Baseline, Observation } from '../../../../../lambdas/core/ramp/types';

const base: Baseline = { at: 0, orders: 0, requests: 0, failures: 0, users: 100, bootId: 'b', generation: 1 };
/** A 3-s journey and 2 s of the workers' reports: the 5 s unsettled counts lag the users by. */
const DELAYS = { orderMs: 3000, statsLagMs: 2000 };
const reading = (over: Partial<Observation>): Observation => ({
  at: 60_000,
  orders: 300,
  requests: 1800,
  failures: 0,
  users: 100,
  workers: 4,
  bootId: 'b',
  generation: 1,
  running: true,
  ...over,
});

describe('the users’ path', () => {
  it('runs from the users reported at one reading to those reported at the next, at the commanded rate', () => {
    const path = extendPath(
      [{ at: 0, users: 100 }],
      { at: 0, users: 200, rate: 10 },
      { at: 60_000, users: 200 },
      0,
    );
    expect(path).toEqual([
      { at: 0, users: 100 },
      { at: 10_000, users: 200 },
      { at: 60_000, users: 200 },
    ]);
    // 10 s from 100 to 200, then 50 s at 200.
    expect(userMinutes(path, 0, 60_000)).toBeCloseTo((150 * 10 + 200 * 50) / 60, 6);
  });

  it('stretches a spawn slower than commanded over the interval: the reported users anchor it, not the command', () => {
    // Asked for 200 at 10/s; Locust reports only 150 a minute later (a slow worker, a spawn-rate floor).
    const path = extendPath(
      [{ at: 0, users: 100 }],
      { at: 0, users: 200, rate: 10 },
      { at: 60_000, users: 150 },
      0,
    );
    expect(path.at(-1)).toEqual({ at: 60_000, users: 150 });
    expect(userMinutes(path, 0, 60_000)).toBeLessThan((150 * 5 + 150 * 55) / 60 + 1e-9);
    expect(userMinutes(path, 0, 60_000)).toBeGreaterThan(100);
  });

  it('follows users lost with a worker down to the count Locust reports', () => {
    const path = extendPath(
      [{ at: 0, users: 400 }],
      { at: 0, users: 400, rate: 10 },
      { at: 60_000, users: 300 },
      0,
    );
    expect(userMinutes(path, 50_000, 60_000)).toBeLessThan((400 * 10) / 60);
  });

  it('counts no users before the first knot and keeps only the knots it still needs', () => {
    expect(userMinutes([{ at: 30_000, users: 60 }], 0, 60_000)).toBeCloseTo(30, 6);
    const kept = extendPath(
      [
        { at: 0, users: 1 },
        { at: 60_000, users: 2 },
        { at: 120_000, users: 3 },
      ],
      null,
      { at: 180_000, users: 3 },
      125_000,
    );
    expect(kept[0]?.at).toBe(120_000);
  });
});

describe('measure', () => {
  const path = [
    { at: -60_000, users: 100 },
    { at: 60_000, users: 100 },
  ];

  it('turns a reading into an interval: orders, exposure shifted by the order delay, the workers’ highest CPU', () => {
    const m = measure(base, reading({ workerCpuPercent: [40, 72] }), path, DELAYS, 0);
    expect(m).toMatchObject({
      kind: 'sample',
      sample: { orders: 300, requests: 1800, minutes: 1, users: 100, workerCpuPercent: 72 },
    });
    if (m.kind === 'sample') expect(m.sample.userMinutes).toBeCloseTo(100, 6);
  });

  it.each([
    ['restart', { bootId: 'c' }, true],
    ['reset', { generation: 2 }, true],
    ['not running', { running: false }, true],
    ['stall', { orders: 0 }, true],
  ] as const)('rejects a reading: %s', (reason, over, rebase) => {
    expect(measure(base, reading(over), path, DELAYS, 0)).toMatchObject({ kind: 'rejected', reason, rebase });
  });

  it('keeps what a stall counted: no orders, yet the requests and failures a dead system answers with', () => {
    const m = measure(
      base,
      reading({ orders: 0, requests: base.requests + 900, failures: base.failures + 890 }),
      path,
      DELAYS,
      0,
    );
    expect(m).toMatchObject({
      kind: 'rejected',
      reason: 'stall',
      interval: { orders: 0, requests: 900, failures: 890, minutes: 1 },
    });
  });

  it('measures nothing of an interval whose users, shifted by the order delay, had not started yet', () => {
    const started = [{ at: 0, users: 20 }];
    // A 5-s tick with a 5-s delay: its window [−5 s, 0] precedes the load, whatever its orders.
    for (const orders of [0, 12]) {
      expect(measure(base, reading({ at: 5000, orders }), started, DELAYS, 0)).toMatchObject({
        kind: 'rejected',
        reason: 'no exposure',
        rebase: true,
      });
    }
    expect(measure(base, reading({ at: 10_000, orders: 12 }), started, DELAYS, 0)).toMatchObject({
      kind: 'sample',
    });
  });

  it('measures settled counts over exactly their seconds, shifted by the journey only', () => {
    // Users 60 until 30 s, then 120: the window [t − 3 s] of each span sees its own mix of them.
    const ramp = [
      { at: -60_000, users: 60 },
      { at: 30_000, users: 60 },
      { at: 30_001, users: 120 },
      { at: 90_000, users: 120 },
    ];
    const from = { ...base, settled: { at: -2_000, orders: 0 } };
    // The reading at 60 s has seen orders until 57 s; the staircase counter says 330, more than have settled.
    const m = measure(from, reading({ orders: 330, settled: { at: 57_000, orders: 280 } }), ramp, DELAYS, 0);
    expect(m).toMatchObject({ kind: 'sample', sample: { orders: 280 } });
    if (m.kind !== 'sample') return;
    expect(m.sample.minutes).toBeCloseTo(59 / 60, 9);
    // [−5 s, 54 s]: 35 s at 60 users, 24 s at 120.
    expect(m.sample.userMinutes).toBeCloseTo((35 * 60 + 24 * 120) / 60, 2);
  });

  it('falls back to the staircase counter when either reading has no settled count, or it did not move on', () => {
    const from = { ...base, settled: { at: 0, orders: 0 } };
    for (const now of [
      reading({}),
      reading({ settled: null }),
      reading({ settled: { at: 0, orders: 0 } }),
      reading({ settled: { at: -1_000, orders: 0 } }),
    ]) {
      const m = measure(from, now, path, DELAYS, 0);
      expect(m).toMatchObject({ kind: 'sample', sample: { orders: 300, minutes: 1 } });
    }
    const m = measure(base, reading({ settled: { at: 57_000, orders: 280 } }), path, DELAYS, 0);
    expect(m).toMatchObject({ kind: 'sample', sample: { orders: 300, minutes: 1 } });
  });

  it('keeps the baseline over one reading whose counter went down, rebases on the second in a row', () => {
    const back = { ...base, orders: 500 };
    expect(measure(back, reading({}), path, DELAYS, 0)).toMatchObject({
      reason: 'bad reading',
      rebase: false,
    });
    expect(measure(back, reading({}), path, DELAYS, 1)).toMatchObject({
      reason: 'bad reading',
      rebase: true,
    });
  });
});
