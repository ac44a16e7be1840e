import { UsageError } from './errors';
import { shown } from './output';

/** The parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** e.g. `stateMachine` or `execution`. */
  readonly resourceType: string;
  readonly resource: string;
}

export function parseArn(text: string): Arn | undefined {
  const parts = text.split(':');
  if (parts.length < 7 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = '', resourceType = '', ...rest] = parts;
  if (!partition || !service || !region || !account || !resourceType || rest.some((p) => p === ''))
    return undefined;
  return { partition, service, region, account, resourceType, resource: rest.join(':') };
}

/**
 * A Step Functions ARN of the given kind, or a UsageError naming `source`
 * (the flag, variable or argument it came from).
 */
export function requireStatesArn(text: string, kind: 'stateMachine' | 'execution', source: string): Arn {
  const arn = parseArn(text);
  if (arn?.service !== 'states' || arn.resourceType !== kind) {
    const example =
      kind === 'stateMachine'
        ? 'arn:aws:states:<region>:<account>:stateMachine:<name>'
        : 'arn:aws:states:<region>:<account>:execution:<state machine>:<name>';
    throw new UsageError(
      `${source}: ${shown(text)} is not ${kind === 'stateMachine' ? 'a state machine' : 'an execution'} ARN (${example})`,
    );
  }
  return arn;
}

/**
 * The region to call: `--region` if given, else the ARN's own region (the
 * resource exists only there), else `AWS_REGION` / `AWS_DEFAULT_REGION`.
 */
export function resolveRegion(
  flag: string | undefined,
  arn: Arn | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const region = flag || arn?.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('--region: no region given (pass --region or set AWS_REGION)');
  return region;
}

/** Where a person follows the execution in the Step Functions console. */
export function executionConsoleUrl(executionArn: string, region?: string): string {
  const r = parseArn(executionArn)?.region ?? region ?? 'us-east-1';
  return `https://${r}.console.aws.amazon.com/states/home?region=${r}#/v2/executions/details/${executionArn}`;
}
