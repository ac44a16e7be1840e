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
 * Measured (docs/capacity-mode.md, "Not there yet"), with a held level's users read off the measured curve and a
 * 30-s settling: at 1 replica truth 261 and 264 orders/min, capacity 225 (173-284) and 231 (178-280), passing;
 * one run of the same build failed an assertion the pin hid. At 3 replicas truth 774 and 777, capacity 702
 * (610-867) and 639 (547-861): the range and the precision hold, but the verdict on the met level's window
 * failed both times — the climb's overload (120 users) still breached p95 in the window's first ticks. Pinned
 * as failing there (`it.fails`) until a level's window is judged on its own responses.
 *
 * Runs only with LTC_CAPACITY_E2E=1 (about 7 minutes a replica count): not yet reliable enough for every CI run.
 */
const KNOWN_FAILING_REPLICAS: readonly number[] = [3];
describe.skipIf(!process.env.LTC_CAPACITY_E2E).each([1, 3])(
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

    const pinned = KNOWN_FAILING_REPLICAS.includes(replicas) ? it.fails : it;
    pinned(
      'reports a capacity whose stated range holds the measured one, and restores the shop',
      async () => {
        const before = await readShopShape(env.shop.adminUrl);
        const result = await executeLocally(env.pipeline.definition, {
          environment: 'local',
          mode: 'capacity',
          rampUpMinutes: 2,
          plateauMinutes: 5,
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
        if (!summary?.capacity)
          throw new Error(`no capacity in the run's summary: ${JSON.stringify(verdict)}`);
        const { result: capacity, levels, curves } = summary.capacity;
        const seen = [
          `truth ${truth.ordersPerMinute.toFixed(0)} orders/min; ${capacity.message}`,
          `levels ${JSON.stringify(levels.map((l) => [l.level, l.ordersPerMinute, l.met]))}`,
          ...summary.ticks.map((t) => `${t.tick}: ${t.message}; ${t.watchMessage ?? ''}`),
        ].join('\n');
        // The figures a person running this on request wants, pass or fail.
        console.info(seen.split('\n').slice(0, 2).join('\n'));
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
      },
    );
  },
);
