import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { HANDLERS } from '../lambdas/handlers/index';
import { CONTROL_STATES, MAP_ITEM_TASK_STEPS, STEPS, type StepStateName } from '../statemachine/steps';

type Handler = (input: unknown) => Promise<unknown>;

/** One event of a local execution (the interpreter does not export its type). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface LocalExecutionOptions {
  /** Replace or wrap a step's handler, by state name (fault injection in tests). */
  readonly handlers?: Partial<Record<StepStateName, (real: Handler) => Handler>>;
  /** Milliseconds to wait instead of a Wait state's own time, by state name. */
  readonly waitOverrides?: Readonly<Record<string, number>>;
  /** The name of the run's first execution. */
  readonly executionName?: string;
  /** Called for every event of the run's executions, in order, with the execution it belongs to. */
  readonly onEvent?: (event: EventLog, execution: LocalExecution) => void;
  /**
   * Stops the running execution as "Stop execution" in the console does: it ends ABORTED, no Catch runs,
   * and the run does not continue.
   */
  readonly signal?: AbortSignal;
}

/** One execution of a run: the first, or one the run continued in. */
export interface LocalExecution {
  readonly executionName: string;
  readonly executionArn: string;
  /** 1 for the first, one more for each continuation. */
  readonly number: number;
}

export interface LocalExecutionResult {
  /** How the run ended: its last execution's status, output or error. */
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** The run's identity: its first execution (records, lock and report are keyed by it). */
  readonly executionName: string;
  readonly executionArn: string;
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause?: string };
  /** Every execution's events, in order. */
  readonly events: readonly EventLog[];
  /** The run's executions in order, each with its status; more than one when the run continued. */
  readonly executions: readonly (LocalExecution & { readonly status: ExecutionOutcome['status'] })[];
}

const ACCOUNT_PREFIX = 'arn:aws:states:us-east-1:123456789012';
const STATE_MACHINE_ARN = `${ACCOUNT_PREFIX}:stateMachine:LoadTestConductor`;

/**
 * Runs a state machine definition (the synthesized one) with the real step handlers in this process, as
 * Lambda would invoke them, and collects the execution's events. A run that continues in a new execution
 * ("Continue in new execution", Step Functions' StartExecution) goes on as the next local execution with
 * the input that state started it with; the result covers the whole run.
 */
export async function executeLocally(
  definition: Record<string, unknown>,
  input: unknown,
  options: LocalExecutionOptions = {},
): Promise<LocalExecutionResult> {
  const firstName =
    options.executionName ??
    `local-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  // biome-ignore lint/suspicious/noExplicitAny: the interpreter types definitions and JSON loosely
  const machine = new StateMachine(definition as any, { validationOptions: { checkArn: false } });
  const events: EventLog[] = [];
  const executions: LocalExecutionResult['executions'][number][] = [];
  let next: { name: string; input: unknown } | null = { name: firstName, input };
  let outcome: ExecutionOutcome | undefined;
  while (next) {
    const execution: LocalExecution = {
      executionName: next.name,
      executionArn: `${ACCOUNT_PREFIX}:execution:LoadTestConductor:${next.name}`,
      number: executions.length + 1,
    };
    let continuation: { name: string; input: unknown } | null = null;
    outcome = await executeOnce(machine, next.input, execution, options, events, (request) => {
      continuation = request;
    });
    executions.push({ ...execution, status: outcome.status });
    next = outcome.status === 'SUCCEEDED' && !options.signal?.aborted ? continuation : null;
  }
  const first = executions[0] as LocalExecution;
  return {
    ...(outcome as ExecutionOutcome),
    executionName: first.executionName,
    executionArn: first.executionArn,
    events,
    executions,
  };
}

interface ExecutionOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause?: string };
}

/** What "Continue in new execution" hands StartExecution (resolved Parameters of the state). */
interface StartExecutionRequest {
  readonly Name: string;
  readonly Input: unknown;
}

/** One local execution; `onContinue` receives the execution the run continues in, if it does. */
async function executeOnce(
  machine: StateMachine,
  input: unknown,
  current: LocalExecution,
  options: LocalExecutionOptions,
  events: EventLog[],
  onContinue: (request: { name: string; input: unknown }) => void,
): Promise<ExecutionOutcome> {
  const taskResourceLocalHandlers: Record<string, Handler> = Object.fromEntries(
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
  // StartExecution on this state machine: noted, and run as the next local execution once this one ends.
  taskResourceLocalHandlers[CONTROL_STATES.continueRun] = async (request) => {
    const { Name, Input } = request as StartExecutionRequest;
    onContinue({ name: Name, input: Input });
    return {
      ExecutionArn: `${ACCOUNT_PREFIX}:execution:LoadTestConductor:${Name}`,
      StartDate: new Date().toISOString(),
    };
  };
  const execution = machine.run(input as never, {
    overrides: {
      // biome-ignore lint/suspicious/noExplicitAny: handlers take and return JSON
      taskResourceLocalHandlers: taskResourceLocalHandlers as any,
      waitTimeOverrides: { ...options.waitOverrides },
    },
    context: {
      Execution: {
        Id: current.executionArn,
        Name: current.executionName,
        StartTime: new Date().toISOString(),
        Input: input as never,
        RoleArn: 'local',
      },
      StateMachine: { Id: STATE_MACHINE_ARN, Name: 'LoadTestConductor' },
      // The interpreter has no `$$.State`; a Pass state reads the time as it runs, which is when it was entered.
      State: {
        get EnteredTime() {
          return new Date().toISOString();
        },
      },
    } as never,
    noThrowOnAbort: true,
  });
  const abort = () => execution.abort();
  if (options.signal) {
    if (options.signal.aborted) abort();
    else options.signal.addEventListener('abort', abort, { once: true });
  }
  const own: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      own.push(event);
      events.push(event);
      options.onEvent?.(event, current);
    }
  })();
  let result: ExecutionOutcome;
  try {
    const output = await execution.result;
    result = output === null ? { status: 'ABORTED' } : { status: 'SUCCEEDED', output };
  } catch (err) {
    const e = err as Error & { cause?: { name?: string; message?: string } };
    const failed = [...own].reverse().find((ev) => ev.type === 'ExecutionFailed') as
      | { Error: string; Cause: unknown }
      | undefined;
    result = {
      status: 'FAILED',
      error: failed
        ? {
            Error: failed.Error,
            Cause: typeof failed.Cause === 'string' ? failed.Cause : JSON.stringify(failed.Cause),
          }
        : { Error: e.cause?.name ?? e.name, Cause: e.cause?.message ?? e.message },
    };
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  await collecting;
  return result;
}
