import { createRequire } from 'node:module';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LoadTestConductorStack } from '../../../../cdk/lib/load-test-conductor-stack';
import { TOPIC_KEY_SID } from '../../../../cdk/lib/topic-publishing';
import { loadConfigFile } from '../../../../lambdas/core/config-file';
import { resolveIntrinsics } from '../../../../local/synth';
import { STEP_IDS, type StepId } from '../../../../statemachine/steps';

/**
 * The synthesized template of the stack that `cdk deploy` creates from
 * config/example.json. Built once for the file, without bundling (the
 * e2e tier synthesizes with bundling, test/e2e/cdk/synth.test.ts).
 */
const config = loadConfigFile('config/example.json');
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new LoadTestConductorStack(app, 'LoadTestConductor', {
  config,
  env: { account: '123456789012', region: 'eu-central-1' },
});
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, CfnResourceJson>;
const { pipeline } = stack;

interface CfnResourceJson {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
}
interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown[];
  Condition?: unknown;
}

function id(construct: IConstruct): string {
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
}
const fnId = (step: StepId) => id(pipeline.functions[step].function);
const roleId = (step: StepId) => id(pipeline.functions[step].function.role as unknown as IConstruct);
const logGroupId = (step: StepId) => id(pipeline.functions[step].node.findChild('Logs'));
const TABLE = id(pipeline.runsTable);
const BUCKET = id(pipeline.reportsBucket);
const TOPIC = id(pipeline.topic);
const TOPIC_KEY = id(pipeline.node.findChild('NotificationsKey'));
/** Publishing to the topic also uses its key: SNS's data-key calls. */
const TOPIC_KEY_USE = ['kms:Decrypt', 'kms:GenerateDataKey*'];
const STATE_MACHINE = id(pipeline.stateMachine);
const EXECUTION_LOGS = id(pipeline.node.findChild('ExecutionLogs'));

const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** Whether a resource (an ARN string or an intrinsic) names the resource with this logical id. */
const names = (resource: unknown, logicalId: string) => JSON.stringify(resource).includes(`"${logicalId}"`);

/** The logical id in `{ "Fn::GetAtt": [id, attribute] }`. */
function getAttOf(value: unknown): string {
  const [logicalId] = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'] ?? [];
  if (!logicalId) throw new Error(`not a Fn::GetAtt: ${JSON.stringify(value)}`);
  return logicalId;
}

/** Every statement granted to a role: its inline policies and the policies attached to it. */
function statementsOf(role: string): Statement[] {
  const inline = asArray(resources[role]?.Properties.Policies).map(
    (p) => (p as { PolicyDocument: unknown }).PolicyDocument,
  );
  const attached = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && names(r.Properties.Roles, role))
    .map((r) => r.Properties.PolicyDocument);
  return [...inline, ...attached].flatMap(statementsIn);
}

function statementsIn(document: unknown): Statement[] {
  return asArray((document as { Statement: unknown }).Statement).map((raw) => {
    const s = raw as Statement;
    return { ...s, Action: asArray(s.Action) as string[], Resource: asArray(s.Resource) };
  });
}

const XRAY = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];
/** Vended log delivery for the state machine's logging: these actions have no resource-level permissions. */
const LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

describe('step functions', () => {
  it('are exactly one Lambda function per step and the janitor (no custom-resource or log-retention functions)', () => {
    template.resourceCountIs('AWS::Lambda::Function', STEP_IDS.length + 1);
    expect(new Set(STEP_IDS.map(fnId)).size).toBe(STEP_IDS.length);
  });

  it.each(STEP_IDS)('%s runs nodejs24.x on arm64 with active tracing and its own log group', (step) => {
    const fn = resources[fnId(step)];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: logGroupId(step) } },
      Role: { 'Fn::GetAtt': [roleId(step), 'Arn'] },
    });
    expect(fn?.Properties.Timeout).toBeLessThanOrEqual(900);
    const logGroup = resources[logGroupId(step)];
    expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup?.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('share no log group and no role', () => {
    expect(new Set(STEP_IDS.map(logGroupId)).size).toBe(STEP_IDS.length);
    expect(new Set(STEP_IDS.map(roleId)).size).toBe(STEP_IDS.length);
  });

  it('know the table, bucket and topic by name from their environment', () => {
    for (const step of STEP_IDS) {
      expect(resources[fnId(step)]?.Properties.Environment).toMatchObject({
        Variables: { RUNS_TABLE: { Ref: TABLE }, REPORTS_BUCKET: { Ref: BUCKET }, TOPIC_ARN: { Ref: TOPIC } },
      });
    }
  });
});

describe('the configuration reaches the Validate function only, inlined at bundle time', () => {
  /**
   * The esbuild options each NodejsFunction was created with. aws-cdk-lib keeps
   * them on the asset's staging (private API, aws-cdk-lib 2.276): if this breaks
   * after an upgrade, find where `Bundling` keeps `props` now.
   */
  function bundlingDefine(step: StepId): Record<string, string> | undefined {
    const code = pipeline.functions[step].function.node.findChild('Code');
    const staging = code.node.findChild('Stage') as unknown as {
      fingerprintOptions?: { bundling?: { props?: { define?: Record<string, string> } } };
    };
    const bundling = staging.fingerprintOptions?.bundling;
    if (!bundling?.props)
      throw new Error(`no bundling options found for ${step}: aws-cdk-lib internals moved`);
    return bundling.props.define;
  }

  it('Validate input defines process.env.LTC_CONFIG as the parsed configuration', () => {
    const define = bundlingDefine('validate-input');
    expect(Object.keys(define ?? {})).toEqual(['process.env.LTC_CONFIG']);
    // The define value is JavaScript source: a string literal holding the JSON.
    const inlined = JSON.parse(JSON.parse(define?.['process.env.LTC_CONFIG'] ?? 'null'));
    expect(inlined).toEqual(JSON.parse(JSON.stringify(config)));
  });

  it.each(STEP_IDS.filter((s) => s !== 'validate-input'))('%s gets no configuration', (step) => {
    expect(bundlingDefine(step)).toBeUndefined();
  });

  it('is in no environment variable and nowhere in the template', () => {
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toContain('LTC_CONFIG');
    for (const env of Object.values(config.environments)) {
      expect(text).not.toContain(env.locust.url);
      for (const a of env.applications) if ('url' in a.test) expect(text).not.toContain(a.test.url);
    }
  });

  describe('the Validate handler bundled with that define', () => {
    const saved = process.env.LTC_CONFIG;
    let handler: (event: unknown) => Promise<{ run: { environment: unknown; request: unknown } }>;

    beforeAll(async () => {
      delete process.env.LTC_CONFIG;
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
      vi.stubEnv('RUNS_TABLE', 'runs');
      vi.stubEnv('REPORTS_BUCKET', 'reports');
      vi.stubEnv('TOPIC_ARN', 'arn:aws:sns:eu-central-1:123456789012:topic');
      // Bundled as NodejsFunction bundles it (CommonJS, node24, SDK external), evaluated in this process.
      const out = await build({
        entryPoints: ['lambdas/handlers/validate-input.ts'],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node24',
        external: ['@aws-sdk/*'],
        define: bundlingDefine('validate-input'),
        write: false,
        logLevel: 'silent',
      });
      const module = { exports: {} as { handler: typeof handler } };
      new Function('module', 'exports', 'require', out.outputFiles[0]?.text ?? '')(
        module,
        module.exports,
        createRequire(import.meta.url),
      );
      handler = module.exports.handler;
    });
    afterAll(() => {
      vi.unstubAllEnvs();
      if (saved !== undefined) process.env.LTC_CONFIG = saved;
    });

    it('validates against the inlined configuration with no LTC_CONFIG in the environment', async () => {
      const state = await handler({
        input: { environment: 'staging', targetOrdersPerMinute: 1200 },
        execution: { id: 'arn:execution', name: 'run-1', startTime: '2026-11-27T02:00:00.000Z' },
      });
      expect(state.run.environment).toEqual(JSON.parse(JSON.stringify(config.environments.staging)));
      expect(state.run.request).toMatchObject({ environment: 'staging', scenario: 'checkout' });
    });

    it('rejects input the inlined configuration does not allow', async () => {
      await expect(
        handler({
          input: { environment: 'staging', targetOrdersPerMinute: 6001 },
          execution: { id: 'arn:execution', name: 'run-2', startTime: '2026-11-27T02:00:00.000Z' },
        }),
      ).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringMatching(/^targetOrdersPerMinute: /),
      });
    });
  });
});

/** The phase record every step may write: a PutItem whose partition key must start with `RUN#`. */
function isPhaseRecord(statement: { Action: string[]; Condition?: unknown }): boolean {
  return (
    statement.Action.length === 1 &&
    statement.Action[0] === 'dynamodb:PutItem' &&
    JSON.stringify(statement.Condition) ===
      JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RUN#*'] } })
  );
}

/** `cloudwatch:PutMetricData` limited to the conductor's namespace: the only way to scope it. */
function isOwnMetrics(statement: { Action: string[]; Condition?: unknown }): boolean {
  return (
    statement.Action.length === 1 &&
    statement.Action[0] === 'cloudwatch:PutMetricData' &&
    JSON.stringify(statement.Condition) ===
      JSON.stringify({ StringEquals: { 'cloudwatch:namespace': 'LoadTestConductor' } })
  );
}

describe('IAM is scoped to the resources each step uses', () => {
  /** A statement on the runs table limited to items whose partition key starts with one of `prefixes`. */
  const onItems = (actions: string[], prefixes: string[], sid?: string) => ({
    ...(sid ? { Sid: sid } : {}),
    Effect: 'Allow',
    Action: actions,
    Resource: [{ 'Fn::GetAtt': [TABLE, 'Arn'] }],
    Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes } },
  });
  /**
   * What each step may touch besides its own log group and X-Ray: its table statements beyond the run items
   * every step puts (its phase; Deploy, Scale and Ramp tick their shapes and ticks), exactly as its recorded
   * calls need them (test/e2e/iam/).
   */
  const ACCESS: Record<StepId, { table: unknown[]; reports: boolean; publish: boolean }> = {
    // A continuing run's Validate renews the run's lock.
    'validate-input': {
      table: [onItems(['dynamodb:GetItem', 'dynamodb:UpdateItem'], ['LOCK#*'], 'ValidateRenewsLock')],
      reports: false,
      publish: false,
    },
    'plan-dry-run': { table: [], reports: false, publish: false },
    'acquire-lock': {
      table: [onItems(['dynamodb:PutItem', 'dynamodb:GetItem'], ['LOCK#*'])],
      reports: false,
      publish: false,
    },
    deploy: { table: [], reports: false, publish: false },
    scale: { table: [], reports: false, publish: false },
    // The worker fleet's size before the run.
    'start-load': {
      table: [onItems(['dynamodb:GetItem'], ['RUN#*'], 'StartLoadReadsFleetSizeBack')],
      reports: false,
      publish: false,
    },
    // The SLO watch reads the last ticks' histograms back (its sliding window), publishes metrics and raises
    // breach alarms on the topic.
    'ramp-tick': {
      table: [onItems(['dynamodb:Query'], ['RUN#*'], 'RampTickReadsHistogramWindow')],
      reports: false,
      publish: true,
    },
    'stop-load': { table: [onItems(['dynamodb:GetItem'], ['RUN#*'])], reports: false, publish: false },
    // Evaluate reads the run's ticks and histograms and the last passing runs, and records a passing run in
    // that history for the next ones.
    evaluate: {
      table: [
        onItems(['dynamodb:Query'], ['RUN#*']),
        onItems(['dynamodb:Query', 'dynamodb:PutItem'], ['BASELINE#*'], 'EvaluateBaselineHistory'),
      ],
      reports: true,
      publish: false,
    },
    teardown: {
      table: [onItems(['dynamodb:GetItem', 'dynamodb:Query'], ['RUN#*'])],
      reports: false,
      publish: false,
    },
    cleanup: { table: [], reports: false, publish: false },
    // Release lock frees the lock, rewrites the report with teardown and cleanup, then notifies.
    'release-lock': {
      table: [
        onItems(['dynamodb:DeleteItem'], ['LOCK#*']),
        onItems(['dynamodb:Query'], ['RUN#*'], 'ReleaseLockReadsRunForReport'),
      ],
      reports: true,
      publish: true,
    },
  };

  it.each(STEP_IDS)('%s', (step) => {
    const expected = ACCESS[step];
    const all = statementsOf(roleId(step));
    // Every step records its phase for the report: PutItem on run items only, never on a lock.
    expect(all.filter(isPhaseRecord)).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem'],
        Resource: [{ 'Fn::GetAtt': [TABLE, 'Arn'] }],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RUN#*'] } },
      },
    ]);
    const statements = all.filter((st) => !isPhaseRecord(st));

    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(
      statements
        .filter((s) => !s.Resource.every((r) => names(r, TOPIC_KEY)))
        .flatMap((s) => s.Action)
        .filter((a) => a.includes('*')),
    ).toEqual([]);

    expect(statements.filter((st) => st.Resource.some((r) => names(r, TABLE)))).toEqual(expected.table);

    const reportStatements = statements.filter((s) => s.Resource.some((r) => names(r, BUCKET)));
    if (expected.reports) {
      // Only new objects below runs/: no read, no delete, not the whole bucket.
      expect(reportStatements).toEqual([
        {
          ...(step === 'release-lock' ? { Sid: 'ReleaseLockWritesFinalReport' } : {}),
          Effect: 'Allow',
          Action: ['s3:PutObject'],
          Resource: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [BUCKET, 'Arn'] }, '/runs/*']] }],
        },
      ]);
    } else {
      expect(reportStatements).toEqual([]);
    }
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith('s3:'))).toEqual(
      expected.reports ? ['s3:PutObject'] : [],
    );

    const publish = statements.filter((s) => s.Action.some((a) => a.startsWith('sns:')));
    expect(publish).toEqual(
      expected.publish
        ? [
            {
              ...(step === 'ramp-tick' ? { Sid: 'RampTickPublishesBreaches' } : {}),
              Effect: 'Allow',
              Action: ['sns:Publish'],
              Resource: [{ Ref: TOPIC }],
            },
          ]
        : [],
    );
    expect(statements.filter((s) => s.Action.some((a) => a.startsWith('kms:')))).toEqual(
      expected.publish
        ? [
            {
              Sid: TOPIC_KEY_SID,
              Effect: 'Allow',
              Action: TOPIC_KEY_USE,
              Resource: [{ 'Fn::GetAtt': [TOPIC_KEY, 'Arn'] }],
            },
          ]
        : [],
    );

    // Logs: its own group only (the managed basic execution role would allow every group).
    const logs = statements.filter((s) => s.Action.some((a) => a.startsWith('logs:')));
    expect(logs).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [{ 'Fn::GetAtt': [logGroupId(step), 'Arn'] }],
      },
    ]);

    // Resource "*" only for X-Ray, which has no resource-level permissions, and for the metrics of the
    // conductor's own namespace (PutMetricData has no resources, only the namespace condition).
    for (const s of statements.filter((st) => st.Resource.includes('*') && !isOwnMetrics(st))) {
      expect(s.Resource, JSON.stringify(s)).toEqual(['*']);
      expect(XRAY, JSON.stringify(s)).toEqual(expect.arrayContaining(s.Action));
    }
    // Nothing else: every resource is one of these.
    const allowed = [TABLE, BUCKET, TOPIC, TOPIC_KEY, logGroupId(step)];
    for (const r of statements.flatMap((s) => s.Resource)) {
      if (r !== '*')
        expect(
          allowed.some((a) => names(r, a)),
          JSON.stringify(r),
        ).toBe(true);
    }
  });

  it('no step role has a managed policy, and only Lambda can assume them', () => {
    for (const step of STEP_IDS) {
      const role = resources[roleId(step)]?.Properties;
      expect(role?.ManagedPolicyArns).toBeUndefined();
      expect(role?.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      });
    }
  });

  it('the state machine can only invoke the step functions and continue in itself (plus tracing and log delivery)', () => {
    const smRole = getAttOf(resources[STATE_MACHINE]?.Properties.RoleArn);
    const statements = statementsOf(smRole);
    const invoke = statements.filter((s) => s.Action.includes('lambda:InvokeFunction'));
    expect(invoke.every((s) => s.Action.length === 1)).toBe(true);
    const invoked = invoke.flatMap((s) => s.Resource);
    // The function and its versions (`<arn>:*`), for each step function and nothing else.
    for (const r of invoked) {
      expect(
        STEP_IDS.some((step) => names(r, fnId(step))),
        JSON.stringify(r),
      ).toBe(true);
      expect(r, 'no wildcard function').not.toBe('*');
    }
    for (const step of STEP_IDS) {
      expect(invoked).toContainEqual({ 'Fn::GetAtt': [fnId(step), 'Arn'] });
    }
    // A long run continues in a new execution of this state machine, and of no other: its ARN is built from
    // its explicit name (a reference to itself would be circular).
    const start = statements.filter((s) => s.Action.some((a) => a.startsWith('states:')));
    const name = resources[STATE_MACHINE]?.Properties.StateMachineName;
    expect(name).toMatch(/^LoadTestConductor-Pipeline-[0-9A-F]{8}$/);
    expect(start).toEqual([
      {
        Effect: 'Allow',
        Action: ['states:StartExecution'],
        Resource: [
          {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, `:states:eu-central-1:123456789012:stateMachine:${name}`],
            ],
          },
        ],
      },
    ]);
    const rest = statements.filter(
      (s) => !s.Action.includes('lambda:InvokeFunction') && !s.Action.includes('states:StartExecution'),
    );
    for (const s of rest) {
      expect(s.Resource).toEqual(['*']);
      expect([...XRAY, ...LOG_DELIVERY], JSON.stringify(s)).toEqual(expect.arrayContaining(s.Action));
    }
    expect(resources[smRole]?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('no identity policy in the stack grants Resource "*" but for X-Ray and log delivery', () => {
    const documents = Object.entries(resources).flatMap(([logicalId, r]) => {
      if (r.Type === 'AWS::IAM::Policy') return [{ logicalId, document: r.Properties.PolicyDocument }];
      if (r.Type !== 'AWS::IAM::Role') return [];
      return asArray(r.Properties.Policies).map((p) => ({
        logicalId,
        document: (p as { PolicyDocument: unknown }).PolicyDocument,
      }));
    });
    expect(documents.length).toBeGreaterThan(STEP_IDS.length);
    for (const { logicalId, document } of documents) {
      for (const s of statementsIn(document).filter((st) => st.Resource.includes('*') && !isOwnMetrics(st))) {
        expect([...XRAY, ...LOG_DELIVERY], `${logicalId}: ${JSON.stringify(s)}`).toEqual(
          expect.arrayContaining(s.Action),
        );
      }
    }
  });
});

describe('data stores', () => {
  it('runs/lock table: pk/sk, on demand, TTL on expiresAt, encrypted, point-in-time recovery, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(resources[TABLE]?.Properties).toEqual(
      expect.objectContaining({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    expect(resources[TABLE]?.DeletionPolicy).toBe('Retain');
  });

  it('reports bucket: encrypted, all public access blocked, TLS only, retained', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    expect(resources[BUCKET]?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(resources[BUCKET]?.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: BUCKET },
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [
              { 'Fn::GetAtt': [BUCKET, 'Arn'] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [BUCKET, 'Arn'] }, '/*']] },
            ],
          },
        ],
      },
    });
  });

  it('notification topic: encrypted with its own rotated key (CloudWatch alarms may use it), publish over TLS only', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(resources[TOPIC]?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [TOPIC_KEY, 'Arn'] });
    expect(resources[TOPIC_KEY]?.Properties.EnableKeyRotation).toBe(true);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: TOPIC }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    });
  });
});

describe('state machine', () => {
  const props = () => resources[STATE_MACHINE]?.Properties ?? {};

  it('is a STANDARD workflow with tracing', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(props()).toMatchObject({ StateMachineType: 'STANDARD', TracingConfiguration: { Enabled: true } });
  });

  it('logs ALL events with execution data to its own log group with a retention', () => {
    expect(props().LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: true,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [EXECUTION_LOGS, 'Arn'] } } }],
    });
    expect(resources[EXECUTION_LOGS]?.Properties.RetentionInDays).toBeGreaterThan(0);
    // Step Functions' vended-logs prefix: its log delivery needs no resource policy per group there.
    expect(resources[EXECUTION_LOGS]?.Properties.LogGroupName).toMatch(/^\/aws\/vendedlogs\/states\/\S+$/);
  });

  it('bounds an execution with TimeoutSeconds (default two days)', () => {
    const definition = JSON.parse(resolveIntrinsics(props().DefinitionString));
    expect(definition.TimeoutSeconds).toBe(2 * 24 * 3600);
    expect(definition.StartAt).toBe('Validate input');
  });
});

describe('schedules from config/example.json', () => {
  const schedules = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Scheduler::Schedule');
  const dlq = () =>
    Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::SQS::Queue' && id.includes('ScheduleDeadLetters'),
    );

  it('one EventBridge Scheduler schedule per configured schedule', () => {
    expect(config.schedules.length).toBeGreaterThan(0);
    expect(schedules).toHaveLength(config.schedules.length);
  });

  it.each(config.schedules.map((s) => [s.name, s] as const))(
    '%s: cron with its time zone, the configured input, retries and a dead-letter queue',
    (_name, configured) => {
      const [, schedule] =
        schedules.find(([, r]) => r.Properties.Description === configured.description) ?? [];
      expect(schedule, 'schedule not found by its description').toBeDefined();
      const p = schedule?.Properties as Record<string, unknown> & { Target: Record<string, unknown> };
      expect(p.ScheduleExpression).toBe(configured.cron);
      expect(p.ScheduleExpression).toMatch(/^cron\(.+\)$/);
      expect(p.ScheduleExpressionTimezone).toBe('Europe/Berlin');
      expect(p.State).toBe('ENABLED');
      expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      expect(p.Target.Arn).toEqual({ Ref: STATE_MACHINE });
      expect(JSON.parse(p.Target.Input as string)).toEqual(configured.input);
      expect(p.Target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: expect.any(Number) });
      expect((p.Target.RetryPolicy as { MaximumRetryAttempts: number }).MaximumRetryAttempts).toBeGreaterThan(
        0,
      );
      const [queueId] = dlq() ?? [];
      expect(p.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    },
  );

  it('the dead-letter queue is encrypted and TLS only', () => {
    const [queueId, queue] = dlq() ?? [];
    expect(queue?.Properties.SqsManagedSseEnabled).toBe(true);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
      },
    });
  });

  it('the scheduler role may only start executions of this state machine (and dead-letter a failed start)', () => {
    const roleArns = new Set(
      schedules.map(([, r]) => JSON.stringify((r.Properties.Target as { RoleArn: unknown }).RoleArn)),
    );
    expect(roleArns.size).toBe(1);
    const role = getAttOf(JSON.parse([...roleArns][0] ?? '{}'));
    expect(resources[role]?.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Principal: { Service: 'scheduler.amazonaws.com' } }],
    });
    expect(resources[role]?.Properties.ManagedPolicyArns).toBeUndefined();
    const [queueId] = dlq() ?? [];
    expect(statementsOf(role)).toEqual([
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [{ Ref: STATE_MACHINE }] },
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': [queueId, 'Arn'] }] },
    ]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged violation', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const described = report.violations.map(
      (v) =>
        `${v.ruleName}: ${v.description}\n${v.violatingResources.map((r) => `  ${r.resourceLogicalId} (${r.locations.join(', ')})`).join('\n')}`,
    );
    expect(described, described.join('\n')).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledged rule carries a reason', () => {
    const acknowledged = stack.node.findAll().flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, unknown>))
        .map(([rule, reason]) => ({ path: c.node.path, rule, reason })),
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) {
      expect(typeof a.reason, `${a.path} ${a.rule}`).toBe('string');
      expect((a.reason as string).trim().length, `${a.path} ${a.rule} has no real reason`).toBeGreaterThan(
        20,
      );
    }
  });

  it('is not vacuous: it reports an unacknowledged finding', () => {
    const probe = new Stack(new App(), 'Probe');
    new s3.Bucket(probe, 'Plain');
    const report = new AwsSolutionsChecks().validateScope(probe);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining([expect.stringContaining('AwsSolutions-S1')]),
    );
  });
});
