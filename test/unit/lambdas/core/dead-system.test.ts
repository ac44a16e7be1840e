import { describe, expect, it } from 'vitest';
import {
  checkSystemDown,
  type DownStreak,
  SYSTEM_DOWN_ID,
  type TickHealth,
} from '../../../../lambdas/core/dead-system';

const at = (tick: number) => `2026-12-06T04:00:${String(tick).padStart(2, '0')}.000Z`;
const dead = (tick: number): TickHealth => ({
  now: { tick, at: at(tick) },
  ordersPerMinute: 0,
  requests: 200,
  failures: 200,
});

/** Feeds ticks in order, carrying the streak as the watch does; returns each tick's check. */
function run(deadSystemTicks: number, ticks: readonly TickHealth[]) {
  let down: DownStreak | null = null;
  return ticks.map((t) => {
    const check = checkSystemDown(deadSystemTicks, down, t);
    down = check.down;
    return check;
  });
}

describe('checkSystemDown', () => {
  it('stops the load after N consecutive ticks with no orders and ≥ 99 % failures, naming the first', () => {
    const checks = run(3, [dead(7), dead(8), dead(9)]);
    expect(checks.map((c) => c.abort)).toEqual([null, null, expect.anything()]);
    expect(checks[2]?.abort).toMatchObject({
      sloId: SYSTEM_DOWN_ID,
      tick: 9,
      since: { tick: 7, at: at(7) },
    });
    expect(checks[2]?.abort?.reason).toMatch(/^system under test down since tick 7 /);
    expect(checks[2]?.down).toEqual({ since: { tick: 7, at: at(7) }, ticks: 3 });
  });

  it('a tick with orders, or with fewer than 99 % failures, ends the streak', () => {
    const withOrders = { ...dead(8), ordersPerMinute: 3 };
    const someSucceed = { ...dead(8), failures: 197 };
    for (const healthy of [withOrders, someSucceed]) {
      const checks = run(3, [dead(7), healthy, dead(9), dead(10)]);
      expect(checks[1]?.down).toBeNull();
      expect(checks.every((c) => c.abort === null)).toBe(true);
    }
    // Exactly 99 % counts.
    expect(run(1, [{ ...dead(1), failures: 198 }])[0]?.abort).not.toBeNull();
  });

  it('an unmeasured KPI counts as no orders; a tick without requests neither counts nor ends the streak', () => {
    const idle = { ...dead(8), requests: 0, failures: 0 };
    const checks = run(3, [{ ...dead(7), ordersPerMinute: null }, idle, dead(9), dead(10)]);
    expect(checks[1]?.down).toEqual({ since: { tick: 7, at: at(7) }, ticks: 1 });
    expect(checks.map((c) => c.abort?.tick ?? null)).toEqual([null, null, null, 10]);
  });

  it('0 turns the rule off', () => {
    expect(
      run(0, [dead(1), dead(2), dead(3), dead(4)]).every((c) => c.abort === null && c.down === null),
    ).toBe(true);
  });
});
