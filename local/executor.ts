import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { HANDLERS } from '../lambdas/handlers';
import { MAP_ITEM_TASK_STEPS, STEPS, type StepStateName } from '../statemachine/steps';

type Handler = (input: unknown) => Promise<unknown>;

/** One event of a local execution (the interpreter does not export its type). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface LocalExecutionOptions {
  /** Replace or wrap a step's handler, by state name (fault injection in tests). */
  readonly handlers?: Partial<Record<StepStateName, (real: Handler) => Handler>>;
  /** Milliseconds to wait instead of a Wait state's own time, by state name. */
  readonly waitOverrides?: Readonly<Record<string, number>>;
  readonly executionName?: string;
  /** Called for every event of the execution, in order. */
  readonly onEvent?: (event: EventLog) => void;
  /** Stops the execution as "Stop execution" in the console does: it ends ABORTED, no Catch runs. */
  readonly signal?: AbortSignal;
}

export interface LocalExecutionResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly executionName: string;
  readonly executionArn: string;
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause?: string };
  readonly events: readonly EventLog[];
}

/**
 * Runs a state machine definition (the synthesized one) with the real step
 * handlers in this process, as Lambda would invoke them, and collects the
 * execution's events.
 */
export async function executeLocally(
  definition: Record<string, unknown>,
  input: unknown,
  options: LocalExecutionOptions = {},
): Promise<LocalExecutionResult> {
  const executionName =
    options.executionName ??
    `local-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const executionArn = `arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:${executionName}`;
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(STEPS).map(([id, stateName]) => {
      const real = HANDLERS[id as keyof typeof STEPS] as Handler;
      const wrap = options.handlers?.[stateName];
      return [stateName, wrap ? wrap(real) : real];
    }),
  );
  // Tasks inside the prepare Maps run their step's handler (and its wrapper) once per item.
  for (const [stateName, id] of Object.entries(MAP_ITEM_TASK_STEPS)) {
    const real = HANDLERS[id] as Handler;
    const wrap = options.handlers?.[STEPS[id]];
    taskResourceLocalHandlers[stateName] = wrap ? wrap(real) : real;
  }
  // biome-ignore lint/suspicious/noExplicitAny: the interpreter types definitions and JSON loosely
  const machine = new StateMachine(definition as any, { validationOptions: { checkArn: false } });
  const execution = machine.run(input as never, {
    overrides: {
      // biome-ignore lint/suspicious/noExplicitAny: handlers take and return JSON
      taskResourceLocalHandlers: taskResourceLocalHandlers as any,
      waitTimeOverrides: { ...options.waitOverrides },
    },
    context: {
      Execution: {
        Id: executionArn,
        Name: executionName,
        StartTime: new Date().toISOString(),
        Input: input as never,
        RoleArn: 'local',
      },
      StateMachine: {
        Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:LoadTestConductor',
        Name: 'LoadTestConductor',
      },
    } as never,
    noThrowOnAbort: true,
  });
  if (options.signal) {
    if (options.signal.aborted) execution.abort();
    else options.signal.addEventListener('abort', () => execution.abort(), { once: true });
  }
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      events.push(event);
      options.onEvent?.(event);
    }
  })();
  let result: LocalExecutionResult;
  try {
    const output = await execution.result;
    result =
      output === null
        ? { status: 'ABORTED', executionName, executionArn, events }
        : { status: 'SUCCEEDED', executionName, executionArn, output, events };
  } catch (err) {
    const e = err as Error & { cause?: { name?: string; message?: string } };
    const failed = [...events].reverse().find((ev) => ev.type === 'ExecutionFailed') as
      | { Error: string; Cause: unknown }
      | undefined;
    result = {
      status: 'FAILED',
      executionName,
      executionArn,
      error: failed
        ? {
            Error: failed.Error,
            Cause: typeof failed.Cause === 'string' ? failed.Cause : JSON.stringify(failed.Cause),
          }
        : { Error: e.cause?.name ?? e.name, Cause: e.cause?.message ?? e.message },
      events,
    };
  }
  await collecting;
  return { ...result, events };
}
