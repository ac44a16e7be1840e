import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../lambdas/core/config-file';
import { executeLocally } from '../../../local/executor';
import { synthesizePipeline } from '../../../local/synth';
import { PREPARE_MAP_STATES } from '../../../statemachine/prepare-map';
import { CONTROL_STATES as C, MAP_ITEM_TASKS, STEPS, type StepStateName } from '../../../statemachine/steps';
import { type Handler, PASSING_RESTORE_PATH } from '../../support/passing-steps';

/** The pipeline's prepare phase: Deploy and Scale as Maps over the applications, run by the local interpreter. */
const { definition } = synthesizePipeline(loadConfigFile('config/example.json'));
const states = definition.States as Record<string, Record<string, unknown>>;

interface Item {
  state: { run: { request: { applications: string[] } } };
  application?: string;
  nodeGroups?: boolean;
}

function harness(options: { deploy?: boolean; failApplication?: string; concurrency?: number } = {}) {
  const calls: { step: string; item: string }[] = [];
  let inFlight = 0;
  let peak = 0;
  const item =
    (step: string) =>
    async (input: unknown): Promise<unknown> => {
      const { application, nodeGroups } = input as Item;
      calls.push({ step, item: application ?? (nodeGroups ? 'node groups' : 'whole state') });
      if (!application) return { changes: [], nodeGroups: [{ nodeGroup: 'workers' }] };
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      if (application === options.failApplication) {
        const err = new Error(`${application}: the rollout did not complete`);
        err.name = 'RolloutTimeoutError';
        throw err;
      }
      return { application, from: { replicas: 1 }, to: { replicas: 6 } };
    };
  const ok: Partial<Record<StepStateName, Handler>> = {
    [STEPS['validate-input']]: async () => ({
      run: {
        request: {
          dryRun: false,
          deployProductionVersions: options.deploy ?? true,
          applications: ['a', 'b', 'c', 'd', 'e'],
        },
        environment: { prepareConcurrency: options.concurrency ?? 2 },
        maxTicks: 10,
      },
    }),
    [STEPS['acquire-lock']]: async () => ({ held: true }),
    [STEPS.deploy]: item('deploy'),
    [STEPS.scale]: item('scale'),
    [STEPS['start-load']]: async () => ({ tick: 0, done: true, nextTickAt: new Date().toISOString() }),
    [STEPS['ramp-tick']]: async () => ({ tick: 1, done: true, nextTickAt: new Date().toISOString() }),
    ...PASSING_RESTORE_PATH,
  };
  const handlers = Object.fromEntries(Object.entries(ok).map(([name, h]) => [name, () => h])) as Partial<
    Record<StepStateName, (real: Handler) => Handler>
  >;
  return { calls, peak: () => peak, handlers };
}

describe('prepare as Maps over the applications', () => {
  it('has Maps with the console names, a concurrency limit from the environment and one task per item', () => {
    const deploy = states[STEPS.deploy] as Record<string, unknown>;
    expect(deploy).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.run.request.applications',
      MaxConcurrencyPath: '$.run.environment.prepareConcurrency',
      ItemSelector: { 'state.$': '$', 'application.$': '$$.Map.Item.Value' },
      ResultPath: '$.deploy',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STEPS['stop-load'] }],
    });
    const inner = (deploy.ItemProcessor as { States: Record<string, Record<string, unknown>> }).States;
    expect(Object.keys(inner)).toEqual([MAP_ITEM_TASKS.deployApplication]);
    expect(inner[MAP_ITEM_TASKS.deployApplication]?.Retry).toBeDefined();
    expect(states[STEPS.scale]).toMatchObject({ Type: 'Map', ResultPath: '$.scale.changes' });
    expect(states[MAP_ITEM_TASKS.scaleNodeGroups]).toMatchObject({
      Next: STEPS.scale,
      ResultPath: '$.scale',
    });
    expect(states[PREPARE_MAP_STATES.deployChoice]?.Type).toBe('Choice');
  });

  it('deploys and scales each application in its own invocation, at most prepareConcurrency at once', async () => {
    const h = harness({ concurrency: 2 });
    const result = await executeLocally(
      definition,
      {},
      { handlers: h.handlers, waitOverrides: { [C.waitForTick]: 0 } },
    );
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    expect(
      h.calls
        .filter((c) => c.step === 'deploy')
        .map((c) => c.item)
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(h.calls.filter((c) => c.step === 'scale').map((c) => c.item)).toEqual([
      'node groups',
      ...['a', 'b', 'c', 'd', 'e'].map(() => expect.any(String)),
    ]);
    expect(h.peak()).toBe(2);
    const scaled = result.events.find(
      (e) => e.type === 'StateExited' && e.state.name === STEPS.scale,
    ) as unknown as {
      state: { output: { deploy: unknown; scale: unknown } };
    };
    expect(scaled.state.output.deploy).toMatchObject({
      skipped: false,
      changes: expect.arrayContaining([expect.objectContaining({ application: 'a' })]),
    });
    expect(scaled.state.output.scale).toMatchObject({ nodeGroups: [{ nodeGroup: 'workers' }] });
    expect((scaled.state.output.scale as { changes: unknown[] }).changes).toHaveLength(5);
  });

  it('keeps the deployed versions for a feature-branch run', async () => {
    const h = harness({ deploy: false });
    const result = await executeLocally(
      definition,
      {},
      { handlers: h.handlers, waitOverrides: { [C.waitForTick]: 0 } },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(h.calls.filter((c) => c.step === 'deploy')).toEqual([]);
    const entered = result.events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
    expect(entered).toContain(PREPARE_MAP_STATES.keepVersions);
    expect(entered).not.toContain(STEPS.deploy);
  });

  it('fails the run with the failing application’s error, after the restore path', async () => {
    const h = harness({ failApplication: 'c' });
    const result = await executeLocally(
      definition,
      {},
      { handlers: h.handlers, waitOverrides: { [C.waitForTick]: 0 } },
    );
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('RolloutTimeoutError');
    const entered = result.events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
    expect(entered).toEqual(
      expect.arrayContaining([STEPS.teardown, STEPS.cleanup, STEPS['release-lock'], C.runFailed]),
    );
    expect(entered).not.toContain(STEPS['start-load']);
  });
});
