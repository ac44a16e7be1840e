import { describe, expect, it } from 'vitest';
import { progressRows, progressSummary, rampProgressOf } from '../../../cli/progress';

describe('ramp progress names the environment’s KPI', () => {
  const ramp = { tick: 3, ordersPerMinute: 42, targetNow: 50, users: 12, workers: 1 };

  it('in its unit when the run’s environment names one', () => {
    const state = { run: { environment: { kpi: { unit: 'bookings per minute' } } }, ramp };
    const progress = rampProgressOf(JSON.stringify(state));
    expect(progress && progressSummary(progress)).toBe(
      'tick 3: 42 bookings per minute (target now 50), 12 users, 1 workers',
    );
    expect(progress && progressRows(progress)).toContainEqual(['bookings per minute', '42']);
  });

  it('as orders/min for a run from before KPIs were named', () => {
    const progress = rampProgressOf({ run: { environment: {} }, ramp });
    expect(progress && progressSummary(progress)).toBe(
      'tick 3: 42 orders/min (target now 50), 12 users, 1 workers',
    );
  });
});
