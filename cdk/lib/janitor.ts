import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { JANITOR_STATUSES } from '../../lambdas/handlers/janitor';
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
}

/**
 * Cleans up after executions a Catch cannot cover — stopped in the console, timed out, or failed: an
 * EventBridge rule on this state machine's "Step Functions Execution Status Change" events with status
 * ABORTED, TIMED_OUT or FAILED invokes the janitor (lambdas/handlers/janitor.ts), which stops the load,
 * restores the recorded shape and releases the lock. A long run's continuations are executions of the same
 * state machine, so the rule covers them too (the janitor finds their run by its `CONTINUES` record, a
 * GetItem). Retried by EventBridge, with the events it could not deliver kept for 14 days.
 */
export class LoadTestJanitor extends Construct {
  readonly handler: StepHandlerFunction;
  readonly rule: events.Rule;

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
    // The run's META and recorded shapes (read), the lock (conditional put and delete), its own record (put).
    this.handler.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [props.runsTable.tableArn],
      }),
    );
    // Restores with Teardown's code, so it needs what Teardown may do on the platforms, and nothing more.
    props.platformAccess?.grantLike('teardown', this.handler, 'janitor');
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
        }),
      ],
    });
  }
}
