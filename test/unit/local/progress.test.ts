import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../lambdas/core/config-file';
import { type RestoreErrorSlots, restoreOutcome } from '../../../lambdas/core/restore';
import { executeLocally } from '../../../local/executor';
import { createProgress, finalRunState, restoreLines, restoreOf } from '../../../local/progress';
import { synthesizePipeline } from '../../../local/synth';
import { CONTROL_STATES as C, STEPS, type StepStateName } from '../../../statemachine/steps';

/**
 * The terminal's lines for a run of the synthesized state machine (aws-local-stepfunctions) whose steps are
 * stubbed: the lines come from the interpreter's real events, caught errors included.
 */
const { definition } = synthesizePipeline(loadConfigFile('config/example.json'));

type Handler = (input: unknown) => Promise<unknown>;
const run = {
  run: {
    request: {
      environment: 'staging',
      scenario: 'checkout',
      targetOrdersPerMinute: 100,
      rampUpMinutes: 1,
      plateauMinutes: 1,
      tickSeconds: 10,
      dryRun: false,
      deployProductionVersions: false,
      applications: ['shop'],
    },
    environment: { prepareConcurrency: 10 },
    maxTicks: 10,
  },
  execution: { continueAtTick: 10 },
};

function handlers(failing: Partial<Record<StepStateName, string>>) {
  const ok: Record<StepStateName, Handler> = {
    [STEPS['validate-input']]: async () => run,
    [STEPS['plan-dry-run']]: async () => ({}),
    [STEPS['acquire-lock']]: async () => ({ expiresAt: 'soon' }),
    [STEPS.deploy]: async () => ({ application: 'shop', from: {}, to: {} }),
    [STEPS.scale]: async () => ({ application: 'shop', from: {}, to: {} }),
    [STEPS['start-load']]: async () => ({
      tick: 0,
      done: false,
      nextTickAt: new Date().toISOString(),
      message: 'started',
    }),
    [STEPS['ramp-tick']]: async () => ({
      tick: 1,
      done: true,
      phase: 'done',
      nextTickAt: new Date().toISOString(),
      ordersPerMinute: 0,
      targetNow: 100,
      users: 10,
      workers: 2,
      failureRatio: 1,
    }),
    [STEPS['stop-load']]: async () => ({ stopped: true, message: 'stopped' }),
    [STEPS.evaluate]: async () => ({ outcome: 'fail', summary: 'FAIL' }),
    [STEPS.teardown]: async () => ({ restored: [] }),
    [STEPS.cleanup]: async () => ({ actions: [] }),
    [STEPS['release-lock']]: async (input) => {
      const restore = restoreOutcome(
        (input as { restoreErrors?: RestoreErrorSlots }).restoreErrors,
        [],
        [{ kind: 'application', name: 'shop', recorded: { version: '1', replicas: 1 } }],
      );
      return { lockReleased: true, restore, restoreMessage: 'Restore incomplete' };
    },
  };
  return Object.fromEntries(
    Object.entries(ok).map(([name, h]) => {
      const error = failing[name as StepStateName];
      const replacement: Handler = error
        ? async () => {
            throw Object.assign(new Error(`${name}: connect ECONNREFUSED 127.0.0.1:8080`), { name: error });
          }
        : h;
      return [name, () => replacement];
    }),
  ) as Partial<Record<StepStateName, (real: Handler) => Handler>>;
}

async function lines(failing: Partial<Record<StepStateName, string>>) {
  const progress = createProgress();
  const out: string[] = [];
  const result = await executeLocally(
    definition,
    { environment: 'staging' },
    {
      handlers: handlers(failing),
      waitOverrides: { [C.waitForTick]: 0 },
      onEvent: (event) => {
        const line = progress(event);
        if (line) out.push(line);
      },
    },
  );
  return { out, result };
}

describe('progress lines', () => {
  it('never prints a ✓ for a step whose error was caught; prints ✗ with the error instead', async () => {
    const failing = {
      [STEPS['stop-load']]: 'RestoreError',
      [STEPS.teardown]: 'RestoreError',
      [STEPS.cleanup]: 'Error',
    };
    const { out } = await lines(failing);
    for (const name of Object.keys(failing)) {
      expect(
        out.filter((l) => l.startsWith(`✓ ${name} `)),
        name,
      ).toEqual([]);
      expect(out, name).toContainEqual(
        expect.stringMatching(new RegExp(`^✗ ${name} +FAILED: \\w+: ${name}: connect ECONNREFUSED`)),
      );
    }
    expect(out).toContainEqual(expect.stringMatching(/^✓ Evaluate +FAIL$/));
  }, 60_000);

  it('a caught step before the restore path says the environment is being restored', async () => {
    const { out } = await lines({ [STEPS['ramp-tick']]: 'TickError' });
    expect(out).toContainEqual(
      expect.stringMatching(/^✗ Ramp tick +FAILED: TickError: .* — restoring the environment$/),
    );
  }, 60_000);

  it('the final state gives the restore’s account, which the last lines say first', async () => {
    const { result } = await lines({ [STEPS.teardown]: 'RestoreError' });
    const last = finalRunState(result.events);
    expect(last).not.toBeNull();
    const restore = restoreOf(last as NonNullable<typeof last>);
    expect(restore.complete).toBe(false);
    expect(restoreLines(restore)).toEqual([
      '✗ RESTORE INCOMPLETE: Teardown failed; may be left: application shop (current unreadable, may still be as the run left it, recorded 1 replicas, version 1)',
      expect.stringMatching(/^ {4}Teardown failed at \S+Z: RestoreError: Teardown: connect ECONNREFUSED/),
      '    may be left: application shop (current unreadable, may still be as the run left it, recorded 1 replicas, version 1)',
    ]);
  }, 60_000);
});
