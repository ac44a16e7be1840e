import { describe, expect, it } from 'vitest';
import { failureBackground, refusedOrders } from '../../../../../lambdas/core/ramp/model';
import type { Recent } from '../../../../../lambdas/core/ramp/types';

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

describe('failureBackground', () => {
  const interval = (failureRatio: number, requests: number | undefined, refused = false): Recent => ({
    users: 100,
    orders: 300,
    minutes: 1,
    failureRatio,
    clean: true,
    ...(requests != null ? { requests } : {}),
    refused,
  });

  it('pools the failures of the intervals without refusals, weighted by their requests', () => {
    const pooled = failureBackground([interval(0.01, 1000), interval(0.02, 3000), interval(0.2, 4000, true)]);
    expect(pooled?.failures).toBeCloseTo(70, 6);
    expect(pooled?.requests).toBe(4000);
  });

  it('is none when every recent interval refused (the quota is still there)', () => {
    expect(failureBackground([interval(0.1, 1000, true), interval(0.12, 1000, true)])).toEqual({
      failures: 0,
      requests: 0,
    });
  });

  it('has nothing to compare with before any interval, or from intervals without their requests', () => {
    expect(failureBackground([])).toBeNull();
    expect(failureBackground([interval(0.01, undefined), interval(0.01, undefined)])).toBeNull();
  });
});
