/** Helpers shared by the Locust e2e tests. */
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `read` every 500 ms until `ok` holds, and returns that value. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await sleep(500);
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
