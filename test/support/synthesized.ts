import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { LoadTestConductorStack } from '../../cdk/lib/load-test-conductor-stack';
import { loadConfigFile } from '../../lambdas/core/config-file';

/** Test helpers over synthesized templates: the examples as the stack deploys them, and IAM read from the JSON. */

export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';
/** The VPC the Fargate examples name. */
const EXAMPLE_VPC = 'vpc-0a1b2c3d4e5f67890';

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}
export interface StatementJson {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: unknown;
}

/**
 * What `cdk synth` caches in cdk.context.json after looking a VPC up (the `vpc-provider` answer), so a lookup
 * resolves offline to these subnets instead of CDK's dummy VPC.
 */
export function vpcLookupContext(
  vpcId: string,
  groups: { name: string; type: 'Private' | 'Isolated' | 'Public'; subnets: number }[],
): Record<string, unknown> {
  let n = 0;
  return {
    [`vpc-provider:account=${ACCOUNT}:filter.vpc-id=${vpcId}:region=${REGION}:returnAsymmetricSubnets=true`]:
      {
        vpcId,
        vpcCidrBlock: '10.20.0.0/16',
        availabilityZones: [],
        subnetGroups: groups.map((g) => ({
          name: g.name,
          type: g.type,
          subnets: Array.from({ length: g.subnets }, (_, i) => {
            n += 1;
            return {
              subnetId: `subnet-0000000000000000${n}`,
              cidr: `10.20.${n}.0/24`,
              availabilityZone: `${REGION}${'abc'[i]}`,
              routeTableId: `rtb-0000000000000000${n}`,
            };
          }),
        })),
      },
  };
}

/** The example VPC as looked up: two private subnets with a NAT route, two public ones. */
const EXAMPLE_VPC_CONTEXT = vpcLookupContext(EXAMPLE_VPC, [
  { name: 'Private', type: 'Private', subnets: 2 },
  { name: 'Public', type: 'Public', subnets: 2 },
]);

export interface SynthesizedExample {
  readonly stack: LoadTestConductorStack;
  readonly template: Template;
  readonly resources: Record<string, CfnResourceJson>;
  /** Context lookups the synth still needed (none once the VPC lookup is answered). */
  readonly missingContext: readonly string[];
}

/** `config/<file>` as the stack synthesizes it, with the example VPC's lookup answered and no bundling. */
export function synthesizeExample(file: string): SynthesizedExample {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...EXAMPLE_VPC_CONTEXT } });
  const stack = new LoadTestConductorStack(app, 'Example', {
    config: loadConfigFile(`config/${file}`),
    env: { account: ACCOUNT, region: REGION },
  });
  const template = Template.fromStack(stack);
  return {
    stack,
    template,
    resources: template.toJSON().Resources as Record<string, CfnResourceJson>,
    missingContext: (app.synth().manifest.missing ?? []).map((m) => m.key),
  };
}

export function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
}

/** The logical id in `{ "Fn::GetAtt": [id, attribute] }`, if the value is one. */
export const getAttId = (value: unknown): string | undefined =>
  (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];

export const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Whether a value (an ARN, an intrinsic, a list of them) refers to the resource with this logical id. */
export const refersTo = (value: unknown, id: string) => JSON.stringify(value ?? null).includes(`"${id}"`);

/** Every statement granted to a role: its inline policies and the AWS::IAM::Policy resources attached to it. */
export function statementsOfRole(resources: Record<string, CfnResourceJson>, role: string): StatementJson[] {
  const inline = asArray(resources[role]?.Properties.Policies).map(
    (p) => (p as { PolicyDocument: unknown }).PolicyDocument,
  );
  const attached = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && refersTo(r.Properties.Roles, role))
    .map((r) => r.Properties.PolicyDocument);
  return [...inline, ...attached].flatMap(
    (d) => asArray((d as { Statement: unknown }).Statement) as StatementJson[],
  );
}
