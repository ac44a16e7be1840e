import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../lambdas/core/config-file';
import { historyTicks } from '../../../lambdas/core/history-budget';
import type { RunState } from '../../../lambdas/core/run-state';
import { logger } from '../../../lambdas/runtime/logger';
import { resetDeps } from '../../../lambdas/runtime/step';
import { executeLocally, type LocalExecutionResult } from '../../../local/executor';
import { synthesizePipeline } from '../../../local/synth';
import { CONTROL_STATES as C, STEPS, type StepStateName } from '../../../statemachine/steps';
import { type Handler, PASSING_RESTORE_PATH } from '../../support/passing-steps';

/**
 * Capacity mode through the synthesized state machine with the real Validate input: bad capacity input stops
 * there, naming the field, before any other step runs; good input goes through the same states as any run,
 * its ticks through the same three states the history budget counts (docs/state-machine-limits.md).
 */
const config = loadConfigFile('config/example.json');
// Staging has no SLO but the default failure ratio; "measured" is staging with a latency SLO.
const raw = JSON.parse(JSON.stringify(config));
raw.environments.measured = {
  ...raw.environments.staging,
  slos: { ...raw.environments.staging.slos, requests: [{ name: 'Aggregated', p95Ms: 800 }] },
};
const { definition } = synthesizePipeline(config);
/** The handlers' environment: the configuration, and stores the validation path never reaches. */
const ENV = {
  LTC_CONFIG: JSON.stringify(raw),
  RUNS_TABLE: 'never-called',
  REPORTS_BUCKET: 'never-called',
  TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:never-called',
  AWS_REGION: 'us-east-1',
};
const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));
beforeAll(() => {
  Object.assign(process.env, ENV);
  resetDeps();
  // The refusals are what is asserted; the handlers' JSON logs (and their phase records, which have no
  // store to go to here) are for CloudWatch.
  logger.setLogLevel('SILENT');
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetDeps();
});

const entered = (result: LocalExecutionResult) =>
  result.events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));

/** Every step after Validate input replaced by one that records that it ran. */
function recordingSteps(ticks: number, ran: string[]) {
  const steps: Partial<Record<StepStateName, Handler>> = {
    [STEPS['acquire-lock']]: async () => ({ held: true }),
    [STEPS.deploy]: async (input) => ({ application: (input as { application: string }).application }),
    [STEPS.scale]: async () => ({ changes: [] }),
    [STEPS['start-load']]: async () => ({ tick: 0, done: false, nextTickAt: new Date().toISOString() }),
    [STEPS['ramp-tick']]: async (input) => {
      const tick = (input as RunState).ramp?.tick ?? 0;
      return { tick: tick + 1, done: tick + 1 >= ticks, nextTickAt: new Date().toISOString() };
    },
    ...PASSING_RESTORE_PATH,
  };
  return Object.fromEntries(
    Object.entries(steps).map(([name, h]) => [
      name,
      () => async (input: unknown) => {
        ran.push(name);
        return (h as Handler)(input);
      },
    ]),
  ) as Partial<Record<StepStateName, (real: Handler) => Handler>>;
}

const capacity = { environment: 'measured', mode: 'capacity', rampUpMinutes: 10, plateauMinutes: 20 };

describe('bad capacity-mode input through the state machine', () => {
  it.each([
    ['no SLO to judge', { ...capacity, environment: 'staging' }, 'mode'],
    ['a plateau too short for one window', { ...capacity, plateauMinutes: 3 }, 'plateauMinutes'],
    ['a target beside it', { ...capacity, targetOrdersPerMinute: 600 }, 'targetOrdersPerMinute'],
    [
      'a window shorter than a breach takes',
      { ...capacity, capacity: { holdTicks: 1 } },
      'capacity.holdTicks',
    ],
  ])('%s: refused by Validate input, naming %s, before anything else runs', async (_what, input, field) => {
    const ran: string[] = [];
    const result = await executeLocally(definition, input, { handlers: recordingSteps(3, ran) });
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('ValidationError');
    expect(result.error?.Cause).toContain(`${field}: `);
    expect(entered(result)).toEqual([STEPS['validate-input']]);
    expect(ran).toEqual([]);
  });
});

describe('a capacity-mode run through the state machine', () => {
  it('prepares, ticks through the same three states per tick as any run, restores and releases', async () => {
    const ran: string[] = [];
    const result = await executeLocally(definition, capacity, {
      handlers: recordingSteps(4, ran),
      waitOverrides: { [C.waitForTick]: 0 },
    });
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const states = entered(result);
    const loop = states.slice(states.indexOf(C.waitForTick), states.lastIndexOf(C.rampChoice) + 1);
    expect(loop).toEqual(
      Array.from({ length: 4 }, () => [C.waitForTick, STEPS['ramp-tick'], C.rampChoice]).flat(),
    );
    for (const step of [
      'acquire-lock',
      'start-load',
      'stop-load',
      'evaluate',
      'teardown',
      'cleanup',
      'release-lock',
    ] as const)
      expect(ran, step).toContain(STEPS[step]);
    // Validate budgets the ticks as for any run: what the history holds, none extra for the search.
    const validated = result.events.find(
      (e) => e.type === 'StateExited' && e.state.name === STEPS['validate-input'],
    ) as { state: { output?: RunState } } | undefined;
    const state = validated?.state.output;
    expect(state?.run.request).toMatchObject({ mode: 'capacity', targetOrdersPerMinute: 6000 });
    expect(state?.execution?.continueAtTick).toBeLessThanOrEqual(
      historyTicks(state?.run.request.applications.length ?? 0),
    );
  });
});
