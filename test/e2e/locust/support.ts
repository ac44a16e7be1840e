/** Helpers shared by the Locust e2e tests. */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocustClient, LocustKpi } from '../../../lambdas/adapters/locust/client';

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

export async function startPingTarget(): Promise<PingTarget> {
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
export function readPid(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}
