import { MOTO_ACCOUNT_ID } from '../../../local/moto';

/** What IAM authorizes for one API call: an action on a resource, with the condition keys that apply. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  /** The resource's own policy, where AWS evaluates one beside the role's (a KMS key policy). */
  readonly resourcePolicy?: object;
}

/** A call as the recorder sees it. */
export interface SdkCall {
  readonly client: string;
  readonly command: string;
  readonly region: string;
  readonly input: Record<string, unknown>;
}

/** The account every emulator and the synthesized template use. */
export const ACCOUNT = MOTO_ACCOUNT_ID;
const PARTITION = 'aws';

/** The IAM service prefix of each SDK client the handlers use. */
const SERVICES: Readonly<Record<string, string>> = {
  DynamoDBClient: 'dynamodb',
  S3Client: 's3',
  SNSClient: 'sns',
  SQSClient: 'sqs',
  ECSClient: 'ecs',
  EKSClient: 'eks',
  CloudWatchClient: 'cloudwatch',
  CloudWatchLogsClient: 'logs',
  SecretsManagerClient: 'secretsmanager',
  STSClient: 'sts',
  SFNClient: 'states',
};

/** Commands whose IAM action is not named as the command. */
const ACTION_NAMES: Readonly<Record<string, string>> = {
  's3:ListObjectsV2': 's3:ListBucket',
};

/** Calls IAM does not authorize. */
const UNAUTHORIZED = new Set(['sts:GetCallerIdentity']);

/** What AWS knows beyond the request: the roles a task definition names (checked on RunTask). */
export interface KnownResources {
  taskDefinitionRoles?(taskDefinitionArn: string): readonly string[];
  /** The KMS key a topic is encrypted with, if any, and its key policy. */
  topicKey?(topicArn: string): { readonly arn: string; readonly policy: object } | undefined;
}

type Resolver = (
  call: SdkCall,
  output: Record<string, unknown>,
  arn: (service: string, resource: string) => string,
  known: KnownResources,
) => Omit<IamRequest, 'action'>[] | IamRequest[];

const one = (resource: string, context: IamRequest['context'] = {}) => [{ resource, context }];

/**
 * The resources (and condition keys) of each command the handlers send, by `service:Command`. A command
 * missing here fails the evaluation: a new call needs its row, so its grant can be judged.
 */
const RESOURCES: Readonly<Record<string, Resolver>> = {
  ...Object.fromEntries(
    ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'].map((c) => [
      `dynamodb:${c}`,
      ({ input }, _o, arn) => {
        const table = arn('dynamodb', `table/${input.TableName}`);
        const key = leadingKey(input);
        return one(
          input.IndexName ? `${table}/index/${input.IndexName}` : table,
          key ? { 'dynamodb:LeadingKeys': [key] } : {},
        );
      },
    ]),
  ),
  's3:PutObject': ({ input }) => one(`arn:${PARTITION}:s3:::${input.Bucket}/${input.Key}`),
  's3:GetObject': ({ input }) => one(`arn:${PARTITION}:s3:::${input.Bucket}/${input.Key}`),
  // SNS encrypts the message with the publisher's own permissions on the topic's key.
  'sns:Publish': ({ input }, _o, _arn, known) => {
    const topic = String(input.TopicArn);
    const key = known.topicKey?.(topic);
    const keyUse = key
      ? ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
          action,
          resource: key.arn,
          context: {},
          resourcePolicy: key.policy,
        }))
      : [];
    return [{ action: 'sns:Publish', resource: topic, context: {} }, ...keyUse];
  },
  'sqs:SendMessage': ({ input }, _o, arn) => {
    const [account, name] = new URL(String(input.QueueUrl)).pathname.split('/').filter(Boolean);
    return one(arn('sqs', `${name}`).replace(`:${ACCOUNT}:`, `:${account}:`));
  },
  'cloudwatch:PutMetricData': ({ input }) => one('*', { 'cloudwatch:namespace': String(input.Namespace) }),
  'cloudwatch:DescribeAlarms': ({ input }, _o, arn) => {
    if (input.AlarmNamePrefix) return one(arn('cloudwatch', `alarm:${input.AlarmNamePrefix}*`));
    return ((input.AlarmNames as string[] | undefined) ?? ['*']).map((n) => ({
      resource: arn('cloudwatch', `alarm:${n}`),
      context: {},
    }));
  },
  'logs:GetLogEvents': ({ input }, _o, arn) =>
    one(arn('logs', `log-group:${input.logGroupName}:log-stream:${input.logStreamName}`)),
  'ecs:DescribeServices': ({ input }, _o, arn) =>
    (input.services as string[]).map((s) => ({
      resource: ecsServiceArn(arn, input.cluster, s),
      context: { 'ecs:cluster': arn('ecs', `cluster/${clusterName(input.cluster)}`) },
    })),
  'ecs:UpdateService': ({ input }, _o, arn) =>
    one(ecsServiceArn(arn, input.cluster, String(input.service)), {
      'ecs:cluster': arn('ecs', `cluster/${clusterName(input.cluster)}`),
    }),
  'ecs:DescribeTaskDefinition': () => one('*'),
  'ecs:RegisterTaskDefinition': ({ input }, output, arn) => {
    const registered = (output.taskDefinition as { taskDefinitionArn?: string } | undefined)
      ?.taskDefinitionArn;
    const passed = [input.taskRoleArn, input.executionRoleArn].filter(
      (r): r is string => typeof r === 'string',
    );
    return [
      {
        action: 'ecs:RegisterTaskDefinition',
        resource: registered ?? arn('ecs', `task-definition/${input.family}:1`),
        context: {},
      },
      // Registering a task definition that names roles passes them to ECS tasks.
      ...[...new Set(passed)].map((role) => ({
        action: 'iam:PassRole',
        resource: role,
        context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
      })),
    ];
  },
  'ecs:RunTask': ({ input }, output, arn, known) => {
    const started = (output.tasks as { taskDefinitionArn?: string }[] | undefined)?.[0]?.taskDefinitionArn;
    const named = String(input.taskDefinition);
    const resource = started ?? (named.startsWith('arn:') ? named : arn('ecs', `task-definition/${named}`));
    return [
      {
        action: 'ecs:RunTask',
        resource,
        context: { 'ecs:cluster': arn('ecs', `cluster/${clusterName(input.cluster)}`) },
      },
      // ECS passes the task definition's roles to the task.
      ...(known.taskDefinitionRoles?.(resource) ?? []).map((role) => ({
        action: 'iam:PassRole',
        resource: role,
        context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
      })),
    ];
  },
  'ecs:DescribeTasks': ({ input }, _o, arn) =>
    (input.tasks as string[]).map((t) => ({
      resource: t.startsWith('arn:') ? t : arn('ecs', `task/${clusterName(input.cluster)}/${t}`),
      context: { 'ecs:cluster': arn('ecs', `cluster/${clusterName(input.cluster)}`) },
    })),
  'ecs:ListTasks': ({ input }, _o, arn) =>
    one(arn('ecs', `container-instance/${clusterName(input.cluster)}/any`), {
      'ecs:cluster': arn('ecs', `cluster/${clusterName(input.cluster)}`),
    }),
  'eks:DescribeCluster': ({ input }, _o, arn) => one(arn('eks', `cluster/${input.name}`)),
  ...Object.fromEntries(
    ['DescribeNodegroup', 'UpdateNodegroupConfig'].map((c) => [
      `eks:${c}`,
      ({ input }: SdkCall, output: Record<string, unknown>, arn: (s: string, r: string) => string) =>
        one(
          (output.nodegroup as { nodegroupArn?: string } | undefined)?.nodegroupArn ??
            arn('eks', `nodegroup/${input.clusterName}/${input.nodegroupName}/unknown-id`),
        ),
    ]),
  ),
  'secretsmanager:GetSecretValue': ({ input }, _o, arn) => {
    const id = String(input.SecretId);
    return one(id.startsWith('arn:') ? id : arn('secretsmanager', `secret:${id}`));
  },
  'sts:AssumeRole': ({ input }) => one(String(input.RoleArn)),
};

/** The IAM requests one recorded call needs allowed; throws for a call with no row above. */
export function iamRequests(
  call: SdkCall,
  output: Record<string, unknown>,
  known: KnownResources = {},
): IamRequest[] {
  const service = SERVICES[call.client];
  const command = call.command.replace(/Command$/, '');
  if (!service) throw new Error(`no IAM mapping for client ${call.client} (${command})`);
  const action = ACTION_NAMES[`${service}:${command}`] ?? `${service}:${command}`;
  if (UNAUTHORIZED.has(action)) return [];
  const resolve = RESOURCES[action];
  if (!resolve) throw new Error(`no IAM resource mapping for ${action}: add its row in iam-requests.ts`);
  const arn = (svc: string, resource: string) =>
    `arn:${PARTITION}:${svc}:${call.region}:${ACCOUNT}:${resource}`;
  return resolve(call, output, arn, known).map((r) => ({ action, ...r }));
}

/** The partition key value of a DynamoDB request (marshalled or not), for `dynamodb:LeadingKeys`. */
function leadingKey(input: Record<string, unknown>): string | undefined {
  const item = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  if (item?.pk !== undefined) return scalar(item.pk);
  const condition = input.KeyConditionExpression;
  if (typeof condition !== 'string') return undefined;
  const placeholder = /\bpk\s*=\s*(:\w+)/.exec(condition)?.[1];
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  return placeholder && values ? scalar(values[placeholder]) : undefined;
}

function scalar(value: unknown): string {
  return typeof value === 'string' ? value : String((value as { S?: string }).S);
}

function clusterName(cluster: unknown): string {
  return String(cluster ?? 'default').replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\//, '');
}

function ecsServiceArn(arn: (s: string, r: string) => string, cluster: unknown, service: string): string {
  return service.startsWith('arn:') ? service : arn('ecs', `service/${clusterName(cluster)}/${service}`);
}
