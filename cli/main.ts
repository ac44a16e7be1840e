import { LOCAL_HELP, localCommand } from './commands/local';
import { START_HELP, startCommand } from './commands/start';
import { STATUS_HELP, statusCommand } from './commands/status';
import { STOP_HELP, stopCommand } from './commands/stop';
import { VALIDATE_HELP, validateCommand } from './commands/validate';
import { type CliDeps, println } from './deps';
import { EXIT, UsageError } from './errors';
import { ConfigError } from './local-validation';

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
  local: {
    summary: 'run a whole load test on this machine, no AWS account',
    help: LOCAL_HELP,
    run: localCommand,
  },
};

export const MAIN_HELP = `ltc — Load Test Conductor command line

Usage: ltc <command> [flags]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Run "ltc <command> --help" for a command's flags.
Exit codes: 0 ok / passed, 1 invalid input (validate) or failed verdict, 2 error.`;

const isHelpFlag = (a: string) => a === '--help' || a === '-h';

/** Runs one `ltc` invocation; resolves to its exit code. Never throws. */
export async function main(argv: readonly string[], deps: CliDeps): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    println(deps.stderr, MAIN_HELP);
    return EXIT.error;
  }
  if (isHelpFlag(name) || name === 'help') {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic === undefined) {
      println(deps.stdout, MAIN_HELP);
      return EXIT.ok;
    }
    const command = commandNamed(topic);
    if (!command) return unknownCommand(topic, deps);
    println(deps.stdout, command.help);
    return EXIT.ok;
  }
  const command = commandNamed(name);
  if (!command) return unknownCommand(name, deps);
  const beforeDashDash = args.indexOf('--') === -1 ? args : args.slice(0, args.indexOf('--'));
  if (beforeDashDash.some(isHelpFlag)) {
    println(deps.stdout, command.help);
    return EXIT.ok;
  }

  try {
    return await command.run(args, deps);
  } catch (err) {
    return reportError(name, err, deps);
  }
}

function commandNamed(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

function unknownCommand(name: string, deps: CliDeps): number {
  const what = name.startsWith('-') ? `unknown flag '${name}'` : `unknown command '${name}'`;
  println(deps.stderr, `ltc: ${what} (commands: ${Object.keys(COMMANDS).join(', ')}; see ltc --help)`);
  return EXIT.error;
}

function reportError(command: string, err: unknown, deps: CliDeps): number {
  if (err instanceof UsageError) {
    println(deps.stderr, `ltc ${command}: ${err.message}`);
    println(deps.stderr, `Run "ltc ${command} --help" for usage.`);
  } else if (err instanceof ConfigError) {
    println(deps.stderr, `ltc ${command}: ${err.message}:`);
    for (const p of err.problems) println(deps.stderr, `  ${p.field}: ${p.rule}`);
  } else if (err instanceof Error) {
    // AWS SDK errors carry the service's error code as `name`.
    println(deps.stderr, `ltc ${command}: ${err.name}: ${err.message}`);
  } else {
    println(deps.stderr, `ltc ${command}: ${String(err)}`);
  }
  return EXIT.error;
}
