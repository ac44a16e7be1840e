import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** A dead-letter queue and what its messages are, for the alarm's description. */
export interface DeadLetterQueue {
  readonly queue: sqs.IQueue;
  /** What a message there means, e.g. "janitor events EventBridge could not deliver". */
  readonly holds: string;
}

export interface DeadLetterAlarmsProps {
  /** Every dead-letter queue of the stack, by a name for the alarm's id. */
  readonly queues: Readonly<Record<string, DeadLetterQueue>>;
  /** Notified when a message arrives (its key must let CloudWatch use it: not alias/aws/sns). */
  readonly topic: sns.ITopic;
}

/**
 * An alarm per dead-letter queue, in alarm as long as a message is visible there, notifying the topic: a
 * message in a dead-letter queue is work that was not done (a cleanup, a scheduled test), and it expires after
 * the queue's retention. The README ("Dead letters") says how to read and replay them.
 */
export class DeadLetterAlarms extends Construct {
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: DeadLetterAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const alarms: Record<string, cloudwatch.Alarm> = {};
    for (const [name, { queue, holds }] of Object.entries(props.queues)) {
      const alarm = new cloudwatch.Alarm(this, name, {
        alarmDescription: `Load Test Conductor: ${holds} are waiting in dead-letter queue ${name}. Read and replay them (README, "Dead letters") before the queue's retention ends.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // An empty queue publishes no datapoints once it has been idle a while.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarms[name] = alarm;
    }
    this.alarms = alarms;
  }
}
