import { describe, expect, it } from 'vitest';
import type { Observation } from '../../../../lambdas/core/ramp-controller';
import {
  addToPlateau,
  intervalInPlateau,
  NO_PLATEAU,
  type RampState,
  unfollowedUsers,
} from '../../../../lambdas/core/ramp-state';

const asked = (users: number, done = false): Pick<RampState, 'users' | 'done'> => ({ users, done });
const reading = (users: number, running = true): Observation => ({
  at: 0,
  orders: 0,
  requests: 0,
  failures: 0,
  users,
  workers: 2,
  bootId: 'b',
  generation: 1,
  running,
});

describe('unfollowedUsers', () => {
  it('names users Locust keeps beyond those asked (a worker lost from the dispatch)', () => {
    expect(unfollowedUsers(asked(44), reading(65))).toBe('Locust runs 65 users where 44 were asked');
  });

  it('names a spawn that fell short', () => {
    expect(unfollowedUsers(asked(50), reading(13))).toBe('Locust runs 13 users where 50 were asked');
  });

  it('stays quiet within 10 % (at least 3 users), when Locust is not running and after the last tick', () => {
    expect(unfollowedUsers(asked(50), reading(46))).toBeNull();
    expect(unfollowedUsers(asked(7), reading(5))).toBeNull();
    expect(unfollowedUsers(asked(50), reading(0, false))).toBeNull();
    expect(unfollowedUsers(asked(0, true), reading(40))).toBeNull();
  });
});

describe('the plateau totals', () => {
  const interval = (minutes: number, orders = 10 * minutes) => ({
    orders,
    requests: 40 * minutes,
    failures: minutes,
    minutes,
  });
  const startedAt = '2026-12-01T10:00:00.000Z';
  const start = Date.parse(startedAt);
  /** The ramp state as far as the plateau rule reads it: the controller's last reading at `lastAt` ms. */
  const ramp = (lastAt: number | null) =>
    ({ startedAt, controller: { last: lastAt === null ? null : { at: lastAt } } }) as Pick<
      RampState,
      'startedAt' | 'controller'
    >;

  it('counts an interval that began at or after the ramp-up, not one that began before', () => {
    const now = new Date(start + 660_000);
    expect(intervalInPlateau(ramp(start + 600_000), now, 600, interval(1))).toBe(true);
    expect(intervalInPlateau(ramp(start + 599_999), now, 600, interval(1))).toBe(false);
  });

  it('counts no interval that could not be measured (no minutes), nor one without a previous reading', () => {
    expect(intervalInPlateau(ramp(start + 700_000), new Date(start + 760_000), 600, interval(0))).toBe(false);
    // Without a last reading the interval starts now: after the ramp-up it counts once it has minutes.
    expect(intervalInPlateau(ramp(null), new Date(start + 300_000), 600, interval(1))).toBe(false);
    expect(intervalInPlateau(ramp(null), new Date(start + 900_000), 600, interval(1))).toBe(true);
  });

  it('adds each interval to every total, so the plateau rate is the ratio of the sums', () => {
    const intervals = [interval(1, 12), interval(0.5, 4), interval(2, 30)];
    const totals = intervals.reduce(addToPlateau, NO_PLATEAU);
    expect(totals).toEqual({ ticks: 3, orders: 46, minutes: 3.5, requests: 140, failures: 3.5 });
    expect(totals.orders / totals.minutes).toBeCloseTo(46 / 3.5, 12);
    expect(NO_PLATEAU).toEqual({ ticks: 0, orders: 0, minutes: 0, requests: 0, failures: 0 });
  });
});
