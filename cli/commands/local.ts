import { resolve } from 'node:path';
import { parseCommandArgs, parseIntegerFlag } from '../args';
import { type CliDeps, println } from '../deps';
import { EXIT } from '../errors';
import { exitCodeFor, outcomeOf, parseJsonOutput } from '../exit-code';
import { buildInput, INPUT_FLAGS_HELP, INPUT_OPTIONS } from '../input-flags';
import { chooseConfig, LOCAL_CONFIG, problemLines, validateLocally } from '../local-validation';
import { printRows } from '../output';

export const LOCAL_OPTIONS = {
  ...INPUT_OPTIONS,
  workers: { type: 'string' },
  'report-dir': { type: 'string' },
} as const;

export const LOCAL_ENVIRONMENT = 'local';

export const LOCAL_HELP = `Usage: ltc local [--input FILE] [input flags] [--workers N] [--report-dir DIR]

Runs a whole load test on this machine, with no AWS account: the same state
machine definition and handlers, a real Locust cluster, the demo shop.
The environment defaults to "${LOCAL_ENVIRONMENT}". The input is checked against
${LOCAL_CONFIG} before anything starts.

${INPUT_FLAGS_HELP}

Options:
  --workers N        Locust worker processes to start with
  --report-dir DIR   where the HTML report goes

Exit codes: 0 passed, warned or dry run, 1 the test failed its verdict,
2 invalid input, usage error, or a run that FAILED or was ABORTED.`;

export async function localCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseCommandArgs(args, LOCAL_OPTIONS);
  const input = buildInput(values, deps.cwd);
  if (input.environment === undefined) input.environment = LOCAL_ENVIRONMENT;
  const workers = values.workers === undefined ? undefined : parseIntegerFlag('workers', values.workers, 0);
  const reportDir = values['report-dir'] === undefined ? undefined : resolve(deps.cwd, values['report-dir']);

  const checked = validateLocally(input, chooseConfig(undefined, {}, deps.cwd, LOCAL_CONFIG));
  if (!checked.ok) {
    println(deps.stderr, 'invalid input; nothing was started:');
    for (const line of problemLines(checked.problems)) println(deps.stderr, `  ${line}`);
    return EXIT.error;
  }

  const runLocal = await deps.loadRunLocal();
  const result = await runLocal({
    input,
    ...(workers !== undefined ? { workers } : {}),
    ...(reportDir !== undefined ? { reportDir } : {}),
    out: deps.stdout,
  });
  const output = parseJsonOutput(result.output);
  const code = exitCodeFor(result.status, output);
  const rows: [string, string][] = [
    ['execution', result.executionName],
    ['status', result.status],
  ];
  const outcome = outcomeOf(output);
  if (outcome !== undefined) rows.push(['outcome', outcome]);
  printRows(deps.stdout, rows);
  if (result.error) {
    const errRows: [string, string][] = [['error', result.error.Error]];
    if (result.error.Cause) errRows.push(['cause', result.error.Cause]);
    printRows(deps.stderr, errRows);
  }
  return code;
}
