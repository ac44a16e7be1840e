import { readdirSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  asArray,
  type CfnResourceJson,
  getAttId,
  type StatementJson,
  statementsOfRole,
  synthesizeExample,
} from '../../../support/synthesized';

/** What AWSLambdaVPCAccessExecutionRole lets Lambda do with a function's network interfaces. */
const ENI_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];
const VPC_ACCESS_POLICY = 'service-role/AWSLambdaVPCAccessExecutionRole';

const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);

/** Whether the statements allow `action` on every resource ("*"), unconditionally and without a Deny. */
function allowsOnAnyResource(statements: readonly StatementJson[], action: string): boolean {
  const covers = (s: StatementJson) =>
    s.NotAction === undefined &&
    asArray(s.Action).some((a) => matches(a as string, action)) &&
    asArray(s.Resource).includes('*');
  if (
    statements.some((s) => s.Effect === 'Deny' && asArray(s.Action).some((a) => matches(a as string, action)))
  )
    return false;
  return statements.some((s) => s.Effect === 'Allow' && s.Condition === undefined && covers(s));
}

/**
 * The ENI actions a function in a VPC (one with VpcConfig) cannot do with its role, read from the template:
 * the role's inline and attached statements, or the AWS managed VPC access policy.
 */
function missingEniActions(resources: Record<string, CfnResourceJson>, fn: string): string[] {
  const role = getAttId(resources[fn]?.Properties.Role);
  if (!role) return ['(no role of this stack)'];
  if (JSON.stringify(resources[role]?.Properties.ManagedPolicyArns ?? []).includes(VPC_ACCESS_POLICY))
    return [];
  const statements = statementsOfRole(resources, role);
  return ENI_ACTIONS.filter((a) => !allowsOnAnyResource(statements, a));
}

const functionsIn = (resources: Record<string, CfnResourceJson>) =>
  Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');

const examples = readdirSync('config').filter((f) => f.endsWith('.json') && f !== 'local.json');

describe.each(examples)('config/%s: every function placed in a VPC', (file) => {
  const { resources } = synthesizeExample(file);
  const inVpc = functionsIn(resources).filter(([, r]) => r.Properties.VpcConfig !== undefined);

  it('has a role that lets Lambda create, describe and delete its network interfaces', () => {
    for (const [id] of inVpc) expect(missingEniActions(resources, id), id).toEqual([]);
  });

  it('gets them in statements whose Sid starts with LambdaVpcEni, and no function outside a VPC gets them', () => {
    const eniStatements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Role')
      .flatMap((r) =>
        asArray(r.Properties.Policies).flatMap(
          (p) =>
            asArray(
              (p as { PolicyDocument: { Statement: unknown } }).PolicyDocument.Statement,
            ) as StatementJson[],
        ),
      )
      .filter((s) => asArray(s.Action).some((a) => ENI_ACTIONS.includes(a as string)));
    expect(eniStatements).toHaveLength(inVpc.length);
    for (const s of eniStatements) expect(s.Sid).toMatch(/^LambdaVpcEni/);
  });
});

it('the VPC examples place every function in the VPC, the janitor included', () => {
  for (const file of ['example-fargate.json', 'example-private-network.json']) {
    const fns = functionsIn(synthesizeExample(file).resources);
    expect(fns.length, file).toBeGreaterThan(1);
    expect(fns.filter(([, r]) => r.Properties.VpcConfig === undefined).map(([id]) => id)).toEqual([]);
  }
});

describe('the ENI check itself', () => {
  const stack = new Stack(new App(), 'Check', { env: { account: '123456789012', region: 'eu-central-1' } });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-1',
    availabilityZones: ['eu-central-1a'],
    privateSubnetIds: ['subnet-1'],
  });
  const fn = (id: string, role?: iam.IRole) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
      vpc,
      role,
    });
  const bare = fn(
    'GivenRole',
    new iam.Role(stack, 'Bare', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
  );
  const created = fn('CdkRole');
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, CfnResourceJson>;
  const id = (f: lambda.Function) => stack.resolve((f.node.defaultChild as lambda.CfnFunction).logicalId);

  it('finds every action missing from a given role without them (what CDK does not add)', () => {
    expect(missingEniActions(resources, id(bare))).toEqual(ENI_ACTIONS);
  });

  it('accepts the managed policy CDK attaches to a role it creates', () => {
    expect(missingEniActions(resources, id(created))).toEqual([]);
  });

  it('refuses a scoped resource, a condition or a Deny', () => {
    const allow = { Effect: 'Allow', Action: 'ec2:*NetworkInterface*', Resource: '*' };
    expect(allowsOnAnyResource([allow], 'ec2:CreateNetworkInterface')).toBe(true);
    expect(
      allowsOnAnyResource([{ ...allow, Resource: 'arn:aws:ec2:*:*:subnet/*' }], 'ec2:CreateNetworkInterface'),
    ).toBe(false);
    expect(allowsOnAnyResource([{ ...allow, Condition: {} }], 'ec2:CreateNetworkInterface')).toBe(false);
    expect(
      allowsOnAnyResource(
        [allow, { Effect: 'Deny', Action: 'ec2:Create*', Resource: '*' }],
        'ec2:CreateNetworkInterface',
      ),
    ).toBe(false);
  });
});
