import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { JANITOR_STATUSES, MAX_RECHECK_DELAY_SECONDS } from '../../lambdas/contracts';
import type { DeadLetterQueue } from './dead-letter-alarms';
import type { PlatformAccess } from './platform-access';
import { StepHandlerFunction } from './step-handler-function';

export interface LoadTestJanitorProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly runsTable: dynamodb.ITable;
  /** Teardown's platform access (its statements and EKS access entries), given to the janitor too. */
  readonly platformAccess?: PlatformAccess;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** The step functions' environment (`RUNS_TABLE`, …). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * When the second pass runs after the first: at least the longest step Lambda's timeout, at most 15 min
   * (SQS's longest delay). Default 15 min, the longest any Lambda can run.
   */
  readonly recheckAfter?: Duration;
}

/**
 * Cleans up after executions a Catch cannot cover — stopped in the console, timed out, or failed: an
 * EventBridge rule on this state machine's "Step Functions Execution Status Change" events with status
 * ABORTED, TIMED_OUT or FAILED invokes the janitor (lambdas/handlers/janitor.ts), which stops the load,
 * restores the recorded shape and releases the lock. A long run's continuations are executions of the same
 * state machine, so the rule covers them too (the janitor finds their run by its `CONTINUES` record, a
 * GetItem). Nothing is dropped: an event EventBridge could not deliver after its retries, an invocation that
 * failed after Lambda's retries, and a second pass that failed five times each land in a dead-letter queue
 * (encrypted, kept 14 days), which `deadLetterQueues` lists for their alarms.
 *
 * A step's Lambda keeps running when its execution is stopped or times out, and can re-scale the
 * environment after the janitor restored it: every first pass queues a second one on an SQS queue,
 * delayed by the longest step timeout, which restores such a late write.
 */
export class LoadTestJanitor extends Construct {
  readonly handler: StepHandlerFunction;
  readonly rule: events.Rule;
  /** The delayed second passes. */
  readonly recheckQueue: sqs.Queue;
  /** Events EventBridge could not deliver to the janitor. */
  readonly undeliveredEvents: sqs.Queue;
  /** Events whose asynchronous invocation failed after Lambda's retries (on-failure destination records). */
  readonly failedInvocations: sqs.Queue;
  /** Every dead-letter queue of the janitor, by name. */
  readonly deadLetterQueues: Readonly<Record<string, DeadLetterQueue>>;

  constructor(scope: Construct, id: string, props: LoadTestJanitorProps) {
    super(scope, id);
    this.handler = new StepHandlerFunction(this, 'Janitor', {
      step: 'janitor',
      timeout: Duration.minutes(15),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      environment: props.environment,
    });
    // The run's META and recorded shapes (read) and its own record (put); the lock (conditional put and delete).
    for (const [actions, prefix] of [
      [['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'], 'RUN#*'],
      [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], 'LOCK#*'],
    ] as const) {
      this.handler.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...actions],
          resources: [props.runsTable.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [prefix] } },
        }),
      );
    }
    // Restores with Teardown's code and scales the worker fleet back as Stop load does, so it needs what those
    // two may do on the platforms, and nothing more.
    props.platformAccess?.grantLike(['teardown', 'stop-load'], this.handler, 'janitor');
    const recheckAfter = props.recheckAfter ?? Duration.seconds(MAX_RECHECK_DELAY_SECONDS);
    if (recheckAfter.toSeconds() > MAX_RECHECK_DELAY_SECONDS)
      throw new Error(
        `recheckAfter: at most ${MAX_RECHECK_DELAY_SECONDS} s (SQS), got ${recheckAfter.toSeconds()} s`,
      );
    const deadLetters = (queueId: string, of: string) => {
      const queue = new sqs.Queue(this, queueId, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `This queue is itself the dead-letter queue of ${of}.`,
      });
      return queue;
    };
    const unprocessed = deadLetters('RecheckDeadLetters', 'the janitor re-checks');
    this.undeliveredEvents = deadLetters('UndeliveredEvents', "the janitor's EventBridge rule target");
    this.failedInvocations = deadLetters('FailedInvocations', "the janitor's asynchronous invocations");
    this.deadLetterQueues = {
      JanitorRecheck: { queue: unprocessed, holds: 'janitor second passes that failed five times' },
      JanitorUndeliveredEvents: {
        queue: this.undeliveredEvents,
        holds: 'execution-ended events EventBridge could not deliver to the janitor',
      },
      JanitorFailedInvocations: {
        queue: this.failedInvocations,
        holds: 'execution-ended events the janitor failed on after its retries',
      },
    };
    // Lambda delivers a failed invocation with the function's role; the handler never sends there.
    const failedInvocations = this.failedInvocations;
    this.handler.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'LambdaDeliversFailedInvocations',
        actions: ['sqs:SendMessage'],
        resources: [failedInvocations.queueArn],
      }),
    );
    this.handler.function.configureAsyncInvoke({
      onFailure: { bind: () => ({ destination: failedInvocations.queueArn }) },
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    this.recheckQueue = new sqs.Queue(this, 'Recheck', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda wants at least the function's timeout; a failed second pass is tried again after it.
      visibilityTimeout: Duration.minutes(20),
      deadLetterQueue: { queue: unprocessed, maxReceiveCount: 5 },
    });
    this.recheckQueue.grantSendMessages(this.handler.function);
    this.handler.function.addEnvironment('JANITOR_RECHECK_QUEUE_URL', this.recheckQueue.queueUrl);
    this.handler.function.addEnvironment('JANITOR_RECHECK_DELAY_SECONDS', String(recheckAfter.toSeconds()));
    this.handler.function.addEventSource(new SqsEventSource(this.recheckQueue, { batchSize: 1 }));
    this.rule = new events.Rule(this, 'ExecutionEnded', {
      description: 'Load Test Conductor: restore and unlock after an aborted, timed-out or failed execution',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [props.stateMachine.stateMachineArn],
          status: [...JANITOR_STATUSES],
        },
      },
      targets: [
        new targets.LambdaFunction(this.handler.function, {
          retryAttempts: 4,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.undeliveredEvents,
        }),
      ],
    });
  }
}
