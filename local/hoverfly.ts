import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startProcess, waitUntil } from './managed-process';
import { freePort } from './ports';
import { hoverflyBinary } from './tool-paths';

/**
 * Hoverfly in webserver mode serving a simulation, bound to 127.0.0.1 only: the mock of an external
 * dependency. Needs the binary from `npm run setup` (scripts/build-go-tools.sh).
 */

export interface HoverflyOptions {
  /** Path of a simulation file (schema v5), e.g. mocks/payment-provider/simulation.json. */
  simulation: string;
  /** Port of the simulated API (Hoverfly's "proxy port"). */
  proxyPort?: number;
  /** Port of Hoverfly's admin API (/api/v2/...). */
  adminPort?: number;
  /** Requests kept in the journal (Hoverfly's default 1000; 0 turns the journal off, e.g. for long load tests). */
  journalSize?: number;
}

export interface JournalEntry {
  request: { method: string; path: string; body: string; headers: Record<string, string[]> };
  response: { status: number; body: string };
  timeStarted: string;
  latency: number;
}

export interface Hoverfly {
  /** Base URL of the simulated API, e.g. http://127.0.0.1:41235 */
  url: string;
  /** Hoverfly's admin API. */
  adminUrl: string;
  pid: number;
  /** Requests in the journal (at most journalSize: older ones drop out). Throws when the journal is off. */
  journalCount(): Promise<number>;
  /** The journal entries, oldest first. */
  journal(): Promise<JournalEntry[]>;
  stop(): Promise<void>;
}

/**
 * Starts Hoverfly; with ports left to it, a port taken between the probe and Hoverfly's bind (it then exits)
 * is a reason to try others.
 */
export async function startHoverfly(opts: HoverflyOptions): Promise<Hoverfly> {
  const attempts = opts.proxyPort === undefined || opts.adminPort === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await launch(opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function launch(opts: HoverflyOptions): Promise<Hoverfly> {
  const binary = hoverflyBinary();
  const proxyPort = opts.proxyPort ?? (await freePort());
  const adminPort = opts.adminPort ?? (await freePort());
  const workDir = mkdtempSync(join(tmpdir(), 'ltc-hoverfly-'));
  const args = [
    '-webserver',
    ...['-listen-on-host', '127.0.0.1'],
    ...['-pp', String(proxyPort), '-ap', String(adminPort)],
    ...['-import', resolve(opts.simulation)],
    ...['-journal-size', String(opts.journalSize ?? 1000)],
    '-log-no-color',
  ];
  const proc = startProcess('hoverfly', binary, args, { cwd: workDir });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const url = `http://127.0.0.1:${proxyPort}`;
  const stop = async () => {
    await proc.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await waitUntil('hoverfly', async () => (await fetch(`${adminUrl}/api/health`)).ok, {
      timeoutMs: 30_000,
      proc,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const getJournal = async () => {
    const res = await fetch(`${adminUrl}/api/v2/journal?limit=${opts.journalSize ?? 1000}`);
    if (!res.ok) throw new Error(`GET ${adminUrl}/api/v2/journal: ${res.status}`);
    return (await res.json()) as { journal: JournalEntry[] | null; total: number };
  };
  return {
    url,
    adminUrl,
    pid: proc.pid,
    journalCount: async () => (await getJournal()).total,
    journal: async () => (await getJournal()).journal ?? [],
    stop,
  };
}
