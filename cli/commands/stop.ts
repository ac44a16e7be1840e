import { parseCommandArgs } from '../args';
import { executionConsoleUrl, requireStatesArn, resolveRegion } from '../arn';
import type { CliDeps } from '../deps';
import { EXIT } from '../errors';
import { printRows } from '../output';

export const STOP_OPTIONS = { cause: { type: 'string' }, region: { type: 'string' } } as const;

export const DEFAULT_STOP_CAUSE = 'stopped with ltc stop';

export const STOP_HELP = `Usage: ltc stop <executionArn> [--cause TEXT] [--region REGION]

Stops a running execution (StopExecution). The environment is restored by the
conductor's cleanup path, not by this command.

Options:
  --cause TEXT      why, recorded on the execution (default: "${DEFAULT_STOP_CAUSE}")
  --region REGION   default: the ARN's region

Exit codes: 0 stopped, 2 usage or AWS error.`;

export async function stopCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, STOP_OPTIONS, { names: ['executionArn'] });
  const executionArn = positionals[0] as string;
  const arn = requireStatesArn(executionArn, 'execution', '<executionArn>');
  const region = resolveRegion(values.region, arn, deps.env);
  const res = await deps
    .sfn(region)
    .stopExecution({ executionArn, cause: values.cause ?? DEFAULT_STOP_CAUSE });
  printRows(deps.stdout, [
    ['execution', executionArn],
    ['status', 'stopped; the environment is restored by the cleanup path'],
    ['stopped', res.stopDate ? res.stopDate.toISOString() : '-'],
    ['console', executionConsoleUrl(executionArn, region)],
  ]);
  return EXIT.ok;
}
