import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import type { LocalAwsResources } from '../../../local/aws-resources';
import type { SynthesizedPipeline } from '../../../local/synth';
import type { StepId } from '../../../statemachine/steps';
import { ACCOUNT, type KnownResources } from './iam-requests';

/** One statement of a role's identity policies, resolved to plain ARNs. */
export interface ResolvedStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
  /** Where it comes from: the role's inline policy or an `AWS::IAM::Policy`, and its index there. */
  readonly origin: string;
}

/** A function's role as the synthesized template grants it. */
export interface RolePolicies {
  readonly roleArn: string;
  readonly statements: readonly ResolvedStatement[];
  /** Managed policies attached to the role (their documents are AWS's, not in the template). */
  readonly managedPolicyArns: readonly string[];
}

export interface TemplateNames {
  readonly region: string;
  /** Physical names by logical id, for resources an emulator created under another name (the runs table). */
  readonly physicalNames?: Readonly<Record<string, string>>;
}

/**
 * The identity policies of `fn`'s role in `template`: the role's inline policies and every
 * `AWS::IAM::Policy` attached to it, with `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select` and `Fn::Split`
 * resolved to the ARNs the resources would have in the fixed test account and `names.region`.
 */
function rolePolicies(stack: Stack, template: Template, fn: IFunction, names: TemplateNames): RolePolicies {
  const role = fn.role?.node.defaultChild as CfnRole | undefined;
  if (!role) throw new Error(`${fn.node.path} has no role of this stack`);
  const roleId = stack.resolve(stack.getLogicalId(role)) as string;
  const resources = template.toJSON().Resources as Record<string, CfnResourceJson>;
  const resolve = resolver(resources, names);
  const props = resources[roleId]?.Properties ?? {};
  const statements: ResolvedStatement[] = [];
  const add = (document: { Statement: Record<string, unknown>[] }, origin: string) =>
    document.Statement.forEach((s, i) => {
      statements.push({ ...(resolve(s) as Omit<ResolvedStatement, 'origin'>), origin: `${origin}#${i}` });
    });
  for (const p of (props.Policies as { PolicyName: string; PolicyDocument: never }[] | undefined) ?? [])
    add(p.PolicyDocument, `${roleId}/${p.PolicyName}`);
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const roles = (r.Properties?.Roles as { Ref?: string }[] | undefined) ?? [];
    if (roles.some((x) => x.Ref === roleId)) add(r.Properties?.PolicyDocument as never, id);
  }
  return {
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleId}`,
    statements,
    managedPolicyArns: ((props.ManagedPolicyArns as unknown[] | undefined) ?? []).map(
      (a) => resolve(a) as string,
    ),
  };
}

interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

function resolver(resources: Record<string, CfnResourceJson>, names: TemplateNames) {
  const { region } = names;
  const nameOf = (id: string) => names.physicalNames?.[id] ?? id;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
  const PSEUDO: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const ref = (id: string): string => {
    if (id in PSEUDO) return PSEUDO[id] as string;
    const type = resources[id]?.Type;
    if (!type) throw new Error(`Ref to ${id}: not in the template`);
    if (type === 'AWS::SNS::Topic') return arn('sns', nameOf(id));
    if (type === 'AWS::SQS::Queue') return `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${nameOf(id)}`;
    if (type === 'AWS::StepFunctions::StateMachine') return arn('states', `stateMachine:${nameOf(id)}`);
    return nameOf(id);
  };
  const getAtt = (id: string, attribute: string): string => {
    const type = resources[id]?.Type;
    const name = nameOf(id);
    if (attribute !== 'Arn' && !(type === 'AWS::SQS::Queue' && attribute === 'QueueName'))
      throw new Error(`Fn::GetAtt ${id}.${attribute}: not resolved here`);
    switch (type) {
      case 'AWS::DynamoDB::Table':
        return arn('dynamodb', `table/${name}`);
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::SQS::Queue':
        return attribute === 'QueueName' ? name : arn('sqs', name);
      case 'AWS::Logs::LogGroup':
        return arn('logs', `log-group:${name}:*`);
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${name}`;
      case 'AWS::Lambda::Function':
        return arn('lambda', `function:${name}`);
      case 'AWS::StepFunctions::StateMachine':
        return arn('states', `stateMachine:${name}`);
      case 'AWS::KMS::Key':
        return arn('kms', `key/${name}`);
      default:
        throw new Error(`Fn::GetAtt ${id}.Arn: no ARN rule for ${type}`);
    }
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== 'object') return value;
    const v = value as Record<string, unknown>;
    if ('Ref' in v) return ref(String(v.Ref));
    if ('Fn::GetAtt' in v) {
      const [id, attribute] = v['Fn::GetAtt'] as [string, string];
      return getAtt(id, attribute);
    }
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return (resolve(parts) as unknown[]).join(sep);
    }
    if ('Fn::Select' in v) {
      const [index, list] = v['Fn::Select'] as [number, unknown];
      return (resolve(list) as unknown[])[Number(index)];
    }
    if ('Fn::Split' in v) {
      const [sep, source] = v['Fn::Split'] as [string, unknown];
      return String(resolve(source)).split(sep);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve;
}

/**
 * The roles of every step function and the janitor in a synthesized pipeline, with the table, bucket and
 * topic named as the emulator created them (`aws`), and `more` physical names by construct.
 */
export function pipelineRoles(
  pipeline: SynthesizedPipeline,
  aws: LocalAwsResources,
  region: string,
  more: readonly [IConstruct, string][] = [],
): Map<StepId | 'janitor', RolePolicies> {
  const { stack } = pipeline;
  const p = stack.pipeline;
  const id = (c: IConstruct) =>
    stack.resolve(stack.getLogicalId(c.node.defaultChild as CfnElement)) as string;
  const physicalNames = Object.fromEntries([
    [id(p.runsTable), aws.RUNS_TABLE],
    [id(p.reportsBucket), aws.REPORTS_BUCKET],
    [id(p.topic), aws.TOPIC_ARN.split(':').at(-1) as string],
    ...more.map(([c, name]) => [id(c), name]),
  ]);
  const functions = { ...p.functions, janitor: p.janitor.handler };
  return new Map(
    Object.entries(functions).map(([step, f]) => [
      step as StepId | 'janitor',
      rolePolicies(stack, pipeline.template, f.function, { region, physicalNames }),
    ]),
  );
}

/**
 * The key SNS uses for the pipeline's topic (as the emulator named it), ARN'd as the roles' policies are, with
 * its key policy from the template: KMS allows a call only when the key policy lets IAM policies decide.
 */
export function topicKeys(
  pipeline: SynthesizedPipeline,
  aws: LocalAwsResources,
  region: string,
): KnownResources {
  const { stack, template } = pipeline;
  const key = stack.pipeline.topic.masterKey?.node.defaultChild as CfnElement | undefined;
  if (!key) return {};
  const keyId = stack.resolve(stack.getLogicalId(key)) as string;
  const resources = template.toJSON().Resources as Record<string, CfnResourceJson>;
  const resolve = resolver(resources, { region, physicalNames: {} });
  const topicKey = {
    arn: resolve({ 'Fn::GetAtt': [keyId, 'Arn'] }) as string,
    policy: resolve(resources[keyId]?.Properties?.KeyPolicy) as object,
  };
  return { topicKey: (topicArn) => (topicArn === aws.TOPIC_ARN ? topicKey : undefined) };
}
