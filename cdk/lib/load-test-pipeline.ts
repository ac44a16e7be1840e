import {
  ArnFormat,
  type CfnResource,
  Duration,
  Names,
  RemovalPolicy,
  Stack,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { REPORTS_PREFIX } from '../../lambdas/contracts';
import { type ConductorConfig, scheduleProblems } from '../../lambdas/core/config';
import { ValidationError } from '../../lambdas/core/errors';
import { buildLoadTestDefinition } from '../../statemachine/definition';
import { STEP_IDS, type StepId } from '../../statemachine/steps';
import { DeadLetterAlarms } from './dead-letter-alarms';
import { LoadTestJanitor } from './janitor';
import { grantSloWatch, LoadTestDashboards } from './load-test-dashboard';
import { PlatformAccess, type PlatformAccessOptions } from './platform-access';
import { StepHandlerFunction } from './step-handler-function';
import { grantPublishing } from './topic-publishing';

export interface LoadTestPipelineProps {
  /** The validated configuration: environments, applications, Locust, SLOs, schedules. */
  readonly config: ConductorConfig;
  /** The VPC where Locust's master and the applications' agents are reachable; none for public endpoints. */
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Upper bound of one execution; a run still going then is timed out. Default: 2 days. */
  readonly executionTimeout?: Duration;
  /** What happens to the runs table and reports bucket when the stack is deleted. Default: RETAIN. */
  readonly dataRemovalPolicy?: RemovalPolicy;
  /**
   * IAM and EKS access entries for the platforms of the configuration: write on test, read on production
   * (cdk/lib/platform-access.ts). `false` when they are managed elsewhere. Default: created.
   */
  readonly platformAccess?: PlatformAccessOptions | false;
  /**
   * The Locust worker fleet the ramp sizes (e.g. a `LocustFargateCluster`): Start load and Ramp tick may
   * scale it, Stop load scales it back; nothing else.
   */
  readonly locustFleet?: { grantScaleWorkers(grantee: iam.IGrantable): unknown };
  /** A CloudWatch dashboard per environment with the test's graphs and SLO alarms. Default: true. */
  readonly dashboards?: boolean;
  /**
   * Ticks one execution runs before a longer test continues in a new execution. Default: what the
   * 25,000-event history holds; lower only to exercise continuations.
   */
  readonly ticksPerExecution?: number;
}

/** Steps that wait for rollouts or run cleanup jobs may take minutes; the others answer in seconds. */
const STEP_TIMEOUT: Readonly<Record<StepId, Duration>> = {
  'validate-input': Duration.seconds(30),
  'plan-dry-run': Duration.minutes(2),
  'acquire-lock': Duration.seconds(30),
  deploy: Duration.minutes(15),
  scale: Duration.minutes(15),
  'start-load': Duration.minutes(1),
  'ramp-tick': Duration.minutes(1),
  'stop-load': Duration.minutes(1),
  evaluate: Duration.minutes(2),
  teardown: Duration.minutes(15),
  cleanup: Duration.minutes(10),
  'release-lock': Duration.seconds(30),
};

/**
 * Everything a load test needs in one account: the Standard state machine
 * and its step functions, the runs/lock table, the reports bucket, the
 * notification topic and the schedules from the configuration.
 */
export class LoadTestPipeline extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly runsTable: dynamodb.Table;
  readonly reportsBucket: s3.Bucket;
  readonly topic: sns.Topic;
  readonly functions: Readonly<Record<StepId, StepHandlerFunction>>;
  /** Restores and unlocks after executions that ended where no Catch runs. */
  readonly janitor: LoadTestJanitor;
  readonly schedules: readonly scheduler.Schedule[];
  /** An alarm on every dead-letter queue, notifying the topic. */
  readonly deadLetterAlarms: DeadLetterAlarms;
  readonly dashboards?: LoadTestDashboards;

  constructor(scope: Construct, id: string, props: LoadTestPipelineProps) {
    super(scope, id);
    const removalPolicy = props.dataRemovalPolicy ?? RemovalPolicy.RETAIN;

    this.runsTable = new dynamodb.Table(this, 'Runs', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });

    this.reportsBucket = new s3.Bucket(this, 'Reports', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    Validations.of(this.reportsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Reports are written only by the Evaluate function, whose calls CloudTrail already records; access logs would add a second bucket for no reader.',
    });

    // A key of the stack's own: CloudWatch alarms cannot publish to a topic encrypted with alias/aws/sns,
    // whose key policy cannot let them.
    const topicKey = new kms.Key(this, 'NotificationsKey', {
      description: 'Load Test Conductor notifications topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Notifications', {
      displayName: 'Load Test Conductor',
      enforceSSL: true,
      masterKey: topicKey,
    });

    const common = {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      environment: {
        RUNS_TABLE: this.runsTable.tableName,
        REPORTS_BUCKET: this.reportsBucket.bucketName,
        TOPIC_ARN: this.topic.topicArn,
        POWERTOOLS_SERVICE_NAME: 'load-test-conductor',
      },
    };
    const functions = Object.fromEntries(
      STEP_IDS.map((step) => [
        step,
        new StepHandlerFunction(this, pascal(step), {
          ...common,
          step,
          timeout: STEP_TIMEOUT[step],
          // Only validation reads the configuration; later steps use the snapshot it puts in the state.
          define:
            step === 'validate-input'
              ? { 'process.env.LTC_CONFIG': JSON.stringify(JSON.stringify(props.config)) }
              : undefined,
        }),
      ]),
    ) as Record<StepId, StepHandlerFunction>;
    this.functions = functions;
    this.grantLeastPrivilege(functions);
    let platformAccess: PlatformAccess | undefined;
    if (props.platformAccess !== false) {
      platformAccess = new PlatformAccess(this, 'PlatformAccess', {
        config: props.config,
        functions,
        ...props.platformAccess,
      });
    }
    for (const s of ['start-load', 'ramp-tick', 'stop-load'] as const)
      props.locustFleet?.grantScaleWorkers(functions[s].function);
    // The SLO watch, the verdict's baseline and the final report (lambdas/use-cases/watch.ts, evaluate, release-lock).
    grantSloWatch(this, {
      config: props.config,
      functions,
      runsTable: this.runsTable,
      reportsBucket: this.reportsBucket,
      topic: this.topic,
    });
    this.dashboards =
      props.dashboards === false ? undefined : new LoadTestDashboards(this, 'Dashboards', props);

    // Named, so that its own ARN (a long run continues in a new execution of it) is known without a
    // reference to the state machine from its role's policy, which would be circular.
    const stateMachineName = Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    const continueIn = sfn.StateMachine.fromStateMachineArn(
      this,
      'Itself',
      Stack.of(this).formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: stateMachineName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    const executionTimeout = props.executionTimeout ?? Duration.days(2);
    const logGroup = new LogGroup(this, 'ExecutionLogs', {
      // Step Functions' vended-logs prefix: its log delivery needs no resource policy per group there.
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment:
        'Load Test Conductor: one end-to-end load test to a target of orders per minute, then restore.',
      definitionBody: sfn.DefinitionBody.fromChainable(
        buildLoadTestDefinition(
          new Construct(this, 'Workflow'),
          Object.fromEntries(STEP_IDS.map((s) => [s, functions[s].function])) as Record<
            StepId,
            StepHandlerFunction['function']
          >,
          {
            continueIn,
            executionTimeout,
            ticksPerExecution: props.ticksPerExecution,
          },
        ),
      ),
      timeout: executionTimeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.acknowledgeInvokeVersions(this.stateMachine, functions);
    // Stopped, timed-out and failed executions: restore and unlock (cdk/lib/janitor.ts).
    this.janitor = new LoadTestJanitor(this, 'Janitor', {
      ...common,
      stateMachine: this.stateMachine,
      runsTable: this.runsTable,
      platformAccess,
    });
    // It scales the worker fleet back to its size before an aborted run, as Stop load does.
    props.locustFleet?.grantScaleWorkers(this.janitor.handler.function);

    this.schedules = this.createSchedules(props.config);
    const scheduleDeadLetters = this.node.tryFindChild('ScheduleDeadLetters') as sqs.Queue | undefined;
    this.deadLetterAlarms = new DeadLetterAlarms(this, 'DeadLetterAlarms', {
      topic: this.topic,
      queues: {
        ...this.janitor.deadLetterQueues,
        ...(scheduleDeadLetters && {
          Schedules: {
            queue: scheduleDeadLetters,
            holds: 'scheduled test starts EventBridge Scheduler could not deliver',
          },
        }),
      },
    });
  }

  private grantLeastPrivilege(fns: Record<StepId, StepHandlerFunction>): void {
    const fn = (s: StepId) => fns[s].function;
    // Each step's table actions on the items it reads or writes only, by partition key prefix (`LOCK#`,
    // `RUN#`, `BASELINE#`: lambdas/adapters/aws/run-store.ts), as its recorded calls show (test/e2e/iam/).
    const table = (s: StepId, actions: string[], prefixes: string[], sid?: string) =>
      fn(s).addToRolePolicy(
        new iam.PolicyStatement({
          sid,
          actions,
          resources: [this.runsTable.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes } },
        }),
      );
    // The lock: a conditional put, read back when another run holds it.
    table('acquire-lock', ['dynamodb:PutItem', 'dynamodb:GetItem'], ['LOCK#*']);
    // A continuing run's Validate renews its lock (a conditional update, read back when it is gone).
    table('validate-input', ['dynamodb:GetItem', 'dynamodb:UpdateItem'], ['LOCK#*'], 'ValidateRenewsLock');
    // Frees the lock if this run holds it (a conditional delete); the ticks and phases for the report.
    table('release-lock', ['dynamodb:DeleteItem'], ['LOCK#*']);
    table('release-lock', ['dynamodb:Query'], ['RUN#*'], 'ReleaseLockReadsRunForReport');
    // Start load records the worker fleet's size before it scales it (a conditional put of a run item, read
    // back on a retry); Stop load reads it to scale the fleet back.
    table('start-load', ['dynamodb:GetItem'], ['RUN#*'], 'StartLoadReadsFleetSizeBack');
    table('stop-load', ['dynamodb:GetItem'], ['RUN#*']);
    // Teardown reads the recorded shapes and fleet size back.
    table('teardown', ['dynamodb:GetItem', 'dynamodb:Query'], ['RUN#*']);
    // Ramp tick reads the last ticks' histograms back for the SLOs' sliding window.
    table('ramp-tick', ['dynamodb:Query'], ['RUN#*'], 'RampTickReadsHistogramWindow');
    // Evaluate reads the run's ticks, phases and histograms and the last passing runs (a query of the
    // environment's baseline history), and writes this run into it when it passes.
    table('evaluate', ['dynamodb:Query'], ['RUN#*']);
    table('evaluate', ['dynamodb:Query', 'dynamodb:PutItem'], ['BASELINE#*'], 'EvaluateBaselineHistory');
    const evaluate = fn('evaluate');
    evaluate.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.reportsBucket.arnForObjects(`${REPORTS_PREFIX}*`)],
      }),
    );
    Validations.of(fns.evaluate).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.logicalId(this.reportsBucket)}.Arn>/${REPORTS_PREFIX}*]`,
      reason: 'Each run writes its report under its own key below runs/, unknown until the run starts.',
    });
    grantPublishing(this.topic, fn('release-lock'));
    // Release lock (the result) and Ramp tick (breaches) publish to the topic (grantSloWatch).
    for (const s of ['release-lock', 'ramp-tick'] as const) {
      Validations.of(fns[s]).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: "Publishing to the encrypted topic: SNS's data-key calls, on the topic's key only.",
      });
    }
    // Every step records its phase for the report's timeline, and Deploy, Scale and Ramp tick their shapes
    // and ticks (conditional puts): items of runs only, never the locks or baselines.
    for (const f of Object.values(fns)) {
      f.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:PutItem'],
          resources: [this.runsTable.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RUN#*'] } },
        }),
      );
    }
  }

  /** The state machine may invoke the step functions and their versions (`:*`), nothing else. */
  private acknowledgeInvokeVersions(
    stateMachine: sfn.StateMachine,
    fns: Record<StepId, StepHandlerFunction>,
  ): void {
    for (const f of Object.values(fns)) {
      Validations.of(stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.logicalId(f.function)}.Arn>:*]`,
        reason: 'Step Functions grants invoking the step function and its versions; the function is named.',
      });
    }
    Validations.of(stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing and log delivery to CloudWatch Logs have no resource-level permissions.',
    });
  }

  private logicalId(construct: Construct): string {
    const resource = construct.node.defaultChild as CfnResource;
    return Stack.of(this).resolve(Stack.of(this).getLogicalId(resource)) as string;
  }

  private createSchedules(config: ConductorConfig): scheduler.Schedule[] {
    if (config.schedules.length === 0) return [];
    // A configuration built in code skips parseConfig: Scheduler's rules are checked here too, at synth.
    const problems = config.schedules.flatMap((s, i) => scheduleProblems(s, `schedules[${i}]`));
    if (problems.length > 0) throw new ValidationError(problems);
    const deadLetters = new sqs.Queue(this, 'ScheduleDeadLetters', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the schedules.',
    });
    const role = new iam.Role(this, 'SchedulerRole', {
      // Only this account's schedules may use the role (confused-deputy guard).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler start load-test executions',
    });
    return config.schedules.map(
      (s) =>
        new scheduler.Schedule(this, `Schedule-${s.name}`, {
          description: s.description ?? `Load test ${s.name}`,
          schedule: scheduler.ScheduleExpression.expression(s.cron, TimeZone.of(s.timeZone)),
          enabled: s.enabled,
          target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
            input: scheduler.ScheduleTargetInput.fromObject(s.input),
            role,
            deadLetterQueue: deadLetters,
            retryAttempts: 2,
          }),
        }),
    );
  }
}

function pascal(step: string): string {
  return step.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
}
