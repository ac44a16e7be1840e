import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CapacityMeasurement, measureShopCapacity } from '../../../demo-shop/bench/measure';
import type { Verdict } from '../../../lambdas/core/verdict';
import { readShopShape, setShopReplicas } from '../../../local/demo-shop';
import {
  DEMO_TEST_REPLICAS,
  DEMO_VERSIONS,
  type LocalEnvironment,
  startLocalEnvironment,
} from '../../../local/environment';
import { executeLocally } from '../../../local/executor';
import { fetchSummary } from '../../../local/report';

/**
 * Capacity mode on the demo shop, whose capacity per replica is bounded by its order slots: the synthesized
 * state machine, the real handlers, a real Locust and the shop. The truth is the shop's own capacity benchmark
 * (demo-shop/bench/measure.ts: closed-loop users, no think time, more than the shop serves) on the same shop
 * at the replicas Scale gives it; the capacity mode run must state a range that holds it.
 *
 * Each order takes 400 ms of work in one of the replica's 2 slots (~250 orders/min per replica): a rate the
 * loaded 2-core runner serves without its own CPU being the limit, for one and for three replicas.
 */
const ORDER_WORK_MS = 400;

/**
 * Pinned as failing (`it.fails`), as the controller's known defects are. Without a bound on a level's users, a
 * lower level after the climb's overload did not unload the shop (every level breached p95 with 40-60 users).
 * With levelUsersCap (1 replica): truth 261 orders/min, stated range 131-325 holds it, but the capacity is 177
 * (a level at 178 overshot to 255 orders/min and breached), so the precision asserted below (range within 60 %,
 * capacity within 20 %) is not met yet. 3 replicas (~760 orders/min) not yet run.
 */
/**
 * Runs only with LTC_CAPACITY_E2E=1 (about 6 minutes a replica count): a pinned e2e run this noisy could pass by
 * chance and turn CI red without a change, and it measures nothing CI acts on until capacity mode meets it.
 */
describe.skipIf(!process.env.LTC_CAPACITY_E2E).each([1])(
  'capacity mode on the demo shop at %i replica(s)',
  (replicas) => {
    let env: LocalEnvironment;
    let truth: CapacityMeasurement;
    beforeAll(async () => {
      env = await startLocalEnvironment({ productionReplicas: replicas, shopOrderWorkMs: ORDER_WORK_MS });
      truth = await measureShopCapacity({
        shopUrl: env.shop.url,
        adminUrl: env.shop.adminUrl,
        replicas,
        users: 8 * replicas,
        seconds: 20,
      });
      await setShopReplicas(env.shop.adminUrl, DEMO_TEST_REPLICAS);
    });
    afterAll(async () => {
      await env?.stop();
    });

    it.fails('reports a capacity whose stated range holds the measured one, and restores the shop', async () => {
      const before = await readShopShape(env.shop.adminUrl);
      const result = await executeLocally(env.pipeline.definition, {
        environment: 'local',
        mode: 'capacity',
        rampUpMinutes: 2,
        plateauMinutes: 3,
        tickSeconds: 10,
        // A ceiling a team would plan per replica: the climb reaches the shop's capacity after about 80 s.
        capacity: { maxOrdersPerMinute: 400 * replicas, holdTicks: 3 },
      });
      expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
      const verdict = result.output as Verdict;
      const summary = await fetchSummary(
        env.aws.endpoint,
        env.aws.REPORTS_BUCKET,
        'local',
        result.executionName,
      );
      if (!summary?.capacity) throw new Error(`no capacity in the run's summary: ${JSON.stringify(verdict)}`);
      const { result: capacity, levels, curves } = summary.capacity;
      const seen = [
        `truth ${truth.ordersPerMinute.toFixed(0)} orders/min; ${capacity.message}`,
        `levels ${JSON.stringify(levels.map((l) => [l.level, l.ordersPerMinute, l.met]))}`,
        ...summary.ticks.map((t) => `${t.tick}: ${t.message}; ${t.watchMessage ?? ''}`),
      ].join('\n');
      expect(capacity.ordersPerMinute, seen).not.toBeNull();
      expect(capacity.range.low as number, seen).toBeLessThanOrEqual(truth.ordersPerMinute);
      expect(capacity.range.high ?? Number.POSITIVE_INFINITY, seen).toBeGreaterThanOrEqual(
        truth.ordersPerMinute,
      );
      // The search narrowed it down: a range within ±30 % of the truth, the capacity within 20 % of it.
      expect(
        ((capacity.range.high as number) - (capacity.range.low as number)) / truth.ordersPerMinute,
        seen,
      ).toBeLessThanOrEqual(0.6);
      expect(
        Math.abs((capacity.ordersPerMinute as number) / truth.ordersPerMinute - 1),
        seen,
      ).toBeLessThanOrEqual(0.2);
      expect(['slo', 'system'], seen).toContain(capacity.limit?.kind);
      expect(capacity.users, seen).toBeGreaterThan(0);
      expect(curves.ordersByUsers.length).toBeGreaterThan(5);
      // The verdict judged the window of the level met, which met every SLO.
      expect(verdict.outcome, verdict.summary).toBe('pass');
      expect(verdict.targetOrdersPerMinute).toBe(capacity.level);
      // Prepared, restored and cleaned up as any run.
      expect(await readShopShape(env.shop.adminUrl)).toEqual({
        version: DEMO_VERSIONS.production,
        replicas: before.replicas,
      });
    });
  },
);
