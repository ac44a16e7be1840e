import { readdirSync } from 'node:fs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { DeadLetterAlarms } from '../../../../cdk/lib/dead-letter-alarms';
import {
  asArray,
  type CfnResourceJson,
  getAttId,
  logicalId,
  refersTo,
  synthesizeExample,
} from '../../../support/synthesized';

/** The queue a `{ "Fn::GetAtt": [queue, "Arn"] }` names, if it is one. */
function queueOf(arn: unknown, resources: Record<string, CfnResourceJson>): string | undefined {
  const id = getAttId(arn);
  return id && resources[id]?.Type === 'AWS::SQS::Queue' ? id : undefined;
}

/**
 * Every queue the template uses as a dead-letter queue or failure destination, read from the template:
 * EventBridge rule targets, Scheduler targets, SQS redrive policies, Lambda's DeadLetterConfig and on-failure
 * destinations. By user: `AWS::Events::Rule Janitor…` → queue.
 */
function deadLetterQueues(resources: Record<string, CfnResourceJson>): Map<string, string> {
  const found = new Map<string, string>();
  const add = (arn: unknown, by: string) => {
    const q = queueOf(arn, resources);
    if (q) found.set(q, by);
  };
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::Events::Rule':
        for (const t of asArray(p.Targets))
          add((t as { DeadLetterConfig?: { Arn: unknown } }).DeadLetterConfig?.Arn, id);
        break;
      case 'AWS::Scheduler::Schedule':
        add((p.Target as { DeadLetterConfig?: { Arn: unknown } }).DeadLetterConfig?.Arn, id);
        break;
      case 'AWS::SQS::Queue':
        add((p.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn, id);
        break;
      case 'AWS::Lambda::Function':
        add((p.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn, id);
        break;
      case 'AWS::Lambda::EventInvokeConfig':
        add(
          (p.DestinationConfig as { OnFailure?: { Destination: unknown } } | undefined)?.OnFailure
            ?.Destination,
          id,
        );
        break;
    }
  }
  return found;
}

/** The alarms that fire on a visible message in `queue` and notify `topic`. */
function alarmsOn(resources: Record<string, CfnResourceJson>, queue: string, topic: string) {
  return Object.values(resources).filter((r) => {
    const p = r.Properties;
    return (
      r.Type === 'AWS::CloudWatch::Alarm' &&
      p.Namespace === 'AWS/SQS' &&
      p.MetricName === 'ApproximateNumberOfMessagesVisible' &&
      refersTo(p.Dimensions, queue) &&
      p.Threshold === 0 &&
      p.ComparisonOperator === 'GreaterThanThreshold' &&
      p.EvaluationPeriods === 1 &&
      asArray(p.AlarmActions).some((a) => JSON.stringify(a) === JSON.stringify({ Ref: topic }))
    );
  });
}

const examples = readdirSync('config').filter((f) => f.endsWith('.json') && f !== 'local.json');

describe.each(examples)('config/%s: dead letters', (file) => {
  const { stack, resources } = synthesizeExample(file);
  const topic = logicalId(stack, stack.pipeline.topic);
  const dlqs = deadLetterQueues(resources);

  it('every dead-letter queue is encrypted, keeps messages 14 days and has an alarm that notifies the topic', () => {
    // The janitor's three at least: its rule target, its async invocations, its re-check queue.
    expect(dlqs.size).toBeGreaterThanOrEqual(3);
    for (const [queue, by] of dlqs) {
      const p = resources[queue]?.Properties ?? {};
      expect(p.SqsManagedSseEnabled === true || p.KmsMasterKeyId !== undefined, `${queue} (of ${by})`).toBe(
        true,
      );
      expect(p.MessageRetentionPeriod, queue).toBe(Duration.days(14).toSeconds());
      expect(alarmsOn(resources, queue, topic), `${queue} (of ${by})`).toHaveLength(1);
    }
  });

  it("the janitor's rule target and its asynchronous invocations have one each", () => {
    const janitor = stack.pipeline.janitor;
    const fn = logicalId(stack, janitor.handler.function);
    const rule = logicalId(stack, janitor.rule);
    expect(dlqs.get(logicalId(stack, janitor.undeliveredEvents))).toBe(rule);
    const invokeConfig = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::EventInvokeConfig' && refersTo(r.Properties.FunctionName, fn),
    );
    expect(invokeConfig?.[1].Properties).toMatchObject({ MaximumRetryAttempts: 2 });
    expect(dlqs.get(logicalId(stack, janitor.failedInvocations))).toBe(invokeConfig?.[0]);
    // EventBridge may send to its queue, from this rule only.
    const queuePolicy = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::SQS::QueuePolicy' &&
        refersTo(r.Properties.Queues, logicalId(stack, janitor.undeliveredEvents)),
    );
    expect(JSON.stringify(queuePolicy?.Properties.PolicyDocument)).toContain('events.amazonaws.com');
    expect(refersTo(queuePolicy?.Properties.PolicyDocument, rule)).toBe(true);
  });

  it("the topic's key lets CloudWatch alarms publish (alias/aws/sns would drop their notifications)", () => {
    const key = getAttId(resources[topic]?.Properties.KmsMasterKeyId);
    expect(key && resources[key]?.Type).toBe('AWS::KMS::Key');
    const policy = resources[key as string]?.Properties.KeyPolicy as { Statement: Record<string, unknown>[] };
    const statements = policy.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
  });
});

describe('the check itself', () => {
  /** A work queue with a dead-letter queue, and DeadLetterAlarms over it or not. */
  function synth(withAlarms: boolean) {
    const stack = new Stack(new App(), 'Check');
    const topic = new sns.Topic(stack, 'Topic');
    const dlq = new sqs.Queue(stack, 'Dlq');
    new sqs.Queue(stack, 'Work', { deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
    if (withAlarms)
      new DeadLetterAlarms(stack, 'Alarms', { topic, queues: { Work: { queue: dlq, holds: 'work items' } } });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, CfnResourceJson>;
    return { resources, dlq: logicalId(stack, dlq), topic: logicalId(stack, topic) };
  }

  it('finds a dead-letter queue without an alarm, and accepts it once DeadLetterAlarms covers it', () => {
    const before = synth(false);
    expect([...deadLetterQueues(before.resources).keys()]).toEqual([before.dlq]);
    expect(alarmsOn(before.resources, before.dlq, before.topic)).toEqual([]);
    const after = synth(true);
    expect(alarmsOn(after.resources, after.dlq, after.topic)).toHaveLength(1);
  });
});
