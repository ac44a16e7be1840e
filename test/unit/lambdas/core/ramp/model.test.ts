import { describe, expect, it } from 'vitest';
import { refusedOrders } from '../../../../../lambdas/core/ramp/model';

describe('refusedOrders', () => {
  it('counts the failures beyond the background ratio of the intervals before', () => {
    // 1 % of 10,000 requests failed before; 300 failures now: 200 refused.
    expect(refusedOrders(300, 10_000, 0.01)).toBe(200);
  });

  it('reads failures within counting noise of the background as none refused', () => {
    // 110 failures where 100 were expected: 10 over, within 2 σ (√110 ≈ 10.5).
    expect(refusedOrders(110, 10_000, 0.01)).toBe(0);
    // A handful of failures on a system that had none: 4 is within 2 σ of a Poisson count, 5 is not.
    expect(refusedOrders(4, 10_000, 0)).toBe(0);
    expect(refusedOrders(5, 10_000, 0)).toBe(5);
  });
});
