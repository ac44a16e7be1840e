import { readFileSync } from 'node:fs';
import { closest } from './args';
import { INIT_HELP, initCommand } from './commands/init';
import { LOCAL_HELP, localCommand } from './commands/local';
import { REPORT_HELP, reportCommand } from './commands/report';
import { SCENARIO_HELP, scenarioCommand } from './commands/scenario';
import { START_HELP, startCommand } from './commands/start';
import { STATUS_HELP, statusCommand } from './commands/status';
import { STOP_HELP, stopCommand } from './commands/stop';
import { VALIDATE_HELP, validateCommand } from './commands/validate';
import { type CliDeps, println } from './deps';
import { EXIT, EXIT_CODES_HELP, InvalidInputError, LocalRunError, ServiceError, UsageError } from './errors';
import { ConfigError, REPO_ROOT } from './local-validation';
import { escapeText, printJson, problemLines, problemsJson, shown } from './output';

interface Command {
  readonly summary: string;
  readonly help: string;
  run(args: readonly string[], deps: CliDeps): Promise<number>;
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  validate: {
    summary: 'check an execution input on this machine',
    help: VALIDATE_HELP,
    run: validateCommand,
  },
  start: {
    summary: 'start a load test on AWS (--wait to follow it to its verdict)',
    help: START_HELP,
    run: startCommand,
  },
  status: {
    summary: "show a run's status and where the test stands (given any of its executions)",
    help: STATUS_HELP,
    run: statusCommand,
  },
  stop: { summary: "stop a run's running execution", help: STOP_HELP, run: stopCommand },
  report: {
    summary: "download a run's report and summary from the reports bucket (--open to view it)",
    help: REPORT_HELP,
    run: reportCommand,
  },
  local: {
    summary: 'run a whole load test on this machine, no AWS account',
    help: LOCAL_HELP,
    run: localCommand,
  },
  init: {
    summary: 'write a starter locustfile, plugin, Dockerfile, manifests and configuration',
    help: INIT_HELP,
    run: initCommand,
  },
  scenario: {
    summary: 'check a locustfile headless against the demo shop (or --target) before it runs',
    help: SCENARIO_HELP,
    run: scenarioCommand,
  },
};

/** The project's version, from package.json. */
const VERSION = (JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string })
  .version;

const MAIN_HELP = `ltc — Load Test Conductor command line

Usage: ltc <command> [flags]
       ltc --version

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Run "ltc <command> --help" for a command's flags. Every command takes --json:
one JSON document on stdout (schema/cli-output.schema.json), errors as one
JSON document on stderr.

${EXIT_CODES_HELP}`;

const isHelpFlag = (a: string) => a === '--help' || a === '-h';

/** Runs one `ltc` invocation; resolves to its exit code. Never throws. */
export async function main(argv: readonly string[], deps: CliDeps): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    println(deps.stderr, MAIN_HELP);
    return EXIT.usage;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    if (args.includes('--json'))
      printJson(deps.stdout, { command: 'version', exitCode: 0, version: VERSION });
    else println(deps.stdout, `ltc ${VERSION}`);
    return EXIT.ok;
  }
  if (isHelpFlag(name) || name === 'help') {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic === undefined) {
      println(deps.stdout, MAIN_HELP);
      return EXIT.ok;
    }
    const command = commandNamed(topic);
    if (!command) return unknownCommand(topic, args.includes('--json'), deps);
    println(deps.stdout, command.help);
    return EXIT.ok;
  }
  const beforeDashDash = args.indexOf('--') === -1 ? args : args.slice(0, args.indexOf('--'));
  const json = beforeDashDash.includes('--json');
  const command = commandNamed(name);
  if (!command) return unknownCommand(name, json, deps);
  if (beforeDashDash.some(isHelpFlag)) {
    println(deps.stdout, command.help);
    return EXIT.ok;
  }

  try {
    return await command.run(args, deps);
  } catch (err) {
    return reportError(name, err, json, deps);
  }
}

function commandNamed(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

function unknownCommand(name: string, json: boolean, deps: CliDeps): number {
  const suggestion = name.startsWith('-') ? undefined : closest(name, Object.keys(COMMANDS));
  const message = `${name.startsWith('-') ? 'unknown flag' : 'unknown command'} ${shown(name)}${
    suggestion ? ` (did you mean ${suggestion}?)` : ''
  }`;
  if (json) {
    printJson(deps.stderr, { error: { kind: 'usage', message, exitCode: EXIT.usage } });
  } else {
    println(deps.stderr, `ltc: ${message} (commands: ${Object.keys(COMMANDS).join(', ')}; see ltc --help)`);
  }
  return EXIT.usage;
}

/** The JSON form of an error (stderr with --json); see schema/cli-output.schema.json#/$defs/error. */
export interface ErrorDocument {
  readonly error: {
    readonly kind: 'usage' | 'input' | 'config' | 'aws' | 'execution' | 'internal';
    readonly message: string;
    readonly exitCode: number;
    readonly problems?: readonly { field: string; rule: string; value?: unknown }[];
    readonly problemsOmitted?: number;
    readonly service?: string;
    readonly endpoint?: string;
    readonly code?: string;
    readonly fix?: string;
    /** aws: the execution started before the error, which may still be running. */
    readonly executionArn?: string;
  };
}

function errorDocument(err: unknown): ErrorDocument['error'] {
  if (err instanceof UsageError) return { kind: 'usage', message: err.message, exitCode: EXIT.usage };
  if (err instanceof InvalidInputError) {
    return {
      kind: 'input',
      message: err.message,
      exitCode: EXIT.usage,
      ...problemsJson(err.problems, err.input),
    };
  }
  if (err instanceof ConfigError) {
    return {
      kind: 'config',
      message: err.message,
      exitCode: EXIT.config,
      ...problemsJson(err.problems, undefined),
    };
  }
  if (err instanceof LocalRunError)
    return { kind: 'execution', message: err.message, exitCode: EXIT.executionFailed };
  if (err instanceof ServiceError) {
    return {
      kind: 'aws',
      message: err.message,
      exitCode: EXIT.aws,
      service: err.service,
      endpoint: err.endpoint,
      code: err.code,
      fix: err.fix,
      ...(err.executionArn ? { executionArn: err.executionArn } : {}),
    };
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { kind: 'internal', message, exitCode: EXIT.internal };
}

function reportError(command: string, err: unknown, json: boolean, deps: CliDeps): number {
  const doc = errorDocument(err);
  if (json) {
    printJson(deps.stderr, { error: doc });
    return doc.exitCode;
  }
  const line = (text: string) => println(deps.stderr, text);
  if (err instanceof UsageError) {
    line(`ltc ${command}: ${escapeText(err.message)}`);
    line(`Run "ltc ${command} --help" for usage.`);
  } else if (err instanceof InvalidInputError) {
    line(`ltc ${command}: ${err.message}:`);
    for (const p of problemLines(err.problems, err.input)) line(`  ${p}`);
  } else if (err instanceof ConfigError) {
    line(`ltc ${command}: ${escapeText(err.message)}:`);
    for (const p of problemLines(err.problems, undefined)) line(`  ${p}`);
  } else {
    line(`ltc ${command}: ${escapeText(doc.message)}`);
    if (doc.executionArn)
      line(`The execution may still be running: ltc status ${doc.executionArn} (ltc stop to stop it)`);
  }
  return doc.exitCode;
}
