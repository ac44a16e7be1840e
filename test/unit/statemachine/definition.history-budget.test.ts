import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../lambdas/core/config-file';
import {
  type HistoryEventGroup,
  historyEvents,
  historyEventsByGroup,
  TASK_MAX_RETRIES,
} from '../../../lambdas/core/history-budget';
import { type EventLog, executeLocally } from '../../../local/executor';
import { synthesizePipeline } from '../../../local/synth';
import { CONTROL_STATES as C, STEPS, type StepStateName } from '../../../statemachine/steps';
import { type Handler, PASSING_RESTORE_PATH } from '../../support/passing-steps';

/**
 * The history budget's arithmetic (lambdas/core/history-budget.ts) against the events a real execution of the
 * synthesized definition records, per state type, for 1, 5 and 20 applications.
 *
 * The local interpreter logs each state as StateEntered/StateExited; AWS records more per state type. Its log
 * is translated to AWS's documented history events (API_HistoryEvent), and where the two differ AWS's count is
 * the one kept:
 *   Task: StateEntered → TaskStateEntered, <X>Scheduled, <X>Started; StateFailed → <X>Failed;
 *         StateRetried → <X>Scheduled, <X>Started; StateExited → <X>Succeeded, TaskStateExited
 *         (<X> is LambdaFunction for a Resource that is a function's ARN, as the Lambda steps' are; Task for a
 *         service integration such as states:startExecution)
 *   Map:  StateEntered → MapStateEntered, MapStateStarted; StateExited → MapStateSucceeded, MapStateExited
 *   Fail: StateEntered → FailStateEntered (AWS records no FailStateExited)
 *   other states: <Type>StateEntered, <Type>StateExited; Map iterations and the execution: one each.
 */
const { definition } = synthesizePipeline(loadConfigFile('config/example.json'));

function awsHistory(events: readonly EventLog[]): { group: HistoryEventGroup; type: string }[] {
  return events.flatMap((event): { group: HistoryEventGroup; type: string }[] => {
    switch (event.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
        return [{ group: 'Execution', type: event.type }];
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        return [{ group: 'MapIteration', type: event.type }];
      case 'StateEntered':
      case 'StateExited':
      case 'StateFailed':
      case 'StateRetried': {
        const group = event.state.type as HistoryEventGroup;
        const types = AWS_EVENTS[event.state.type]?.[event.type];
        if (!types) throw new Error(`no AWS history event for ${event.type} of a ${event.state.type} state`);
        const lambda = RESOURCES.get(event.state.name)?.startsWith('arn:aws:lambda:');
        return types.map((type) => ({
          group,
          type: lambda ? type.replace(/^Task(?!State)/, 'LambdaFunction') : type,
        }));
      }
      default:
        throw new Error(`a ${event.type} event: not expected in these runs`);
    }
  });
}
const AWS_EVENTS: Record<string, Partial<Record<EventLog['type'], string[]>>> = {
  Task: {
    StateEntered: ['TaskStateEntered', 'TaskScheduled', 'TaskStarted'],
    StateFailed: ['TaskFailed'],
    StateRetried: ['TaskScheduled', 'TaskStarted'],
    StateExited: ['TaskSucceeded', 'TaskStateExited'],
  },
  Map: {
    StateEntered: ['MapStateEntered', 'MapStateStarted'],
    StateExited: ['MapStateSucceeded', 'MapStateExited'],
  },
  Fail: { StateEntered: ['FailStateEntered'], StateExited: [] },
  ...Object.fromEntries(
    ['Pass', 'Choice', 'Wait', 'Succeed'].map((type) => [
      type,
      { StateEntered: [`${type}StateEntered`], StateExited: [`${type}StateExited`] },
    ]),
  ),
};

/** Every state's Resource by name, in the Maps too (state names are unique across the definition). */
const RESOURCES = new Map<string, string>();
(function collect(states: Record<string, { Resource?: string; ItemProcessor?: { States: never } }>) {
  for (const [name, state] of Object.entries(states)) {
    if (state.Resource) RESOURCES.set(name, state.Resource);
    if (state.ItemProcessor) collect(state.ItemProcessor.States);
  }
})(definition.States as never);

/** A run over `applications` that ticks `ticks` times; the Deploy of the listed applications fails once, transiently. */
function run(applications: number, ticks: number, retryOnce: readonly string[] = []) {
  const names = Array.from({ length: applications }, (_, i) => `app-${i}`);
  const retried = new Set<string>();
  const ok: Partial<Record<StepStateName, Handler>> = {
    [STEPS['validate-input']]: async () => ({
      run: {
        request: { dryRun: false, deployProductionVersions: true, applications: names },
        environment: { prepareConcurrency: 40 },
        maxTicks: ticks + 5,
      },
      execution: { continueAtTick: ticks + 5 },
    }),
    [STEPS['acquire-lock']]: async () => ({ held: true }),
    [STEPS.deploy]: async (input) => {
      const { application } = input as { application: string };
      if (retryOnce.includes(application) && !retried.has(application)) {
        retried.add(application);
        const error = new Error(`${application}: throttled`);
        error.name = 'TransientError';
        throw error;
      }
      return { application };
    },
    [STEPS.scale]: async () => ({ changes: [] }),
    [STEPS['start-load']]: async () => ({ tick: 0, done: false, nextTickAt: new Date().toISOString() }),
    [STEPS['ramp-tick']]: async (input) => {
      const tick = (input as { ramp: { tick: number } }).ramp.tick + 1;
      return { tick, done: tick >= ticks, nextTickAt: new Date().toISOString() };
    },
    ...PASSING_RESTORE_PATH,
  };
  const handlers = Object.fromEntries(Object.entries(ok).map(([name, h]) => [name, () => h])) as Partial<
    Record<StepStateName, (real: Handler) => Handler>
  >;
  return executeLocally(definition, {}, { handlers, waitOverrides: { [C.waitForTick]: 0 } });
}

function countByGroup(
  history: readonly { group: HistoryEventGroup }[],
): Partial<Record<HistoryEventGroup, number>> {
  const counts: Partial<Record<HistoryEventGroup, number>> = {};
  for (const { group } of history) counts[group] = (counts[group] ?? 0) + 1;
  return counts;
}

/** The formula's groups, without the state types that record nothing in this run. */
function expected(shape: Parameters<typeof historyEventsByGroup>[0]) {
  return Object.fromEntries(Object.entries(historyEventsByGroup(shape)).filter(([, n]) => n > 0));
}

describe('the history budget against a real execution of the synthesized definition', () => {
  it.each([1, 5, 20])(
    '%i application(s), 3 ticks: the events per state type are the formula’s',
    async (n) => {
      const result = await run(n, 3);
      expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
      const history = awsHistory(result.events);
      expect(countByGroup(history)).toEqual(expected({ applications: n, ticks: 3, retries: 0 }));
      expect(history).toHaveLength(historyEvents({ applications: n, ticks: 3, retries: 0 }));
    },
  );

  it('each application adds 14 events (7 per prepare Map: its iteration and its Lambda task)', async () => {
    const [one, twenty] = await Promise.all([run(1, 2), run(20, 2)]);
    const perApplication = (awsHistory(twenty.events).length - awsHistory(one.events).length) / 19;
    expect(perApplication).toBe(14);
  });

  it('a retried attempt adds three events (LambdaFunctionFailed, LambdaFunctionScheduled, LambdaFunctionStarted)', async () => {
    const result = await run(5, 2, ['app-1', 'app-3']);
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    expect(result.events.filter((e) => e.type === 'StateRetried')).toHaveLength(2);
    const history = awsHistory(result.events);
    expect(countByGroup(history)).toEqual(expected({ applications: 5, ticks: 2, retries: 2 }));
    expect(history.filter((e) => e.type === 'LambdaFunctionFailed')).toHaveLength(2);
  });

  it('counts at most four retries per task, as the definition retries', () => {
    const retriers = JSON.stringify(definition).match(/"MaxAttempts":\d+/g) ?? [];
    expect(retriers.length).toBeGreaterThan(0);
    expect(new Set(retriers)).toEqual(new Set([`"MaxAttempts":${TASK_MAX_RETRIES}`]));
  });
});
