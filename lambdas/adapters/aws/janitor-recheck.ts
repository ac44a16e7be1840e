import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MAX_RECHECK_DELAY_SECONDS } from '../../contracts';
import { withTransientAws } from './transient';

/**
 * The janitor's delayed second pass. A step's Lambda can still be running when its execution is stopped
 * or times out (Step Functions does not stop a running Lambda), and may re-scale the environment after the
 * janitor restored it. The first pass therefore puts the same event on an SQS queue with a delay of at
 * least the longest step timeout; the janitor reads it from there and restores whatever changed meanwhile.
 */
export class JanitorRecheckQueue {
  constructor(
    private readonly queueUrl: string,
    /** At least the longest step Lambda's timeout; SQS allows up to 900 s (the Lambda maximum). */
    readonly delaySeconds: number,
    private readonly sqs: SQSClient = new SQSClient({}),
  ) {}

  /** Queues `message` for the second pass; returns when it becomes visible. */
  async schedule(message: unknown, now: Date): Promise<Date> {
    await withTransientAws('schedule the janitor re-check', () =>
      this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: JSON.stringify(message),
          DelaySeconds: this.delaySeconds,
        }),
      ),
    );
    return new Date(now.getTime() + this.delaySeconds * 1000);
  }
}

/**
 * The queue from `JANITOR_RECHECK_QUEUE_URL` and `JANITOR_RECHECK_DELAY_SECONDS` (cdk/lib/janitor.ts sets
 * both); null when the queue is not configured.
 */
export function janitorRecheckQueue(env: NodeJS.ProcessEnv = process.env): JanitorRecheckQueue | null {
  const url = env.JANITOR_RECHECK_QUEUE_URL;
  if (!url) return null;
  const delay = Number(env.JANITOR_RECHECK_DELAY_SECONDS ?? MAX_RECHECK_DELAY_SECONDS);
  if (!Number.isInteger(delay) || delay < 0 || delay > MAX_RECHECK_DELAY_SECONDS) {
    throw new Error(
      `JANITOR_RECHECK_DELAY_SECONDS must be an integer 0…${MAX_RECHECK_DELAY_SECONDS}, got '${env.JANITOR_RECHECK_DELAY_SECONDS}'`,
    );
  }
  return new JanitorRecheckQueue(url, delay);
}
