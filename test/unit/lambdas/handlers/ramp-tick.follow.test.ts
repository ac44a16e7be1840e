import { describe, expect, it } from 'vitest';
import type { Observation } from '../../../../lambdas/core/ramp-controller';
import type { RampState } from '../../../../lambdas/core/ramp-state';
import { shrinksFleet, unfollowedUsers } from '../../../../lambdas/handlers/ramp-tick';

const asked = (users: number, done = false) => ({ users, done }) as RampState;
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

describe('shrinksFleet', () => {
  it('scales the fleet down on the plateau once two ticks in a row need fewer workers', () => {
    // 30 users a worker, 4 asked of the fleet: now 2 would do, and the last tick's 55 users fit 2 as well.
    expect(shrinksFleet('plateau', 4, 2, 55, 30)).toBe(true);
  });

  it('keeps it after one tick that needs fewer (its users would move between workers twice)', () => {
    expect(shrinksFleet('plateau', 4, 2, 100, 30)).toBe(false);
  });

  it('never scales down on the ramp, nor when as many or more are wanted', () => {
    expect(shrinksFleet('ramp-up', 4, 2, 10, 30)).toBe(false);
    expect(shrinksFleet('plateau', 4, 4, 10, 30)).toBe(false);
    expect(shrinksFleet('plateau', 4, 5, 10, 30)).toBe(false);
  });
});
