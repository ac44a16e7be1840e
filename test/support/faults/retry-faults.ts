import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { TickRecord } from '../../../lambdas/core/records';
import type { ExecutionStatusChangeEvent, JanitorRecheckEvent } from '../../../lambdas/handlers/janitor';
import type { LocalExecutionOptions } from '../../../local/executor';
import { LIFECYCLE_STEPS } from '../../../statemachine/steps';

/**
 * Faults of the retry kind for local executions: every handler invoked twice (a Step Functions retry after
 * a lost response), a step's TimeoutSeconds shortened so the interpreter raises States.Timeout while the
 * handler keeps running, and the janitor's delayed second pass taken from its (moto) SQS queue.
 */

/** A load test short enough for fault scenarios on the local environment: a 15 s ramp in 5 s ticks. */
export const SHORT_LOCAL_RUN = {
  environment: 'local',
  targetOrdersPerMinute: 120,
  rampUpMinutes: 0.25,
  plateauMinutes: 0,
  tickSeconds: 5,
} as const;

/** Every lifecycle step's handler runs twice; the second answer is the one the state machine sees. */
export function everyHandlerTwice(): NonNullable<LocalExecutionOptions['handlers']> {
  return Object.fromEntries(
    LIFECYCLE_STEPS.map((step) => [
      step,
      (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
        await real(input);
        return real(input);
      },
    ]),
  ) as NonNullable<LocalExecutionOptions['handlers']>;
}

/** What is wrong with a run's tick series (a tick twice, one missing, time going backwards), or null. */
export function tickSeriesProblem(ticks: readonly TickRecord[]): string | null {
  if (ticks.length === 0) return 'no ticks recorded';
  for (const [i, t] of ticks.entries()) {
    if (t.tick !== i + 1) return `tick ${i + 1} is recorded as ${t.tick}`;
    const previous = ticks[i - 1];
    if (previous && Date.parse(t.at) <= Date.parse(previous.at))
      return `tick ${t.tick} at ${t.at} is not after tick ${previous.tick} at ${previous.at}`;
  }
  return null;
}

/**
 * The definition with one task state's TimeoutSeconds set, found by name at the top level or inside a Map's
 * item processor (aws-local-stepfunctions honours it, and, like Lambda, lets the handler run on after it
 * raised States.Timeout).
 */
export function withTaskTimeout(
  definition: Record<string, unknown>,
  state: string,
  seconds: number,
): Record<string, unknown> {
  type States = Record<
    string,
    { Type?: string; TimeoutSeconds?: number; ItemProcessor?: { States: States } }
  >;
  const copy = structuredClone(definition) as { States: States };
  const find = (states: States): States[string] | undefined =>
    states[state] ??
    Object.values(states)
      .map((s) => (s.ItemProcessor ? find(s.ItemProcessor.States) : undefined))
      .find(Boolean);
  const task = find(copy.States);
  if (task?.Type !== 'Task') throw new Error(`the definition has no task state '${state}'`);
  task.TimeoutSeconds = seconds;
  return copy;
}

/** Creates the janitor's re-check queue on moto; returns its URL. */
export async function createRecheckQueue(sqs: SQSClient, name = 'janitor-recheck'): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`queue ${name} not created`);
  return QueueUrl;
}

/**
 * Takes the janitor's delayed second pass for `executionArn` off its queue, as the Lambda event source
 * would deliver it (re-check messages of other executions are taken off too).
 */
export async function receiveJanitorRecheck(
  sqs: SQSClient,
  queueUrl: string,
  executionArn: string,
  timeoutMs = 20_000,
): Promise<JanitorRecheckEvent> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const m of Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      const event = JSON.parse(m.Body ?? '{}') as ExecutionStatusChangeEvent;
      if (event.detail?.executionArn === executionArn) return { Records: [{ body: m.Body ?? '' }] };
    }
  }
  throw new Error(`no janitor re-check for ${executionArn} within ${timeoutMs} ms`);
}
