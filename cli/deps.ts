import { setTimeout as sleep } from 'node:timers/promises';
import { type Sfn, sdkSfn } from './sfn';

/** What `runLocal` from `local/run-local.ts` takes and returns. */
export interface RunLocalOptions {
  input: Record<string, unknown>;
  workers?: number;
  reportDir?: string;
  out?: NodeJS.WritableStream;
}
export interface RunLocalResult {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: { Error: string; Cause?: string };
  executionName: string;
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
    sfn: sdkSfn,
    sleep: (ms) => sleep(ms),
    now: () => new Date(),
    async loadRunLocal() {
      const mod = (await import(/* @vite-ignore */ RUN_LOCAL_MODULE)) as { runLocal?: RunLocal };
      if (typeof mod.runLocal !== 'function') throw new Error('local/run-local.ts does not export runLocal');
      return mod.runLocal;
    },
  };
}

/** Writes one line. */
export function println(stream: NodeJS.WritableStream, line = ''): void {
  stream.write(`${line}\n`);
}
