import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Bucket, sdkS3 } from './s3';
import { type Sfn, sdkSfn } from './sfn';

/** What `runLocal` from `local/run-local.ts` takes and returns. */
export interface RunLocalOptions {
  input: Record<string, unknown>;
  workers?: number;
  reportDir?: string;
  out?: NodeJS.WritableStream;
  /** Aborted on the first interruption: stop the run as "Stop execution" does, the janitor cleans up. */
  interrupt?: AbortSignal;
  /** Aborted on a second interruption: skip to stopping the servers. */
  shutdown?: AbortSignal;
}
export interface RunLocalResult {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: { Error: string; Cause?: string };
  executionName: string;
  /** The HTML report, when one was written. */
  reportPath?: string;
  /** Set when the run was interrupted: the signal, and what the janitor did (null: it did not run). */
  interrupted?: { signal: string; janitor: { message: string } | null };
}
export type RunLocal = (options: RunLocalOptions) => Promise<RunLocalResult>;

/** Everything a command touches outside itself, so unit tests need no network, clock or terminal. */
export interface CliDeps {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths (`--input`, `--config`, `--report-dir`) are resolved against this. */
  readonly cwd: string;
  sfn(region: string): Sfn;
  s3(region: string): Bucket;
  /** `--input -`: all of standard input, as text. */
  readStdin(): string;
  /**
   * Calls `handler` on each Ctrl-C (SIGINT; with `alsoSigterm`, each SIGTERM too) until the returned function
   * is called; while it is installed, those signals do not end the process.
   */
  onInterrupt(handler: (signal: NodeJS.Signals) => void, alsoSigterm?: boolean): () => void;
  /** Opens a file with the desktop's viewer (`ltc report --open`). */
  open(path: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): Date;
  /** Loads the local runner on demand: it pulls in servers and the interpreter, which other commands never need. */
  loadRunLocal(): Promise<RunLocal>;
}

/**
 * Loaded by a computed specifier so that the rest of the CLI neither waits
 * for nor depends on the local runner's (large) import graph.
 */
const RUN_LOCAL_MODULE = '../local/run-local';

export function defaultDeps(): CliDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    sfn: (region) => sdkSfn(region, process.env),
    s3: (region) => sdkS3(region, process.env),
    readStdin: () => readFileSync(0, 'utf8'),
    onInterrupt(handler, alsoSigterm = false) {
      const signals: NodeJS.Signals[] = alsoSigterm ? ['SIGINT', 'SIGTERM'] : ['SIGINT'];
      for (const signal of signals) process.on(signal, handler);
      return () => {
        for (const signal of signals) process.off(signal, handler);
      };
    },
    open: openWithViewer,
    sleep: (ms) => sleep(ms),
    now: () => new Date(),
    async loadRunLocal() {
      const mod = (await import(/* @vite-ignore */ RUN_LOCAL_MODULE)) as { runLocal?: RunLocal };
      if (typeof mod.runLocal !== 'function') throw new Error('local/run-local.ts does not export runLocal');
      return mod.runLocal;
    },
  };
}

/** The platform's "open this file" command. */
function openWithViewer(path: string): Promise<void> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [path]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', path]]
        : ['xdg-open', [path]];
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', (err) => fail(new Error(`cannot open ${path} with ${command}: ${err.message}`)));
    child.once('spawn', () => {
      child.unref();
      done();
    });
  });
}

export { println } from './output';
