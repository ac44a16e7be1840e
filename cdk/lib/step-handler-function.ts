import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StepId } from '../../statemachine/steps';

export interface StepHandlerFunctionProps {
  /** Which handler under `lambdas/handlers/` this function runs (`janitor`: cdk/lib/janitor.ts). */
  readonly step: StepId | 'janitor';
  /** Longest a single invocation may take: steps that wait for rollouts need minutes. */
  readonly timeout: Duration;
  readonly environment?: Readonly<Record<string, string>>;
  /** Compile-time constants for esbuild (the configuration is inlined into the validation step). */
  readonly define?: Readonly<Record<string, string>>;
  /** Set when Locust or the applications are only reachable inside a VPC. */
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly logRetention?: RetentionDays;
}

/**
 * One step's Lambda: Node.js 24 on arm64, bundled by esbuild, its own log
 * group with a retention, and a role that can write to that log group only
 * (instead of the managed basic execution policy, which allows every group).
 */
export class StepHandlerFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: StepHandlerFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Load Test Conductor step ${props.step}`,
      inlinePolicies: {
        logs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
        // Inline in the role, so that it exists before the function and outlives it: Lambda deletes the
        // interfaces after the function is gone.
        ...(props.vpc ? { vpc: new iam.PolicyDocument({ statements: [lambdaVpcEniStatement()] }) } : {}),
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: props.vpc
        ? 'Active tracing (xray:PutTraceSegments, PutTelemetryRecords) and the VPC network interfaces (Lambda creates them before they have an ARN; DescribeNetworkInterfaces and DescribeSubnets have no resource-level permissions) cannot be scoped to a resource.'
        : 'Active tracing needs xray:PutTraceSegments and PutTelemetryRecords, which have no resource-level permissions.',
    });
    this.function = new NodejsFunction(this, 'Function', {
      role,
      entry: fileURLToPath(new URL(`../../lambdas/handlers/${props.step}.ts`, import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup,
      description: `Load Test Conductor: ${props.step}`,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      bundling: {
        minify: true,
        sourceMap: true,
        // The map without the sources it maps to (less than half its size): Node reads it on the first
        // error's stack, which then costs less (docs/cold-start.md).
        sourcesContent: false,
        target: 'node24',
        define: props.define ? { ...props.define } : undefined,
        externalModules: ['@aws-sdk/*'],
      },
    });
  }
}

/**
 * What AWS's AWSLambdaVPCAccessExecutionRole grants for the network interfaces, which CDK attaches only to
 * roles it creates itself. Resource "*": Lambda creates an interface before it has an ARN, and checks when the
 * function is created or updated that the role may call these on "*"; the Describe actions have no
 * resource-level permissions. The Sid marks it as used by the Lambda service, not by the handler.
 */
function lambdaVpcEniStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'LambdaVpcEni',
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  });
}
