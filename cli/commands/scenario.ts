import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommandArgs, parseIntegerFlag } from '../args';
import { type CliDeps, println } from '../deps';
import { EXIT, EXIT_CODES_HELP, UsageError } from '../errors';
import { printJson } from '../output';

export const SCENARIO_OPTIONS = {
  target: { type: 'string' },
  users: { type: 'string' },
  seconds: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const SCENARIO_HELP = `Usage: ltc scenario check LOCUSTFILE [--target URL] [--users N] [--seconds S]

Runs LOCUSTFILE headless on this machine for S seconds (default 30, at most
300) with N users (default 5) against URL (default: the demo shop, started
as "ltc local" starts it), and reports whether the conductor can steer on it:
the conductor plugin imported, a class marked @counts_kpi, the KPI request
counted, the load-test header on every request, what a failed KPI request
does, and the KPI per user and minute it saw (a first guess for
locust.initialOrdersPerUserPerMinute). Exits 0 when every check passes, 1
otherwise, each failing check saying what to add.
Locust reads LTC_* variables (LTC_ORDER_REQUEST_NAME, LTC_PACING_SECONDS,
LTC_LOAD_TEST_HEADER) from the environment, as on the master.

Options:
  --json      one JSON document on stdout (schema/cli-output.schema.json)

${EXIT_CODES_HELP}`;

export async function scenarioCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'check') throw new UsageError(`unknown scenario command '${sub ?? ''}' (expected: check)`);
  const { values, positionals } = parseCommandArgs(rest, SCENARIO_OPTIONS, { names: ['LOCUSTFILE'] });
  const locustfile = resolve(deps.cwd, positionals[0] as string);
  if (!existsSync(locustfile)) throw new UsageError(`LOCUSTFILE ${locustfile} does not exist`);
  const users = values.users === undefined ? 5 : parseIntegerFlag('users', values.users, 1);
  const seconds = values.seconds === undefined ? 30 : parseIntegerFlag('seconds', values.seconds, 5);
  if (seconds > 300) throw new UsageError('--seconds: a check runs at most 300 s');
  // Loaded on demand: the demo shop and its servers are only needed here.
  const { checkScenario } = await import('../../local/scenario-check');
  const header = {
    name: deps.env.LTC_LOAD_TEST_HEADER?.trim() || 'X-Load-Test',
    value: deps.env.LTC_LOAD_TEST_HEADER_VALUE?.trim() || 'true',
  };
  const ltcEnv = Object.fromEntries(
    Object.entries(deps.env).filter(
      (e): e is [string, string] => e[0].startsWith('LTC_') && e[1] !== undefined,
    ),
  );
  if (!values.target && !values.json)
    println(deps.stderr, 'starting the demo shop (payment provider mocked by Hoverfly) …');
  const result = await checkScenario({
    locustfile,
    ...(values.target ? { target: values.target } : {}),
    users,
    seconds,
    header,
    env: ltcEnv,
  });
  const exitCode = result.ok ? EXIT.ok : EXIT.verdictFail;
  if (values.json) {
    printJson(deps.stdout, {
      command: 'scenario check',
      exitCode,
      ok: result.ok,
      findings: result.findings,
      kpiPerUserPerMinute: result.kpiPerUserPerMinute,
    });
    return exitCode;
  }
  for (const f of result.findings)
    println(f.ok ? deps.stdout : deps.stderr, `${f.ok ? 'ok  ' : 'FAIL'} ${f.message}`);
  if (result.kpiPerUserPerMinute !== null) {
    println(
      deps.stdout,
      `     ${result.kpiPerUserPerMinute} '${result.offer.kpiRequestName}' per user per minute seen (${users} users, ${seconds} s): a first guess for locust.initialOrdersPerUserPerMinute`,
    );
  }
  return exitCode;
}
