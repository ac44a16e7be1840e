import { parseCommandArgs } from '../args';
import { executionConsoleUrl, requireStatesArn, resolveRegion } from '../arn';
import { currentExecution } from '../chain';
import type { CliDeps } from '../deps';
import { EXIT } from '../errors';
import { outcomeOf, parseJsonOutput } from '../exit-code';
import { printRows } from '../output';
import { latestTick, progressRows, rampProgressOf } from '../progress';

export const STATUS_OPTIONS = { region: { type: 'string' } } as const;

export const STATUS_HELP = `Usage: ltc status <executionArn> [--region REGION]

Shows an execution's status, start and stop time, where the test stands (the
latest ramp tick: orders per minute, target now, users, workers, message),
its outcome once it ended, and the Step Functions console URL. A long soak
continues in new executions: given any of them, it shows the one that runs
the test now (or ran it last) as "current", and its status.

Options:
  --region REGION   default: the ARN's region

Exit codes: 0 shown, 2 usage or AWS error.`;

export async function statusCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, STATUS_OPTIONS, { names: ['executionArn'] });
  const executionArn = positionals[0] as string;
  const arn = requireStatesArn(executionArn, 'execution', '<executionArn>');
  const region = resolveRegion(values.region, arn, deps.env);
  const sfn = deps.sfn(region);

  const { executionArn: current, description: d, continuations } = await currentExecution(sfn, executionArn);
  const rows: [string, string][] = [['execution', executionArn]];
  if (continuations > 0) {
    rows.push(['current', current], ['continued', `${continuations} time${continuations === 1 ? '' : 's'}`]);
  }
  rows.push(['status', d.status ?? 'UNKNOWN'], ['started', d.startDate ? d.startDate.toISOString() : '-']);
  if (d.stopDate) rows.push(['stopped', d.stopDate.toISOString()]);
  const output = parseJsonOutput(d.output);
  const outcome = outcomeOf(output);
  if (outcome !== undefined) rows.push(['outcome', outcome]);
  if (d.error) rows.push(['error', d.error]);
  if (d.cause) rows.push(['cause', d.cause]);

  // An ended run's output may carry its last progress; otherwise the history has it.
  const progress = rampProgressOf(output) ?? (await latestTick(sfn, current));
  if (progress) rows.push(...progressRows(progress));
  else rows.push(['progress', d.status === 'RUNNING' ? 'no ramp tick yet' : 'no ramp tick recorded']);
  rows.push(['console', executionConsoleUrl(current, region)]);
  printRows(deps.stdout, rows);
  return EXIT.ok;
}
