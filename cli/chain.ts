import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { parseArn } from './arn';
import { outcomeOf, parseJsonOutput } from './exit-code';
import type { Sfn } from './sfn';

/** The service's error name: a ServiceError's `code`, else the SDK error's `name`. */
export function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; name?: unknown } | null;
  return typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : undefined;
}

/**
 * A long soak runs in a chain of executions: each but the last ends SUCCEEDED at "Run continued" with the
 * next one's `{ executionArn, startDate }` as its output (statemachine/definition.ts). The CLI follows the
 * chain so that a run reads as one, whichever of its executions it is given.
 */

/**
 * The execution a run continued in when `d` ended at "Run continued": SUCCEEDED, no outcome, and an output
 * naming an execution of the same state machine. Undefined for every other execution.
 */
export function continuedIn(d: DescribeExecutionOutput): string | undefined {
  if (d.status !== 'SUCCEEDED') return undefined;
  const output = parseJsonOutput(d.output);
  if (outcomeOf(output) !== undefined || output === null || typeof output !== 'object') return undefined;
  const next = (output as { executionArn?: unknown }).executionArn;
  if (typeof next !== 'string') return undefined;
  const arn = parseArn(next);
  if (arn?.service !== 'states' || arn.resourceType !== 'execution') return undefined;
  return stateMachineOf(next) === stateMachineOf(d.executionArn ?? '') ? next : undefined;
}

/** `arn:…:execution:<state machine>:<name>` → `arn:…:<state machine>`, to tell whose execution it is. */
function stateMachineOf(executionArn: string): string {
  return executionArn.slice(0, executionArn.lastIndexOf(':'));
}

/** Where a run stands: the execution that runs it now (or ran it last) and how many times it continued. */
export interface ChainPosition {
  readonly executionArn: string;
  readonly description: DescribeExecutionOutput;
  /** Executions after the one the caller started from; 0 when it is still that one. */
  readonly continuations: number;
}

/**
 * Describes `executionArn` and, while the execution described continued the run, the next one. Calls
 * `onContinued` for each hop (so `start --wait` can say so). A chain that loops back is an error, not a hang.
 */
export async function currentExecution(
  sfn: Sfn,
  executionArn: string,
  onContinued: (nextArn: string) => void = () => {},
): Promise<ChainPosition> {
  const seen = new Set<string>();
  let arn = executionArn;
  for (;;) {
    seen.add(arn);
    const description = await sfn.describeExecution({ executionArn: arn });
    const next = continuedIn(description);
    if (next === undefined) return { executionArn: arn, description, continuations: seen.size - 1 };
    if (seen.has(next))
      throw new Error(`execution ${arn} continued in ${next}, which is earlier in its chain`);
    onContinued(next);
    arn = next;
  }
}

/**
 * The execution `abortedArn` was starting when it was stopped inside "Continue in new execution": that
 * StartExecution may have gone through, and the run then goes on in the new execution. Read from the
 * StartExecution its history scheduled last (the one an execution makes, at its end); undefined when it made
 * none or the execution it named does not exist.
 */
export async function startedWhileStopping(sfn: Sfn, abortedArn: string): Promise<ChainPosition | undefined> {
  const history = await sfn.getExecutionHistory({
    executionArn: abortedArn,
    reverseOrder: true,
    maxResults: 100,
  });
  const scheduled = (history.events ?? []).find(
    (e) =>
      e.type === 'TaskScheduled' &&
      e.taskScheduledEventDetails?.resourceType === 'states' &&
      e.taskScheduledEventDetails.resource?.startsWith('startExecution'),
  );
  const parameters = parseJsonOutput(scheduled?.taskScheduledEventDetails?.parameters) as
    | { StateMachineArn?: unknown; Name?: unknown }
    | undefined;
  if (typeof parameters?.StateMachineArn !== 'string' || typeof parameters.Name !== 'string')
    return undefined;
  const startedArn = `${parameters.StateMachineArn.replace(':stateMachine:', ':execution:')}:${parameters.Name}`;
  try {
    return await currentExecution(sfn, startedArn);
  } catch (err) {
    if (errorCode(err) === 'ExecutionDoesNotExist') return undefined;
    throw err;
  }
}
