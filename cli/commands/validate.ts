import { parseCommandArgs } from '../args';
import { type CliDeps, println } from '../deps';
import { EXIT, EXIT_CODES_HELP, InvalidInputError } from '../errors';
import { buildInput, INPUT_OPTIONS, inputFlagsHelp } from '../input-flags';
import { chooseConfig, validateLocally } from '../local-validation';
import { printJson } from '../output';

export const VALIDATE_OPTIONS = {
  ...INPUT_OPTIONS,
  config: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const VALIDATE_HELP = `Usage: ltc validate [--input FILE] [input flags] [--config FILE] [--json]

Checks an execution input with the conductor's own validator, on this machine.
Prints the input with every default filled in (JSON) and exits 0, or prints
each problem as "field: rule" with the value that broke it (on stderr) and
exits 2.

${inputFlagsHelp('examples/dry-run.json')}

Options:
  --config FILE   conductor configuration (default: $LTC_CONFIG_FILE or config/example.json)
  --json          one JSON document on stdout (schema/cli-output.schema.json)

${EXIT_CODES_HELP}`;

export async function validateCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseCommandArgs(args, VALIDATE_OPTIONS);
  const input = buildInput(values, deps.cwd, deps.readStdin);
  const result = validateLocally(input, chooseConfig(values.config, deps.env, deps.cwd));
  if (!result.ok) throw new InvalidInputError(result.problems, input, 'invalid input');
  if (values.json)
    printJson(deps.stdout, { command: 'validate', exitCode: EXIT.ok, request: result.request });
  else println(deps.stdout, JSON.stringify(result.request, null, 2));
  return EXIT.ok;
}
