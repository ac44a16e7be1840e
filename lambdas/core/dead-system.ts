/**
 * A dead system under test ends the load early: holding users on it helps nobody and can hamper its
 * recovery. Pure; the SLO watch (use-cases/watch.ts) feeds it each tick's reading and carries its state in
 * `RampState.down`.
 *
 * A tick is "down" when the KPI is zero and at least `DOWN_FAILURE_RATIO` of the interval's requests failed.
 * After `deadSystemTicks` consecutive down ticks the test stops with the reason
 * "system under test down since tick T"; 0 turns the rule off. A tick with no requests neither counts nor
 * ends the streak (nothing was measured).
 */
import type { RunAbort, TickTime } from './slo';

/** Failures per request at and above which a tick with no orders counts as the system being down. */
const DOWN_FAILURE_RATIO = 0.99;
/** The abort's `sloId` when the dead-system rule stopped the test. */
export const SYSTEM_DOWN_ID = 'system-down';

/** Consecutive down ticks so far, from the first of them; carried from tick to tick. */
export interface DownStreak {
  readonly since: TickTime;
  readonly ticks: number;
}

export interface TickHealth {
  readonly now: TickTime;
  /** Orders per minute over the interval; null when it could not be measured (counts as none). */
  readonly ordersPerMinute: number | null;
  readonly requests: number;
  readonly failures: number;
}

export interface DownCheck {
  /** The streak to carry; null when this tick was not down. */
  readonly down: DownStreak | null;
  /** Set at the tick the streak reaches `deadSystemTicks`. */
  readonly abort: RunAbort | null;
}

export function checkSystemDown(
  deadSystemTicks: number,
  previous: DownStreak | null | undefined,
  tick: TickHealth,
): DownCheck {
  if (deadSystemTicks <= 0) return { down: null, abort: null };
  if (tick.requests <= 0) return { down: previous ?? null, abort: null };
  const isDown = (tick.ordersPerMinute ?? 0) <= 0 && tick.failures / tick.requests >= DOWN_FAILURE_RATIO;
  if (!isDown) return { down: null, abort: null };
  const down: DownStreak = previous
    ? { since: previous.since, ticks: previous.ticks + 1 }
    : { since: tick.now, ticks: 1 };
  if (down.ticks < deadSystemTicks) return { down, abort: null };
  return {
    down,
    abort: {
      sloId: SYSTEM_DOWN_ID,
      label: 'system under test',
      tick: tick.now.tick,
      at: tick.now.at,
      since: down.since,
      reason: `system under test down since tick ${down.since.tick} (${down.since.at}): no orders and ${Math.round((tick.failures / tick.requests) * 1000) / 10} % of requests failed for ${down.ticks} consecutive ticks`,
    },
  };
}
