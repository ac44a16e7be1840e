/**
 * A real, distributed Locust cluster on this machine: one master (web UI on, bound to 127.0.0.1) and N
 * worker processes, all from the project's virtual environment (`scripts/setup-python.sh` creates
 * `.venv`). Used by the local lifecycle and the e2e tests.
 *
 * Every child runs in its own process group (a terminal's Ctrl-C reaches only this process, whose owner decides
 * what to stop) and is killed when `stop()` is called, when this Node process exits, and on SIGINT/SIGTERM/SIGHUP
 * when nothing else in this process handles the signal. If Node itself is killed with SIGKILL, scenarios that import `locust/conductor_plugin.py` notice through
 * `LTC_EXIT_WITH_PARENT` and shut down on their own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { killWithThisProcess, REPO_ROOT } from './managed-process';
import { freePort } from './ports';

export const DEFAULT_LOCUST_BIN = join(REPO_ROOT, '.venv', 'bin', 'locust');

export interface LocustClusterOptions {
  /** Locustfile or directory of locustfiles; relative paths are resolved against the repository root. */
  scenario: string;
  /** Start the master with `--class-picker`, so `/swarm` selects the user classes (docs/scenarios.md). */
  classPicker?: boolean;
  /** Base URL of the system under test, passed as `--host`. */
  host: string;
  /** Worker processes to start (0 is allowed). */
  workers: number;
  /** Web UI port on 127.0.0.1; a free port is chosen when omitted. */
  webPort?: number;
  /** Extra environment for master and workers (e.g. LTC_PACING_SECONDS). */
  env?: Record<string, string>;
  /** Where master.log and worker-<n>.log go; a fresh temp dir when omitted. */
  logDir?: string;
  /** Locust executable; defaults to `<repo>/.venv/bin/locust`. */
  locustBin?: string;
  /** How long to wait for the master to answer and the workers to connect (default 60 s). */
  readyTimeoutMs?: number;
}

export interface LocustCluster {
  /** Master web UI, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** Port the master binds for workers (127.0.0.1). */
  readonly masterBindPort: number;
  readonly logDir: string;
  /** Worker processes currently alive. */
  readonly workerProcesses: number;
  /** Process ids of the live workers, oldest first (tests pause one with SIGSTOP to starve it). */
  readonly workerPids: number[];
  /** Start or stop worker processes until `n` run, then wait until the master counts exactly `n`. */
  setWorkers(n: number): Promise<void>;
  /**
   * Stop the master gracefully (it tells the workers to quit), start a new one on the same ports, and
   * restart the same number of workers. Counters start at zero and `/conductor/kpi` shows a new bootId.
   */
  restartMaster(): Promise<void>;
  /** Kill master and workers (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
}

const POLL_MS = 200;
const GRACE_MS = 8_000;

function tail(file: string, bytes = 3_000): string {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file, 'utf8');
    return size > bytes ? `…${text.slice(-bytes)}` : text;
  } catch {
    return '(no log)';
  }
}

/** Children that failed to spawn (ENOENT, EACCES): they never emit 'exit'. */
const spawnErrors = new WeakMap<ChildProcess, Error>();

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || spawnErrors.has(child);
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolveExit(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolveExit(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM (Locust shuts down gracefully), then SIGKILL after `graceMs`. */
async function terminate(children: ChildProcess[], graceMs = GRACE_MS): Promise<void> {
  for (const child of children) if (!exited(child)) child.kill('SIGTERM');
  await Promise.all(
    children.map(async (child) => {
      if (!(await waitForExit(child, graceMs))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }),
  );
}

async function workerCountOf(url: string): Promise<number | undefined> {
  try {
    const res = await request(`${url}/worker-count`, { headersTimeout: 2_000, bodyTimeout: 2_000 });
    if (res.statusCode !== 200) {
      await res.body.dump();
      return undefined;
    }
    const body = (await res.body.json()) as { worker_count?: unknown };
    return typeof body.worker_count === 'number' ? body.worker_count : undefined;
  } catch {
    return undefined;
  }
}

export async function startLocustCluster(opts: LocustClusterOptions): Promise<LocustCluster> {
  const locustBin = opts.locustBin ?? DEFAULT_LOCUST_BIN;
  if (!existsSync(locustBin)) {
    throw new Error(
      `Locust not found at ${locustBin}: run \`npm run setup\` (scripts/setup-python.sh) first`,
    );
  }
  const scenario = resolve(REPO_ROOT, opts.scenario);
  if (!existsSync(scenario)) throw new Error(`Locust scenario not found: ${scenario}`);
  if (!Number.isInteger(opts.workers) || opts.workers < 0) {
    throw new Error(`workers must be a non-negative integer, got ${opts.workers}`);
  }
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const logDir = opts.logDir ?? mkdtempSync(join(tmpdir(), 'ltc-locust-'));
  mkdirSync(logDir, { recursive: true });

  const webPort = opts.webPort ?? (await freePort());
  let masterBindPort = await freePort();
  while (masterBindPort === webPort) masterBindPort = await freePort();
  const url = `http://127.0.0.1:${webPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONUNBUFFERED: '1',
    LTC_EXIT_WITH_PARENT: String(process.pid),
    ...opts.env,
  };

  let master: ChildProcess | undefined;
  const workers: ChildProcess[] = [];
  let workerSeq = 0;
  let stopped = false;
  let lifecycle: Promise<unknown> = Promise.resolve();

  const launch = (name: string, args: string[]): ChildProcess => {
    const logFile = join(logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    try {
      const child = spawn(locustBin, ['-f', scenario, '--host', opts.host, ...args], {
        cwd: REPO_ROOT,
        env,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
      killWithThisProcess(child);
      child.once('error', (err) => {
        spawnErrors.set(child, err);
        child.emit('exit', null, null);
      });
      return child;
    } finally {
      closeSync(fd);
    }
  };

  const masterLog = join(logDir, 'master.log');

  const startMaster = (): ChildProcess =>
    launch('master', [
      '--master',
      ...(opts.classPicker ? ['--class-picker'] : []),
      '--master-bind-host',
      '127.0.0.1',
      '--master-bind-port',
      String(masterBindPort),
      '--web-host',
      '127.0.0.1',
      '--web-port',
      String(webPort),
    ]);

  const startWorker = (): ChildProcess => {
    workerSeq += 1;
    const child = launch(`worker-${workerSeq}`, [
      '--worker',
      '--master-host',
      '127.0.0.1',
      '--master-port',
      String(masterBindPort),
    ]);
    workers.push(child);
    child.once('exit', () => {
      const i = workers.indexOf(child);
      if (i >= 0) workers.splice(i, 1);
    });
    return child;
  };

  /** Poll the master until `done(workerCount)`; fail fast when the master dies. */
  const waitFor = async (what: string, done: (workerCount: number) => boolean): Promise<void> => {
    const deadline = Date.now() + readyTimeoutMs;
    let last: number | undefined;
    while (Date.now() < deadline) {
      if (stopped) throw new Error('Locust cluster was stopped');
      if (!master || exited(master)) {
        const why =
          master && spawnErrors.has(master) ? spawnErrors.get(master)?.message : `code ${master?.exitCode}`;
        throw new Error(`Locust master exited (${why}) while waiting for ${what}:\n${tail(masterLog)}`);
      }
      last = await workerCountOf(url);
      if (last !== undefined && done(last)) return;
      await sleep(POLL_MS);
    }
    throw new Error(
      `Timed out after ${readyTimeoutMs} ms waiting for ${what} (master reports ${last ?? 'nothing'} workers); logs in ${logDir}:\n${tail(masterLog)}`,
    );
  };

  const bringUp = async (n: number): Promise<void> => {
    master = startMaster();
    await waitFor('the master web UI', () => true);
    for (let i = 0; i < n; i++) startWorker();
    await waitFor(`${n} connected workers`, (count) => count >= n);
  };

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = lifecycle.then(fn, fn);
    lifecycle = next.catch(() => undefined);
    return next;
  };

  const stop = (): Promise<void> =>
    serial(async () => {
      if (stopped) return;
      stopped = true;
      await terminate([...workers, ...(master ? [master] : [])]);
      workers.length = 0;
    });

  try {
    await bringUp(opts.workers);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url,
    masterBindPort,
    logDir,
    get workerProcesses() {
      return workers.length;
    },
    get workerPids() {
      return workers.flatMap((w) => (w.pid === undefined ? [] : [w.pid]));
    },
    setWorkers: (n: number) =>
      serial(async () => {
        if (stopped) throw new Error('Locust cluster was stopped');
        if (!Number.isInteger(n) || n < 0)
          throw new Error(`workers must be a non-negative integer, got ${n}`);
        if (n > workers.length) {
          const add = n - workers.length;
          for (let i = 0; i < add; i++) startWorker();
          await waitFor(`${n} connected workers`, (count) => count >= n);
        } else if (n < workers.length) {
          // A worker that gets SIGTERM sends "quit"; the master drops it at once (not "missing").
          await terminate(workers.slice(n));
          await waitFor(`${n} connected workers`, (count) => count <= n);
        }
      }),
    restartMaster: () =>
      serial(async () => {
        if (stopped) throw new Error('Locust cluster was stopped');
        const n = workers.length;
        if (master) await terminate([master]);
        // The quitting master told its workers to quit; make sure none is left talking to the old one.
        await Promise.all(workers.map((w) => waitForExit(w, 5_000)));
        await terminate([...workers]);
        workers.length = 0;
        await bringUp(n);
      }),
    stop,
  };
}
