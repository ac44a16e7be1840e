import { parseCommandArgs } from '../args';
import { executionConsoleUrl, requireStatesArn, resolveRegion } from '../arn';
import { currentExecution, startedWhileStopping } from '../chain';
import type { CliDeps } from '../deps';
import { EXIT, EXIT_CODES_HELP } from '../errors';
import { printJson, printRows } from '../output';

export const STOP_OPTIONS = {
  cause: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const DEFAULT_STOP_CAUSE = 'stopped with ltc stop';

export const STOP_HELP = `Usage: ltc stop <executionArn> [--cause TEXT] [--region REGION] [--json]

Stops a running execution (StopExecution). A long soak continues in new
executions: given any of them, this stops the one that runs the test now.
The environment is restored by the conductor's cleanup path, not by this
command. A run that already ended is left as it is.

Options:
  --cause TEXT      why, recorded on the execution (default: "${DEFAULT_STOP_CAUSE}")
  --region REGION   default: the ARN's region
  --json            one JSON document on stdout (schema/cli-output.schema.json)

${EXIT_CODES_HELP}
Stopping, or finding the run already ended, exits 0.`;

export async function stopCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, STOP_OPTIONS, { names: ['executionArn'] });
  const executionArn = positionals[0] as string;
  const arn = requireStatesArn(executionArn, 'execution', '<executionArn>');
  const region = resolveRegion(values.region, arn, deps.env);
  const sfn = deps.sfn(region);
  const cause = values.cause ?? DEFAULT_STOP_CAUSE;

  let target = await currentExecution(sfn, executionArn);
  let stopDate: Date | undefined;
  let stopped = false;
  while (target.description.status === 'RUNNING') {
    stopDate = (await sfn.stopExecution({ executionArn: target.executionArn, cause })).stopDate;
    stopped = true;
    // Between the describe and the stop the run may have continued in a new execution (or have been
    // starting it when the stop came): stop that one too.
    const after = await currentExecution(sfn, target.executionArn);
    const next =
      after.executionArn !== target.executionArn
        ? after
        : after.description.status === 'ABORTED'
          ? await startedWhileStopping(sfn, target.executionArn)
          : undefined;
    if (next === undefined || next.executionArn === target.executionArn) break;
    target = next;
  }

  const consoleUrl = executionConsoleUrl(target.executionArn, region);
  if (values.json) {
    printJson(deps.stdout, {
      command: 'stop',
      exitCode: EXIT.ok,
      executionArn,
      currentExecutionArn: target.executionArn,
      stopped,
      status: stopped ? 'ABORTED' : (target.description.status ?? 'UNKNOWN'),
      stopDate: stopDate?.toISOString() ?? null,
      console: consoleUrl,
    });
    return EXIT.ok;
  }
  const rows: [string, string][] = [['execution', executionArn]];
  if (target.executionArn !== executionArn) rows.push(['current', target.executionArn]);
  if (stopped) {
    rows.push(
      ['status', 'stopped; the environment is restored by the cleanup path'],
      ['stopped', stopDate ? stopDate.toISOString() : '-'],
    );
  } else {
    rows.push(['status', `not running (${target.description.status ?? 'UNKNOWN'}): nothing to stop`]);
  }
  rows.push(['console', consoleUrl]);
  printRows(deps.stdout, rows);
  return EXIT.ok;
}
