/**
 * The Node version check `cli/bin/ltc.ts` makes before it loads anything else: an older Node fails on syntax
 * or APIs the CLI uses, with errors that say nothing about the cause. Imports nothing, so that it runs on
 * any Node.
 */

/** The lowest major version `engines.node` allows: `>=24`, `^24.1.0` and `24.x` all give 24. */
export function requiredMajor(engines: string | undefined): number | undefined {
  const match = /(\d+)/.exec(engines ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Why `ltc` will not run on `version` (e.g. `v20.20.2`), and how to run it; undefined when it can. */
export function nodeTooOld(version: string, engines: string | undefined): string | undefined {
  const required = requiredMajor(engines);
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  if (required === undefined || !Number.isFinite(major) || major >= required) return undefined;
  return [
    `ltc: needs Node ${required} or newer (package.json engines: "${engines}"); this is Node ${version}.`,
    `Run it with the project's own Node: npm run ltc -- <command> …, or node_modules/.bin/node node_modules/.bin/tsx cli/bin/ltc.ts <command> …`,
  ].join('\n');
}
