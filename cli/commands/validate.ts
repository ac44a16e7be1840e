import { parseCommandArgs } from '../args';
import { type CliDeps, println } from '../deps';
import { EXIT } from '../errors';
import { buildInput, INPUT_FLAGS_HELP, INPUT_OPTIONS } from '../input-flags';
import { chooseConfig, problemLines, validateLocally } from '../local-validation';

export const VALIDATE_OPTIONS = {
  ...INPUT_OPTIONS,
  config: { type: 'string' },
} as const;

export const VALIDATE_HELP = `Usage: ltc validate [--input FILE] [input flags] [--config FILE]

Checks an execution input with the conductor's own validator, on this machine.
Prints the input with every default filled in (JSON) and exits 0, or prints
each problem as "field: rule" (on stderr) and exits 1.

${INPUT_FLAGS_HELP}

Options:
  --config FILE   conductor configuration (default: $LTC_CONFIG_FILE or config/example.json)

Exit codes: 0 valid, 1 invalid, 2 usage or configuration error.`;

export async function validateCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseCommandArgs(args, VALIDATE_OPTIONS);
  const input = buildInput(values, deps.cwd);
  const result = validateLocally(input, chooseConfig(values.config, deps.env, deps.cwd));
  if (!result.ok) {
    for (const line of problemLines(result.problems)) println(deps.stderr, line);
    return EXIT.fail;
  }
  println(deps.stdout, JSON.stringify(result.request, null, 2));
  return EXIT.ok;
}
