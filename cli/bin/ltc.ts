#!/usr/bin/env tsx
/**
 * `ltc`: the Load Test Conductor command line. Run it as `npx tsx cli/bin/ltc.ts …`
 * (or `npm run ltc -- …`); `ltc --help` lists the commands.
 */
import { defaultDeps } from '../deps';
import { main } from '../main';

// A closed pipe (`ltc status … | head -1`) is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

process.exitCode = await main(process.argv.slice(2), defaultDeps());
