import { describe, expect, it } from 'vitest';
import {
  EVENTS_PER_TICK,
  HISTORY_EVENT_LIMIT,
  historyEvents,
  historyTicks,
  MAX_APPLICATIONS,
  nonTickEvents,
  RESERVED_HISTORY_EVENTS,
  TASK_MAX_RETRIES,
  TICKS_PER_EXECUTION,
} from '../../../../lambdas/core/history-budget';

/**
 * The budget's arithmetic. That its per-state counts are what an execution records is shown by running the
 * synthesized definition: test/unit/statemachine/definition.history-budget.test.ts.
 */
describe('history budget', () => {
  it('a tick: Wait (2) + Lambda task (5) + Choice (2), and one more for retried ticks', () => {
    expect(EVENTS_PER_TICK).toBe(10);
    expect(
      historyEvents({ applications: 0, ticks: 1, retries: 0 }) -
        historyEvents({ applications: 0, ticks: 0, retries: 0 }),
    ).toBe(9);
  });

  it('everything but the ticks and the applications: 67 events; 185 with every task retried four times, the tick guard and every restore step failing', () => {
    expect(historyEvents({ applications: 0, ticks: 0, retries: 0 })).toBe(2 + 9 * 5 + 4 * 2 + 2 * 4 + 2 + 2);
    // Nine tasks, four retries of three events each, the tick guard's Pass and four "<step> failed" Passes.
    expect(nonTickEvents(0)).toBe(67 + 9 * TASK_MAX_RETRIES * 3 + 2 + 4 * 2);
  });

  it('each application: 14 events, 38 with both of its tasks retried four times', () => {
    expect(
      historyEvents({ applications: 1, ticks: 0, retries: 0 }) -
        historyEvents({ applications: 0, ticks: 0, retries: 0 }),
    ).toBe(14);
    expect(nonTickEvents(1) - nonTickEvents(0)).toBe(14 + 2 * TASK_MAX_RETRIES * 3);
  });

  it('ticks per execution: what is left of 25,000 events after the reserve and the rest, by applications prepared', () => {
    expect(TICKS_PER_EXECUTION).toBe(historyTicks(0));
    expect(TICKS_PER_EXECUTION).toBe(Math.floor((25_000 - 2_500 - 185) / 10));
    expect(historyTicks(1)).toBe(Math.floor((25_000 - 2_500 - 185 - 38) / 10));
    expect(historyTicks(20)).toBe(Math.floor((25_000 - 2_500 - 185 - 20 * 38) / 10));
  });

  it.each([0, 1, 20, MAX_APPLICATIONS])(
    '%i application(s): the worst case (every task retried to its limit) plus the reserve stays within the limit',
    (applications) => {
      const ticks = historyTicks(applications);
      expect(
        nonTickEvents(applications) + ticks * EVENTS_PER_TICK + RESERVED_HISTORY_EVENTS,
      ).toBeLessThanOrEqual(HISTORY_EVENT_LIMIT);
      // One more tick would not.
      expect(
        nonTickEvents(applications) + (ticks + 1) * EVENTS_PER_TICK + RESERVED_HISTORY_EVENTS,
      ).toBeGreaterThan(HISTORY_EVENT_LIMIT);
    },
  );

  it('at the bound on applications, the first execution still holds over a day of 60-second ticks', () => {
    expect(MAX_APPLICATIONS).toBe(200);
    expect(historyTicks(MAX_APPLICATIONS)).toBe(1471);
    expect(historyTicks(MAX_APPLICATIONS)).toBeGreaterThan(1440);
  });
});
