import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConductorConfig } from '../lambdas/core/config';
import { loadConfigFile } from '../lambdas/core/config-file';
import { type FieldProblem, ValidationError } from '../lambdas/core/errors';
import { type RunRequest, validateRunInput } from '../lambdas/core/run-input';

export { REPO_ROOT } from '../local/managed-process';

import { REPO_ROOT } from '../local/managed-process';
export const DEFAULT_CONFIG = 'config/example.json';
export const LOCAL_CONFIG = 'config/local.json';

export interface ConfigChoice {
  readonly path: string;
  /** Where the path came from, for messages: `--config` or `LTC_CONFIG_FILE`. */
  readonly source: string;
}

/**
 * `--config`, else `LTC_CONFIG_FILE`, else `config/example.json` (in the
 * working directory if there is one, else the project's own).
 */
export function chooseConfig(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  fallback: string = DEFAULT_CONFIG,
): ConfigChoice {
  if (flag !== undefined) return { path: resolve(cwd, flag), source: '--config' };
  if (env.LTC_CONFIG_FILE) return { path: resolve(cwd, env.LTC_CONFIG_FILE), source: 'LTC_CONFIG_FILE' };
  const here = resolve(cwd, fallback);
  return { path: existsSync(here) ? here : resolve(REPO_ROOT, fallback), source: 'default config' };
}

/** A configuration that cannot be used: unreadable, or breaking the config schema. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly choice: ConfigChoice,
    readonly problems: readonly FieldProblem[],
  ) {
    super(`${choice.source} ${choice.path} is not usable`);
  }
}

export function loadConfig(choice: ConfigChoice): ConductorConfig {
  if (!existsSync(choice.path))
    throw new ConfigError(choice, [{ field: choice.path, rule: 'does not exist' }]);
  try {
    return loadConfigFile(choice.path);
  } catch (err) {
    if (err instanceof ValidationError) throw new ConfigError(choice, err.problems);
    throw new ConfigError(choice, [
      { field: choice.path, rule: `cannot be read: ${(err as Error).message}` },
    ]);
  }
}

export type LocalValidation =
  | { readonly ok: true; readonly request: RunRequest }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** The project's own validator, exactly as the state machine's first step runs it. */
export function validateLocally(input: Record<string, unknown>, choice: ConfigChoice): LocalValidation {
  return validateRunInput(input, loadConfig(choice));
}
