import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A child process for the local environment and the e2e tests: its own process group (so stopping it also
 * stops what it forked), its recent output kept for error messages, and stopped for sure when this process
 * exits or dies of a signal.
 */

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last ~64 KiB of stdout and stderr. */
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects if the process exits or time runs out. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const killersOnSignal = new Set<() => void>();
let signalHookInstalled = false;

/**
 * Calls `killNow` when this process is about to die of SIGINT, SIGTERM or SIGHUP, then lets the signal end it.
 * The children run in process groups of their own, so a terminal's Ctrl-C reaches only this process: without
 * this hook they would outlive it. A process whose owner handles the signal (`ltc local` stops the run, then
 * its servers) is left to do so. Returns the function that removes `killNow` again.
 */
export function killOnTerminatingSignal(killNow: () => void): () => void {
  killersOnSignal.add(killNow);
  if (!signalHookInstalled) {
    signalHookInstalled = true;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = (): void => {
        if (process.listenerCount(signal) > 1) return;
        for (const kill of killersOnSignal) kill();
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      };
      process.on(signal, onSignal);
    }
  }
  return () => killersOnSignal.delete(killNow);
}

const childrenOfThisProcess = new Set<ChildProcess>();
let childHooksInstalled = false;

/**
 * For a child spawned in a process group of its own outside {@link startProcess} (Locust, moto): SIGKILLed
 * synchronously when this process exits or dies of a signal, unless it exited first.
 */
export function killWithThisProcess(child: ChildProcess): void {
  if (!childHooksInstalled) {
    childHooksInstalled = true;
    const killAll = (): void => {
      for (const c of childrenOfThisProcess) {
        try {
          c.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
      childrenOfThisProcess.clear();
    };
    process.on('exit', killAll);
    killOnTerminatingSignal(killAll);
  }
  childrenOfThisProcess.add(child);
  child.once('exit', () => childrenOfThisProcess.delete(child));
}

const OUTPUT_LIMIT = 64 * 1024;

/** Node 24 (this process if it is one, else the repo's node_modules/.bin/node) with the tsx loader. */
export function tsxCommand(): { command: string; args: string[] } {
  const major = Number(process.versions.node.split('.')[0]);
  const command = major >= 24 ? process.execPath : `${REPO_ROOT}node_modules/.bin/node`;
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { command, args: ['--import', loader] };
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ManagedProcess {
  const child = spawn(command, args, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: stop() reaches the workers it forks too
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  let output = '';
  const lineListeners = new Set<(line: string) => void>();
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-OUTPUT_LIMIT);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) for (const listener of lineListeners) listener(line);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const onParentExit = () => killGroup('SIGKILL');
  process.on('exit', onParentExit);
  const forgetOnSignal = killOnTerminatingSignal(onParentExit);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('exit', onParentExit);
      forgetOnSignal();
      killGroup('SIGKILL'); // anything it left behind in its group
      resolve({ code, signal });
    });
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const describeExit = (e: { code: number | null; signal: string | null }) =>
    `${name} exited (code ${e.code}, signal ${e.signal}) before it was ready. Output:\n${output}`;

  return {
    name,
    pid,
    child,
    exited,
    output: () => output,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          lineListeners.delete(onLine);
        };
        const onLine = (line: string) => {
          const m = line.match(pattern);
          if (m) {
            done();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms. Output:\n${output}`));
        }, timeoutMs);
        lineListeners.add(onLine);
        for (const line of output.split('\n')) onLine(line);
        void exited.then((e) => {
          if (lineListeners.has(onLine)) {
            done();
            reject(new Error(describeExit(e)));
          }
        });
      });
    },
    async stop(graceMs = 5000) {
      if (hasExited) return;
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Poll `check` until it returns true; fails early if `proc` exits. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; proc?: ManagedProcess },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let exited: { code: number | null; signal: string | null } | undefined;
  void opts.proc?.exited.then((e) => {
    exited = e;
  });
  let lastError = '';
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(
        `${what}: ${opts.proc?.name} exited (code ${exited.code}, signal ${exited.signal}). Output:\n${opts.proc?.output()}`,
      );
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  throw new Error(
    `${what}: not ready within ${opts.timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}` +
      (opts.proc ? `. Output:\n${opts.proc.output()}` : ''),
  );
}
