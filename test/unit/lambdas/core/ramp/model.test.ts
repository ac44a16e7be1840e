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
    // 145 where 100 were expected: at the pooled rate 645/60,000, σ = √(1.075 %·10,000·1.2) ≈ 11.4, 45 over is 3.96 σ.
    expect(refusedOrders(145, 10_000, background)).toBe(0);
    expect(refusedOrders(150, 10_000, background)).toBeCloseTo(50, 6);
  });

  it('does not call a background that came out low by chance precise', () => {
    // 1 % of requests fail: 3 of 1,142 (11 expected), then 34 of 3,309. From the first count's own noise the
    // second was 4.4 σ over; at one rate for both it is 2.5 σ.
    expect(refusedOrders(34, 3309, { failures: 3, requests: 1142 })).toBe(0);
    expect(refusedOrders(80, 3309, { failures: 3, requests: 1142 })).toBeGreaterThan(0);
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
