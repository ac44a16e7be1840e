import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest's global set-up: the run's temporary files (servers' data and logs, CDK's cloud assemblies) go to one
 * folder that the run removes when it ends, so that test runs do not fill the machine's /tmp. The workers and
 * the servers they start inherit it through TMPDIR. `LTC_KEEP_TEST_TMP=1` keeps it, for a failure's logs.
 */
export default function temporaryFolder(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'ltc-test-run-'));
  // Traversable by others, as /tmp is: PostgreSQL runs as its own user when the tests run as root.
  chmodSync(dir, 0o711);
  process.env.TMPDIR = dir;
  const keep = process.env.LTC_KEEP_TEST_TMP === '1';
  if (keep) console.info(`[temporary-folder] kept after the run: ${dir}`);
  return () => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
}
