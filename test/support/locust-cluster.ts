/** Helpers shared by the Locust e2e tests. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocustClient, type LocustKpi } from '../../lambdas/adapters/locust/client';
import { type LocustCluster, startLocustCluster } from '../../local/locust-cluster';

/** Polls `read` every `pollMs` until `ok` holds, and returns that value. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
  pollMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await sleep(pollMs);
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** Loopback target of freeze_on_spawn.py: every user pings `/ping/<user id>`, so users really running can be counted. */
export interface PingTarget {
  readonly url: string;
  /** Distinct users that pinged within the last `windowMs` (each running user pings twice a second). */
  usersPingingWithin(windowMs: number): number;
  close(): Promise<void>;
}

async function startPingTarget(): Promise<PingTarget> {
  const lastPing = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const user = /^\/ping\/([0-9a-f]+)$/.exec(req.url ?? '')?.[1];
    if (user) lastPing.set(user, Date.now());
    res.writeHead(user ? 204 : 404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    usersPingingWithin(windowMs) {
      const since = Date.now() - windowMs;
      let users = 0;
      for (const at of lastPing.values()) if (at >= since) users += 1;
      return users;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface UsersSeen {
  readonly master: number;
  readonly pinging: number;
  readonly kpi: LocustKpi;
}

/** The master's user count next to the users that really pinged within the last 1.5 s. */
export async function usersSeen(locust: LocustClient, target: PingTarget): Promise<UsersSeen> {
  const kpi = await locust.kpi();
  return { master: kpi.userCount, pinging: target.usersPingingWithin(1_500), kpi };
}

/** The pid freeze_on_spawn.py wrote to `file`, or '' while there is none. */
function readPid(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

/**
 * A ping target and a Locust master with two workers running freeze_on_spawn.py, with what the lost-worker tests
 * do to them. Workers still paused when the test ends are resumed first, so `stop()` can end them gracefully.
 */
export interface FreezeCluster {
  readonly target: PingTarget;
  readonly cluster: LocustCluster;
  readonly locust: LocustClient;
  /** SIGSTOP: the worker sends nothing, heartbeats included, until resumed. */
  pause(pid: number): void;
  resume(pid: number): void;
  /**
   * Arms the scenario and swarms `userCount`: the first worker to create a user stops itself in the middle of
   * the spawn. Resolves to its pid (paused, as far as `resume` and `stop` are concerned).
   */
  swarmFreezingOneWorker(userCount: number, wait?: { timeoutMs?: number; pollMs?: number }): Promise<number>;
  masterLog(): string;
  stop(): Promise<void>;
}

export async function startFreezeCluster(env: Readonly<Record<string, string>> = {}): Promise<FreezeCluster> {
  const target = await startPingTarget();
  const logDir = mkdtempSync(join(tmpdir(), 'ltc-freeze-cluster-'));
  const arm = join(logDir, 'freeze-arm');
  const cluster = await startLocustCluster({
    scenario: 'test/support/freeze_on_spawn.py',
    host: target.url,
    workers: 2,
    logDir,
    env: { ...env, LTC_TEST_FREEZE_ARM: arm },
  });
  const locust = new LocustClient({ baseUrl: cluster.url, timeoutMs: 5_000 });
  const paused = new Set<number>();
  const resume = (pid: number) => {
    process.kill(pid, 'SIGCONT');
    paused.delete(pid);
  };
  return {
    target,
    cluster,
    locust,
    pause(pid) {
      process.kill(pid, 'SIGSTOP');
      paused.add(pid);
    },
    resume,
    async swarmFreezingOneWorker(userCount, { timeoutMs = 30_000, pollMs = 500 } = {}) {
      writeFileSync(arm, '');
      await locust.swarm({ userCount, spawnRate: 100 });
      const pid = Number(
        await until(
          'a worker to freeze',
          async () => readPid(`${arm}.pid`),
          (p) => p !== '',
          timeoutMs,
          pollMs,
        ),
      );
      paused.add(pid);
      return pid;
    },
    masterLog: () => readFileSync(join(logDir, 'master.log'), 'utf8'),
    async stop() {
      for (const pid of paused) resume(pid);
      await cluster.stop();
      await target.close();
    },
  };
}
