import { parseCommandArgs } from '../args';
import { executionConsoleUrl, requireStatesArn, resolveRegion } from '../arn';
import { currentExecution } from '../chain';
import type { CliDeps } from '../deps';
import { EXIT_CODES_HELP } from '../errors';
import { exitCodeFor, parseJsonOutput } from '../exit-code';
import { printJson, printRows } from '../output';
import { latestTick, progressRows, rampProgressOf } from '../progress';
import { endedRun, restoreLines, sloLine } from '../run-result';

export const STATUS_OPTIONS = { region: { type: 'string' }, json: { type: 'boolean' } } as const;

export const STATUS_HELP = `Usage: ltc status <executionArn> [--region REGION] [--json]

Shows an execution's status, start and stop time, where the test stands (the
latest ramp tick: orders per minute, target now, users, workers, message),
its outcome once it ended (the verdict's summary and each failed SLO), and the
Step Functions console URL. A run whose restore is incomplete says so first.
A long soak continues in new executions: given any of them, it shows the one
that runs the test now (or ran it last) as "current", and its status.

Options:
  --region REGION   default: the ARN's region
  --json            one JSON document on stdout (schema/cli-output.schema.json)

${EXIT_CODES_HELP}
A running execution exits 0; an ended one with its run's code.`;

export async function statusCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, STATUS_OPTIONS, { names: ['executionArn'] });
  const executionArn = positionals[0] as string;
  const arn = requireStatesArn(executionArn, 'execution', '<executionArn>');
  const region = resolveRegion(values.region, arn, deps.env);
  const sfn = deps.sfn(region);

  const { executionArn: current, description: d, continuations } = await currentExecution(sfn, executionArn);
  const status = d.status ?? 'UNKNOWN';
  const output = parseJsonOutput(d.output);
  const ended = await endedRun(sfn, d);
  const code = exitCodeFor(status, output, ended.restore);
  // An ended run's output may carry its last progress; otherwise the history has it.
  const progress = rampProgressOf(output) ?? (await latestTick(sfn, current));
  const consoleUrl = executionConsoleUrl(current, region);

  if (values.json) {
    printJson(deps.stdout, {
      command: 'status',
      exitCode: code,
      executionArn,
      currentExecutionArn: current,
      continuations,
      status,
      startDate: d.startDate?.toISOString() ?? null,
      stopDate: d.stopDate?.toISOString() ?? null,
      outcome: ended.verdict?.outcome ?? null,
      verdict: ended.verdict ?? null,
      restore: ended.restore ?? null,
      error: d.error ?? null,
      cause: d.cause ?? null,
      progress: progress ?? null,
      console: consoleUrl,
    });
    return code;
  }

  const rows: [string, string][] = [];
  if (ended.restore?.complete === false) {
    rows.push(['restore', 'INCOMPLETE: the environment is not back to its recorded shape']);
    for (const line of restoreLines(ended.restore)) rows.push(['', line]);
  }
  rows.push(['execution', executionArn]);
  if (continuations > 0) {
    rows.push(['current', current], ['continued', `${continuations} time${continuations === 1 ? '' : 's'}`]);
  }
  rows.push(['status', status], ['started', d.startDate ? d.startDate.toISOString() : '-']);
  if (d.stopDate) rows.push(['stopped', d.stopDate.toISOString()]);
  if (ended.verdict?.outcome !== undefined) rows.push(['outcome', ended.verdict.outcome]);
  if (ended.verdict?.summary) rows.push(['summary', ended.verdict.summary]);
  for (const slo of ended.verdict?.failedSlos ?? []) rows.push(['failed SLO', sloLine(slo)]);
  if (ended.verdict?.abortedBy)
    rows.push(['aborted by', ended.verdict.abortedBy.reason ?? ended.verdict.abortedBy.sloId]);
  if (d.error) rows.push(['error', d.error]);
  if (d.cause) rows.push(['cause', d.cause]);
  if (progress) rows.push(...progressRows(progress));
  else rows.push(['progress', status === 'RUNNING' ? 'no ramp tick yet' : 'no ramp tick recorded']);
  if (ended.verdict?.report) rows.push(['report', ended.verdict.report]);
  rows.push(['console', consoleUrl]);
  printRows(deps.stdout, rows);
  return code;
}
