import { RESTORE_STEP_SLOTS } from './restore';

/**
 * How many history events an execution of the load-test state machine records, counted per state type as
 * AWS Step Functions documents its history events, and so how many ticks one execution holds before the run
 * continues in a new one. Design notes: docs/state-machine-limits.md.
 */

/** Step Functions keeps at most this many events in one execution's history; reaching it fails the execution. */
export const HISTORY_EVENT_LIMIT = 25_000;

/** Events a state records when it runs once (a Task: one attempt that succeeds or fails). */
export const STATE_EVENTS = {
  /**
   * TaskStateEntered, Scheduled, Started, Succeeded (or Failed), TaskStateExited: LambdaFunction… events for a
   * Resource that is a function's ARN (the Lambda steps), Task… events for a service integration.
   */
  Task: 5,
  /** MapStateEntered, MapStateStarted, MapStateSucceeded (or MapStateFailed), MapStateExited. */
  Map: 4,
  Pass: 2,
  Choice: 2,
  Wait: 2,
  Succeed: 2,
  /** FailStateEntered only: the execution fails with it. */
  Fail: 1,
} as const;
export type StateType = keyof typeof STATE_EVENTS;
/** MapIterationStarted and MapIterationSucceeded (or Failed), per item of a Map. */
export const MAP_ITERATION_EVENTS = 2;
/** ExecutionStarted and ExecutionSucceeded (or Failed). */
export const EXECUTION_EVENTS = 2;
/** A retried Task attempt: Failed, then Scheduled and Started again. */
export const RETRY_EVENTS = 3;
/** Retries of a Lambda task after its first attempt, at most (statemachine/lambda-task.ts). */
export const TASK_MAX_RETRIES = 4;

/** What the events of an execution are grouped by: its states' types, the Maps' items, the execution itself. */
export type HistoryEventGroup = StateType | 'MapIteration' | 'Execution';

type StateCounts = Partial<Record<StateType, number>>;

/** Deploy production versions and Scale to production size: inline Maps with one Lambda task per application. */
export const PREPARE_MAPS = 2;
/**
 * The states a first execution runs besides its ticks and the Maps' items, when it prepares and restores:
 * Validate input, Acquire lock, Scale node groups, Start load and the five restore steps (Tasks); Continuing a
 * run?, Dry run?, Deploy production versions? and Outcome? (Choices); the two prepare Maps; Restore checked
 * (a Pass); Run complete. Teardown restores every application in one invocation, so the restore path adds
 * nothing per application.
 */
export const RUN_STATES: StateCounts = { Task: 9, Choice: 4, Map: PREPARE_MAPS, Pass: 1, Succeed: 1 };
/** What each application adds: one Lambda task in each prepare Map (and the Map's iteration events). */
export const APPLICATION_STATES: StateCounts = { Task: PREPARE_MAPS };
/** One tick: Wait for next tick, Ramp tick, Ramp finished?. */
export const TICK_STATES: StateCounts = { Wait: 1, Task: 1, Choice: 1 };
/**
 * The longest way an execution ends besides that: the tick guard (Tick budget exhausted, a Pass) before the
 * restore, and every restore step failing into its "<step> failed" Pass. Continuing in a new execution (one
 * Task and a Succeed) records fewer events than restoring.
 */
export const LONGEST_END_STATES: StateCounts = { Pass: 1 + Object.keys(RESTORE_STEP_SLOTS).length };

/** Events the given states record when each runs once. */
function eventsOf(counts: StateCounts): number {
  return (Object.entries(counts) as [StateType, number][]).reduce(
    (sum, [type, n]) => sum + n * STATE_EVENTS[type],
    0,
  );
}

/** A first execution that prepares `applications`, runs `ticks` ticks and retries `retries` Task attempts. */
export interface ExecutionShape {
  readonly applications: number;
  readonly ticks: number;
  readonly retries: number;
}

/** The events an execution of this shape records when it ends by restoring, by group (AWS's history events). */
export function historyEventsByGroup(shape: ExecutionShape): Record<HistoryEventGroup, number> {
  const states: Record<StateType, number> = {
    Task: 0,
    Map: 0,
    Pass: 0,
    Choice: 0,
    Wait: 0,
    Succeed: 0,
    Fail: 0,
  };
  const add = (counts: StateCounts, times: number) => {
    for (const [type, n] of Object.entries(counts) as [StateType, number][]) states[type] += n * times;
  };
  add(RUN_STATES, 1);
  add(TICK_STATES, shape.ticks);
  add(APPLICATION_STATES, shape.applications);
  const events = Object.fromEntries(
    (Object.keys(states) as StateType[]).map((type) => [type, states[type] * STATE_EVENTS[type]]),
  ) as Record<StateType, number>;
  events.Task += shape.retries * RETRY_EVENTS;
  return {
    ...events,
    MapIteration: PREPARE_MAPS * shape.applications * MAP_ITERATION_EVENTS,
    Execution: EXECUTION_EVENTS,
  };
}

export function historyEvents(shape: ExecutionShape): number {
  return Object.values(historyEventsByGroup(shape)).reduce((a, b) => a + b, 0);
}

/**
 * Events budgeted per tick: a tick's states, and one more on average for retried ticks (a retry adds three).
 * Ticks retried more often than that are what {@link RESERVED_HISTORY_EVENTS} is for.
 */
export const EVENTS_PER_TICK = eventsOf(TICK_STATES) + 1;
/** Events kept free for what the count leaves out: ticks retried more than on average, above all. */
export const RESERVED_HISTORY_EVENTS = 2_500;

/**
 * What an execution records besides its ticks at most: everything above, the tick guard, and every Task
 * (the prepare Maps' items too) retried to its limit.
 */
export function nonTickEvents(applications: number): number {
  const tasks = (RUN_STATES.Task ?? 0) + (APPLICATION_STATES.Task ?? 0) * applications;
  return (
    historyEvents({ applications, ticks: 0, retries: tasks * TASK_MAX_RETRIES }) +
    eventsOf(LONGEST_END_STATES)
  );
}

/**
 * Ticks an execution that prepares `applications` holds (0 for an execution that continues a run: it does not
 * prepare again) before the run continues in a new one.
 */
export function historyTicks(applications: number): number {
  return Math.floor(
    (HISTORY_EVENT_LIMIT - RESERVED_HISTORY_EVENTS - nonTickEvents(applications)) / EVENTS_PER_TICK,
  );
}

/** Ticks an execution that continues a run holds: it prepares nothing. */
export const TICKS_PER_EXECUTION = historyTicks(0);

/**
 * The most applications an environment has. Each adds an iteration to both prepare Maps; at this bound, with
 * every task retried to its limit and the reserve kept, the first execution still holds over a day of
 * 60-second ticks (historyTicks(200) = 1,471), so no run reaches the history limit.
 */
export const MAX_APPLICATIONS = 200;
