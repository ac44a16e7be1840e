import { resolve } from 'node:path';
import { plannedTicks } from '../../lambdas/core/run-input';
import { parseCommandArgs, parseIntegerFlag } from '../args';
import type { CliDeps, RunLocalResult } from '../deps';
import { EXIT, EXIT_CODES_HELP, InvalidInputError, LocalRunError } from '../errors';
import { exitCodeFor, parseJsonOutput, restoreOf } from '../exit-code';
import { buildInput, INPUT_OPTIONS, inputFlagsHelp } from '../input-flags';
import { chooseConfig, LOCAL_CONFIG, validateLocally } from '../local-validation';
import { printJson, println, printRows } from '../output';
import { digestVerdict, restoreLines, sloLine } from '../run-result';

export const LOCAL_OPTIONS = {
  ...INPUT_OPTIONS,
  workers: { type: 'string' },
  'report-dir': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const LOCAL_ENVIRONMENT = 'local';

/** A signal this soon after the first is a relayed copy of it (npm, tsx), not a second Ctrl-C. */
export const RELAYED_SIGNAL_MS = 1000;

/** The examples `ltc local --help` gives; a test runs each one. */
export const LOCAL_EXAMPLES = [
  'ltc local --target 600 --dry-run',
  'ltc local --target 600 --ramp-up 1 --plateau 2 --tick 10',
  'ltc local --input examples/local/short-run.json --workers 2',
] as const;

export const LOCAL_HELP = `Usage: ltc local [--input FILE] [input flags] [--workers N] [--report-dir DIR] [--json]

Runs a whole load test on this machine, with no AWS account: the same state
machine definition and handlers, a real Locust cluster, the demo shop.
The environment defaults to "${LOCAL_ENVIRONMENT}". The input is checked against
${LOCAL_CONFIG} before anything starts. With --dry-run it only checks and
plans (applications, ticks); no server is started.

Examples:
${LOCAL_EXAMPLES.map((e) => `  ${e}`).join('\n')}

${inputFlagsHelp('examples/local/short-run.json')}

Options:
  --workers N        Locust worker processes to start with
  --report-dir DIR   where the HTML report goes
  --json             one JSON document on stdout (schema/cli-output.schema.json);
                     the run's live progress goes to stderr

${EXIT_CODES_HELP}`;

export async function localCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseCommandArgs(args, LOCAL_OPTIONS);
  const input = buildInput(values, deps.cwd, deps.readStdin);
  if (input.environment === undefined) input.environment = LOCAL_ENVIRONMENT;
  const workers = values.workers === undefined ? undefined : parseIntegerFlag('workers', values.workers, 0);
  const reportDir = values['report-dir'] === undefined ? undefined : resolve(deps.cwd, values['report-dir']);

  const checked = validateLocally(input, chooseConfig(undefined, {}, deps.cwd, LOCAL_CONFIG));
  if (!checked.ok) throw new InvalidInputError(checked.problems, input);
  const { request } = checked;

  if (request.dryRun) {
    const ticks = plannedTicks(request);
    const summary = `dry run: ${request.scenario} on ${request.applications.join(', ')} to ${request.targetOrdersPerMinute} orders/min over ${request.rampUpMinutes} + ${request.plateauMinutes} min in ${ticks} ticks of ${request.tickSeconds} s; nothing was started`;
    if (values.json) {
      printJson(deps.stdout, {
        command: 'local',
        exitCode: EXIT.ok,
        dryRun: true,
        request,
        plannedTicks: ticks,
        summary,
      });
    } else {
      printRows(deps.stdout, [
        ['environment', request.environment],
        ['applications', request.applications.join(', ')],
        ['planned ticks', String(ticks)],
        ['summary', summary],
      ]);
    }
    return EXIT.ok;
  }

  const runLocal = await deps.loadRunLocal();
  // First Ctrl-C or SIGTERM: the run stops as "Stop execution" stops it on AWS and the janitor cleans up;
  // a second one skips to stopping the servers. The servers stop in either case. npm and tsx relay the
  // signal a terminal already sent to the whole process group: a copy within a second is the same interrupt.
  const interrupt = new AbortController();
  const shutdown = new AbortController();
  let interruptedAt = 0;
  const uninstall = deps.onInterrupt((signal) => {
    const now = deps.now().getTime();
    if (!interrupt.signal.aborted) {
      interruptedAt = now;
      println(
        deps.stderr,
        `\n${signal}: stopping the run (stop the load, restore, release the lock), then the servers; interrupt again to skip to stopping the servers`,
      );
      interrupt.abort(signal);
    } else if (!shutdown.signal.aborted && now - interruptedAt >= RELAYED_SIGNAL_MS) {
      println(deps.stderr, `\n${signal} again: skipping the clean-up, stopping the servers`);
      shutdown.abort(signal);
    }
  }, true);
  let result: RunLocalResult;
  try {
    result = await runLocal({
      input,
      ...(workers !== undefined ? { workers } : {}),
      ...(reportDir !== undefined ? { reportDir } : {}),
      out: values.json ? deps.stderr : deps.stdout,
      interrupt: interrupt.signal,
      shutdown: shutdown.signal,
    });
  } catch (err) {
    throw new LocalRunError((err as Error).message ?? String(err));
  } finally {
    uninstall();
  }
  const output = parseJsonOutput(result.output);
  const code = result.interrupted ? EXIT.interrupted : exitCodeFor(result.status, output);
  const verdict = digestVerdict(output);
  const restore = restoreOf(output);
  if (values.json) {
    printJson(deps.stdout, {
      command: 'local',
      exitCode: code,
      dryRun: false,
      executionName: result.executionName,
      status: result.status,
      outcome: verdict?.outcome ?? null,
      verdict: verdict ?? null,
      restore: restore ?? null,
      error: result.error?.Error ?? null,
      cause: result.error?.Cause ?? null,
      report: result.reportPath ?? null,
    });
    return code;
  }
  const rows: [string, string][] = [];
  if (restore?.complete === false) {
    rows.push(['restore', 'INCOMPLETE: the environment is not back to its recorded shape']);
    for (const line of restoreLines(restore)) rows.push(['', line]);
  }
  rows.push(['execution', result.executionName], ['status', result.status]);
  if (verdict?.outcome !== undefined) rows.push(['outcome', verdict.outcome]);
  if (verdict?.summary) rows.push(['summary', verdict.summary]);
  for (const slo of verdict?.failedSlos ?? []) rows.push(['failed SLO', sloLine(slo)]);
  if (result.reportPath) rows.push(['report', result.reportPath]);
  printRows(deps.stdout, rows);
  if (result.error) {
    const errRows: [string, string][] = [['error', result.error.Error]];
    if (result.error.Cause) errRows.push(['cause', result.error.Cause]);
    printRows(deps.stderr, errRows);
  }
  return code;
}
