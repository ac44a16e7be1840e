import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import { LocustClient } from '../../../lambdas/adapters/locust/client';
import type { RampState } from '../../../lambdas/core/ramp-state';
import type { Verdict } from '../../../lambdas/core/verdict';
import { resetDeps } from '../../../lambdas/runtime/step';
import { readShopShape } from '../../../local/demo-shop';
import { type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally } from '../../../local/executor';
import { STEPS } from '../../../statemachine/steps';

/**
 * Scenarios through the synthesized state machine. The `mixed` scenario (config/local.json: CheckoutUser ×1, BrowseUser ×2) through the synthesized state machine,
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
    // Each tick as the console shows it: a miss of the target is explained by the ticks that led to it.
    const ticks: string[] = [];
    const startedAt = Date.now();
    const target = 300;
    const result = await executeLocally(
      env.pipeline.definition,
      {
        environment: 'local',
        scenario: 'mixed',
        targetOrdersPerMinute: target,
        rampUpMinutes: 1,
        plateauMinutes: 1.5,
        tickSeconds: 10,
      },
      {
        handlers: {
          [STEPS['ramp-tick']]: (real) => async (input) => {
            const out = (await real(input)) as RampState;
            const at = ((Date.now() - startedAt) / 1000).toFixed(0);
            ticks.push(`tick ${out.tick} at ${at} s, ${out.workers} workers: ${out.message}`);
            return out;
          },
        },
      },
    ).finally(() => {
      running = false;
    });
    await sampling;

    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const verdict = result.output as Verdict;
    const trace = `\n${ticks.join('\n')}\n`;
    expect(verdict.achievedOrdersPerMinute, trace).toBeGreaterThanOrEqual(target * 0.9);
    expect(verdict.achievedOrdersPerMinute, trace).toBeLessThanOrEqual(target * 1.1);
    // Only the scenario's classes ran, at their weights: the workers' reports lag a ramp's spawning by up to 3 s
    // each, so single samples stray; their median ratio is the weights'.
    expect(samples.length).toBeGreaterThan(10);
    for (const users of samples) {
      expect(Object.keys(users).every((c) => c === 'BrowseUser' || c === 'CheckoutUser')).toBe(true);
    }
    const ratios = samples
      .filter((u) => (u.CheckoutUser ?? 0) >= 3)
      .map((u) => (u.BrowseUser ?? 0) / (u.CheckoutUser ?? 1))
      .sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)];
    expect(median).toBeGreaterThanOrEqual(1.8);
    expect(median).toBeLessThanOrEqual(2.2);
  }, 360_000);
});

describe('a scenario the master cannot run', () => {
  it.each([
    ['browse', { BrowseUser: 1 }, /none of the classes of 'browse' \(BrowseUser\) counts the KPI/],
    ['search', { SearchUser: 1, CheckoutUser: 1 }, /does not offer SearchUser of 'search'/],
  ])(
    '%s is refused at Acquire lock: nothing deployed or scaled, no lock left',
    async (scenario, classes, why) => {
      // The same environment with one more scenario, as a configuration naming it would be deployed.
      const local = env.config.environments.local;
      if (!local) throw new Error('config/local.json has no local environment');
      const config = {
        ...env.config,
        environments: {
          ...env.config.environments,
          local: {
            ...local,
            scenarios: [...local.scenarios, scenario],
            userClasses: { ...local.userClasses, [scenario]: classes },
          },
        },
      };
      const saved = process.env.LTC_CONFIG;
      process.env.LTC_CONFIG = JSON.stringify(config);
      resetDeps();
      try {
        const before = await readShopShape(env.shop.adminUrl);
        const result = await executeLocally(env.pipeline.definition, {
          environment: 'local',
          scenario,
          targetOrdersPerMinute: 120,
          rampUpMinutes: 0.25,
          plateauMinutes: 0,
          tickSeconds: 5,
        });
        expect(result.status).toBe('FAILED');
        expect(result.error?.Error).toBe('ValidationError');
        expect(result.error?.Cause).toMatch(why);
        const entered = result.events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
        expect(entered).toContain(STEPS['acquire-lock']);
        expect(entered).not.toContain(STEPS.deploy);
        expect(entered).not.toContain(STEPS['start-load']);
        expect(await readShopShape(env.shop.adminUrl)).toEqual(before);
        expect(await new RunStore(env.aws.RUNS_TABLE).lockHolder('local')).toBeNull();
      } finally {
        process.env.LTC_CONFIG = saved;
        resetDeps();
      }
    },
  );
});
