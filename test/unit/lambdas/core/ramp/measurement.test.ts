import { describe, expect, it } from 'vitest';
import { extendPath, measure, userMinutes } from '../../../../../lambdas/core/ramp/measurement';
import type { Baseline, Observation } from '../../../../../lambdas/core/ramp/types';

const base: Baseline = { at: 0, orders: 0, requests: 0, failures: 0, users: 100, bootId: 'b', generation: 1 };
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
    const m = measure(base, reading({ workerCpuPercent: [40, 72] }), path, 5000, 0);
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
    expect(measure(base, reading(over), path, 5000, 0)).toMatchObject({ kind: 'rejected', reason, rebase });
  });

  it('keeps what a stall counted: no orders, yet the requests and failures a dead system answers with', () => {
    const m = measure(
      base,
      reading({ orders: 0, requests: base.requests + 900, failures: base.failures + 890 }),
      path,
      5000,
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
      expect(measure(base, reading({ at: 5000, orders }), started, 5000, 0)).toMatchObject({
        kind: 'rejected',
        reason: 'no exposure',
        rebase: true,
      });
    }
    expect(measure(base, reading({ at: 10_000, orders: 12 }), started, 5000, 0)).toMatchObject({
      kind: 'sample',
    });
  });

  it('keeps the baseline over one reading whose counter went down, rebases on the second in a row', () => {
    const back = { ...base, orders: 500 };
    expect(measure(back, reading({}), path, 5000, 0)).toMatchObject({ reason: 'bad reading', rebase: false });
    expect(measure(back, reading({}), path, 5000, 1)).toMatchObject({ reason: 'bad reading', rebase: true });
  });
});
