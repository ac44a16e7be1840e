#!/usr/bin/env tsx
/**
 * `ltc`: the Load Test Conductor command line. Run it as `npm run ltc -- …` (the project's Node); `ltc --help`
 * lists the commands. Nothing but the version check is imported statically: on an older Node the rest
 * would fail before it could say why.
 */
import { readFileSync } from 'node:fs';
import { nodeTooOld } from '../node-version';

const engines = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    engines?: { node?: string };
  }
).engines?.node;
const tooOld = nodeTooOld(process.version, engines);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exit(2);
}

// A closed pipe (`ltc status … | head -1`) is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

const { defaultDeps } = await import('../deps');
const { main } = await import('../main');
process.exitCode = await main(process.argv.slice(2), defaultDeps());
