import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RELAYED_SIGNAL_MS } from '../../../cli/commands/local';
import { readShopShape } from '../../../local/demo-shop';
import { DEMO_TEST_REPLICAS } from '../../../local/environment';
import { REPO_ROOT, tsxCommand } from '../../../local/managed-process';

/**
 * `ltc local` as a person runs it, interrupted as a terminal interrupts it: the signal goes to its whole
 * process group. Every process it starts inherits a marker in its environment, so that any left behind is
 * found in /proc after it exits.
 */
const MARKER = 'LTC_INTERRUPTION_TEST';

/** Processes whose environment carries `marker` (this machine's /proc; other users' are unreadable). */
function processesMarked(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(join('/proc', entry, 'environ'), 'utf8');
      if (environ.split('\0').includes(`${MARKER}=${marker}`)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found;
}

interface LocalRun {
  readonly child: ChildProcess;
  readonly marker: string;
  /** stdout and stderr, as printed so far. */
  output(): string;
  /** Resolves with the first output line matching `pattern`. */
  line(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to the run's process group, as a terminal's Ctrl-C does. */
  signal(signal: NodeJS.Signals): void;
}

/**
 * `ltc local` with `args`; `viaNpm` runs it as `npm run ltc -- local …`, as a person does (npm, a shell and tsx
 * then stand between the terminal and ltc, each seeing the group's signal too).
 */
function startLtcLocal(args: string[], env: NodeJS.ProcessEnv = {}, viaNpm = false): LocalRun {
  const marker = randomUUID();
  const tsx = tsxCommand();
  const [command, argv] = viaNpm
    ? ['npm', ['run', '--silent', 'ltc', '--', 'local', ...args]]
    : [tsx.command, [...tsx.args, join(REPO_ROOT, 'cli/bin/ltc.ts'), 'local', ...args]];
  const child = spawn(command, argv, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, [MARKER]: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const w of [...waiters]) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    marker,
    output: () => output,
    exited,
    signal: (signal) => process.kill(-(child.pid as number), signal),
    line: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          for (const l of output.split('\n')) {
            const m = l.match(pattern);
            if (m) {
              done();
              resolve(m);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        void exited.then(() => {
          if (waiters.has(check)) {
            done();
            reject(new Error(`ltc local exited before printing ${pattern}:\n${output}`));
          }
        });
        check();
      }),
  };
}

const RUN = ['--target', '600', '--ramp-up', '1', '--plateau', '1', '--tick', '5', '--workers', '1'];

/** Starts a run and resolves once its first ramp tick is printed, with the test shop's admin URL. */
async function midRamp(run: LocalRun): Promise<{ adminUrl: string; replicasMidRamp: number }> {
  const [, adminUrl] = await run.line(/^ {2}shop \S+ \(admin (\S+)\)/, 120_000);
  await run.line(/^ {2}tick +1 /, 120_000);
  const { replicas } = await readShopShape(adminUrl as string);
  return { adminUrl: adminUrl as string, replicasMidRamp: replicas };
}

/** The run's processes still there after `timeoutMs` (those killed at the very end take a moment to go). */
async function noProcessLeft(marker: string, timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (processesMarked(marker).length > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 250));
  return processesMarked(marker);
}

describe('ltc local interrupted', () => {
  it('Ctrl-C mid-ramp: the janitor stops the load, restores the shop and releases the lock, then every server stops', async () => {
    const run = startLtcLocal(RUN, {}, true);
    const { adminUrl, replicasMidRamp } = await midRamp(run);
    expect(replicasMidRamp).toBe(3); // scaled to production size for the test
    run.signal('SIGINT');
    const exit = await run.exited;
    // npm may die of the signal itself while ltc cleans up: the run is over when its last process is.
    expect(await noProcessLeft(run.marker, 120_000)).toEqual([]);
    const out = run.output();
    expect(exit.code === 130 || exit.signal === 'SIGINT', JSON.stringify(exit)).toBe(true);
    expect(out).toMatch(/^ABORTED: interrupted by SIGINT$/m);
    expect(out).toMatch(/^■ Interrupted \(SIGINT\): the execution stopped as "Stop execution"/m);
    const janitor = out.match(/^✓ Janitor +(.*)$/m)?.[1];
    expect(janitor, out).toMatch(/^lock was still held; Locust stopped; restored shop; .*lock released$/);
    // Read from the shop after the janitor, before the servers stopped: back at the size it was found at.
    expect(out).toMatch(new RegExp(`^ {2}shop now +2\\.4\\.0 × ${DEMO_TEST_REPLICAS}$`, 'm'));
    expect(out).toMatch(/^Stopped the local servers\.$/m);
    await expect(fetch(`${adminUrl}/_conductor/shape`)).rejects.toThrow();
  });

  it('a second SIGTERM skips the janitor and still stops every server', async () => {
    const run = startLtcLocal(RUN);
    await midRamp(run);
    run.signal('SIGTERM');
    await run.line(/^SIGTERM: stopping the run/, 10_000);
    // Later than a relayed copy of the first would come: this one is a second interrupt.
    await new Promise((r) => setTimeout(r, RELAYED_SIGNAL_MS));
    run.signal('SIGTERM');
    const exit = await run.exited;
    const out = run.output();
    expect(exit, out).toEqual({ code: 130, signal: null });
    expect(out).toMatch(/^SIGTERM again: skipping the clean-up, stopping the servers$/m);
    expect(out).toMatch(/^✗ Janitor +skipped by a second interruption/m);
    expect(await noProcessLeft(run.marker)).toEqual([]);
  });

  // A hang (the servers started beside moto keeping the process alive) fails by this test's timeout.
  it('a start-up failure exits with its message and leaves nothing running', {
    timeout: 90_000,
  }, async () => {
    const run = startLtcLocal(RUN, { LTC_MOTO_SERVER: '/nonexistent/moto_server' });
    const exit = await run.exited;
    const out = run.output();
    expect(exit.code, out).not.toBe(0);
    expect(out).toContain('moto_server is not installed: /nonexistent/moto_server is missing');
    expect(await noProcessLeft(run.marker)).toEqual([]);
  });

  it('a process with no handler of its own that dies of SIGINT takes its servers (own process groups) with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ltc-signal-'));
    const script = join(dir, 'owner.ts');
    const managed = pathToFileURL(join(REPO_ROOT, 'local/managed-process.ts')).href;
    writeFileSync(
      script,
      `import { startProcess } from '${managed}';\n` +
        `startProcess('sleeper', 'sleep', ['300']);\nconsole.log('started');\nsetInterval(() => {}, 1000);\n`,
    );
    const marker = randomUUID();
    const tsx = tsxCommand();
    const owner = spawn(tsx.command, [...tsx.args, script], {
      env: { ...process.env, [MARKER]: marker },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) =>
      owner.stdout?.on('data', (d: Buffer) => d.includes('started') && resolve()),
    );
    const command = (pid: number) => readFileSync(join('/proc', String(pid), 'comm'), 'utf8').trim();
    expect(processesMarked(marker).map(command)).toContain('sleep');
    const exited = new Promise((resolve) => owner.once('exit', (code, signal) => resolve({ code, signal })));
    owner.kill('SIGINT');
    expect(await exited).toEqual({ code: null, signal: 'SIGINT' });
    expect(await noProcessLeft(marker)).toEqual([]);
  });
});
