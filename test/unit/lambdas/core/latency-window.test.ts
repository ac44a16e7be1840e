import { describe, expect, it } from 'vitest';
import { withSloDefaults } from '../../../../lambdas/core/config';
import type { RequestHistogram } from '../../../../lambdas/core/histogram';
import {
  runLatency,
  slidingWindow,
  type TickHistograms,
  windowOf,
} from '../../../../lambdas/core/latency-window';
import { buildChecks, evaluateTick, type SloWatchState } from '../../../../lambdas/core/slo';
import { judge } from '../../../../lambdas/core/verdict';

const ORDER = 'checkout: place order';

/** 200 responses per tick: 185 at `typical` ms and 15 at `tail` ms, so the tick's p95 (rank 191) is `tail`. */
function tick(n: number, plateau: boolean, typical: number, tail: number): TickHistograms {
  const interval: RequestHistogram[] = [
    { name: ORDER, requests: 200, failures: 0, histogram: { [typical]: 185, [tail]: 15 } },
    { name: 'Aggregated', requests: 200, failures: 0, histogram: { [typical]: 185, [tail]: 15 } },
  ];
  return { tick: n, at: new Date(Date.UTC(2026, 11, 6, 8, 0, n * 15)).toISOString(), plateau, interval };
}

describe('windows of ticks', () => {
  it('the sliding window holds the last windowTicks ticks, skipping ticks without responses', () => {
    const ticks = [
      tick(1, false, 100, 200),
      tick(2, false, 100, 300),
      { ...tick(3, false, 0, 0), interval: null },
    ];
    expect(slidingWindow(ticks, 3, 2)?.find((r) => r.name === ORDER)).toMatchObject({
      requests: 200,
      p95: 300,
    });
    expect(slidingWindow(ticks, 3, 3)?.find((r) => r.name === ORDER)?.requests).toBe(400);
    expect(slidingWindow(ticks, 3, 1)).toBeNull();
  });

  it("the run's latency is the plateau's, with every tick's own figures beside it", () => {
    const ticks = [tick(1, false, 50, 5000), tick(2, true, 100, 200), tick(3, true, 100, 300)];
    const l = runLatency(ticks);
    expect(l).toMatchObject({ source: 'plateau', fromTick: 2, toTick: 3, ticks: 2 });
    // 400 responses: 370 at 100, 15 at 200, 15 at 300; rank 381 is 200 ms (the ticks' p95s average 250).
    expect(l?.requests.find((r) => r.name === ORDER)).toMatchObject({ requests: 400, p50: 100, p95: 200 });
    expect(l?.perTick.map((t) => t.requests.find((r) => r.name === ORDER)?.p95)).toEqual([5000, 200, 300]);
    // Without a plateau tick (an early abort), the whole load.
    expect(runLatency([tick(1, false, 50, 70)])).toMatchObject({ source: 'load', fromTick: 1, toTick: 1 });
    expect(runLatency([])).toBeNull();
  });

  it('a breach confined to the last ticks of a long plateau fails the verdict (the cumulative figure would pass)', () => {
    const slos = withSloDefaults({
      requests: [{ name: ORDER, p95Ms: 800 }],
      graceTicks: 2,
      breachTicks: 2,
      windowTicks: 3,
      deadSystemTicks: 0,
    });
    // 4 ticks of ramp, then a plateau of 120 ticks (30 min at 15 s) whose last 3 ticks are slow.
    const ticks: TickHistograms[] = [];
    for (let n = 1; n <= 124; n++) ticks.push(n > 121 ? tick(n, true, 400, 1500) : tick(n, n > 4, 120, 300));
    let watch: SloWatchState | null = null;
    for (const t of ticks) {
      const checks = buildChecks(slos, {
        phase: t.plateau ? 'plateau' : 'ramp-up',
        ordersPerMinute: 100,
        targetNow: 100,
        interval: { requests: 200, failures: 0 },
        requests: slidingWindow(ticks, t.tick, slos.windowTicks) ?? [],
        windowTicks: slos.windowTicks,
        alarms: [],
      });
      watch = evaluateTick(slos, watch, checks, { tick: t.tick, at: t.at }).state;
    }
    const cumulative = windowOf(ticks)?.find((r) => r.name === ORDER);
    expect(cumulative?.p95).toBe(300); // what the figure since the load started says: within 800 ms
    const verdict = judge({
      environment: 'staging',
      scenario: 'checkout',
      executionName: 'run-1',
      targetOrdersPerMinute: 100,
      slos,
      plateau: { ticks: 120, orders: 3000, minutes: 30, requests: 24_000, failures: 0 },
      failure: null,
      watch,
      latency: runLatency(ticks),
    });
    expect(verdict.outcome).toBe('fail');
    // Window at 122 (ticks 120–122): 585 of 600 responses ≤ 400 ms, p95 (rank 571) 400 ms: within. At 123 two slow
    // ticks: rank 571 is 1500 ms: breaching, and counted at 124 (breachTicks 2).
    expect(verdict.breaches).toMatchObject([
      { id: `request:${ORDER}:p95`, from: { tick: 123 }, countedAt: { tick: 124 } },
    ]);
    expect(verdict.slis.find((s) => s.id === `request:${ORDER}:p95`)).toMatchObject({
      status: 'fail',
      observed: 300,
    });
  });
});
