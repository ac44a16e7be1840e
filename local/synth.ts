import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LoadTestConductorStack } from '../cdk/lib/load-test-conductor-stack';
import type { LoadTestPipelineProps } from '../cdk/lib/load-test-pipeline';
import type { ConductorConfig } from '../lambdas/core/config';

/** What a local run takes from the synthesized stack, so it runs exactly what would deploy. */
export interface SynthesizedPipeline {
  /** The state machine definition (ASL), with the functions' ARNs filled in with placeholders. */
  readonly definition: Record<string, unknown>;
  /** The runs table's CloudFormation properties (keys, TTL), to create the same table in the emulator. */
  readonly runsTable: Record<string, unknown>;
  readonly template: Template;
  /** The stack itself: which role is whose, for tests that judge the template's policies. */
  readonly stack: LoadTestConductorStack;
}

/**
 * Synthesizes the real stack in-process (no bundling) and extracts the definition; `pipeline` sets the
 * pipeline's other props (e.g. a lower `ticksPerExecution` to exercise continuations).
 */
export function synthesizePipeline(
  config: ConductorConfig,
  pipeline?: Omit<LoadTestPipelineProps, 'config'>,
): SynthesizedPipeline {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new LoadTestConductorStack(app, 'LoadTestConductor', {
    config,
    pipeline,
    env: { account: '123456789012', region: 'us-east-1' },
  });
  const template = Template.fromStack(stack);
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
  if (!machine || !table) throw new Error('the stack has no state machine or no runs table');
  return {
    definition: JSON.parse(resolveIntrinsics(machine.Properties.DefinitionString)),
    runsTable: table.Properties,
    template,
    stack,
  };
}

/** The pseudo parameters of the account and region the pipeline is synthesized for, as a deploy resolves them. */
const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Flattens `Fn::Join`, resolves pseudo parameters and replaces `Fn::GetAtt` / other `Ref`s with readable
 * placeholders.
 */
export function resolveIntrinsics(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v['Fn::Join']) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveIntrinsics).join(sep);
  }
  if (v['Fn::GetAtt']) {
    const [logicalId] = v['Fn::GetAtt'] as [string, string];
    return `arn:aws:lambda:us-east-1:123456789012:function:${logicalId}`;
  }
  if (typeof v.Ref === 'string') return PSEUDO_PARAMETERS[v.Ref] ?? v.Ref;
  throw new Error(`cannot resolve ${JSON.stringify(value)} in the definition`);
}
