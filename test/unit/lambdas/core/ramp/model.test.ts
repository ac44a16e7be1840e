import { describe, expect, it } from 'vitest';
import { refusedOrders } from '../../../../../lambdas/core/ramp/model';

describe('refusedOrders', () => {
  // 1 % of 50,000 requests failed in the recent intervals without refusals.
  const background = { failures: 500, requests: 50_000 };

  it('counts the failures beyond the background rate', () => {
    // 300 failures of 10,000 requests where 100 were expected: 200 refused.
    expect(refusedOrders(300, 10_000, background)).toBeCloseTo(200, 6);
  });

  it('reads failures within the noise of the background (4 σ) as none refused', () => {
    // 140 where 100 were expected: σ = √(100 + 0.2²·500) ≈ 10.5, 40 over is 3.8 σ.
    expect(refusedOrders(140, 10_000, background)).toBe(0);
    expect(refusedOrders(145, 10_000, background)).toBeCloseTo(45, 6);
  });

  it('on a system without failures before, takes a few failures as noise and more as refusals', () => {
    const none = { failures: 0, requests: 50_000 };
    expect(refusedOrders(4, 10_000, none)).toBe(0);
    expect(refusedOrders(5, 10_000, none)).toBe(5);
  });
});
