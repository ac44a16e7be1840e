import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocustClient } from '../../../lambdas/adapters/locust/client';
import type { Verdict } from '../../../lambdas/core/verdict';
import { type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally } from '../../../local/executor';

/**
 * The `mixed` scenario (config/local.json: CheckoutUser ×1, BrowseUser ×2) through the synthesized state machine,
 * on one Locust master started as the image starts it: browse users keep their share while the ramp holds the
 * checkout KPI on target.
 */
let env: LocalEnvironment;

beforeAll(async () => {
  env = await startLocalEnvironment({ workers: 2 });
});
afterAll(async () => {
  await env?.stop();
});

describe('the mixed scenario', () => {
  it('runs browse and checkout users at 2:1 and holds the orders per minute on target', async () => {
    const locust = new LocustClient({ baseUrl: env.locust.url, timeoutMs: 5_000 });
    const samples: Record<string, number>[] = [];
    let running = true;
    const sampling = (async () => {
      while (running) {
        const { running: users } = await locust.scenario().catch(() => ({ running: {} }));
        if (Object.keys(users).length > 0) samples.push({ ...users });
        await new Promise((r) => setTimeout(r, 2_000));
      }
    })();
    const target = 120;
    const result = await executeLocally(env.pipeline.definition, {
      environment: 'local',
      scenario: 'mixed',
      targetOrdersPerMinute: target,
      rampUpMinutes: 1,
      plateauMinutes: 1,
      tickSeconds: 10,
    }).finally(() => {
      running = false;
    });
    await sampling;

    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const verdict = result.output as Verdict;
    expect(verdict.achievedOrdersPerMinute).toBeGreaterThanOrEqual(target * 0.9);
    expect(verdict.achievedOrdersPerMinute).toBeLessThanOrEqual(target * 1.1);
    // Only the scenario's classes ran, and in every sample at their weights (the dispatcher rounds to ±1 user).
    expect(samples.length).toBeGreaterThan(10);
    for (const users of samples) {
      expect(Object.keys(users).sort()).toEqual(expect.arrayContaining(['CheckoutUser']));
      expect(Object.keys(users).every((c) => c === 'CheckoutUser' || c === 'BrowseUser')).toBe(true);
      const checkout = users.CheckoutUser ?? 0;
      const browse = users.BrowseUser ?? 0;
      expect(Math.abs(browse - 2 * checkout)).toBeLessThanOrEqual(2);
    }
  }, 360_000);
});
