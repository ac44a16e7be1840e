/**
 * LTC_HEARTBEAT_LIVENESS_SECONDS, with a real Locust master and two workers: a worker paused (SIGSTOP) for
 * longer than Locust's own 3 s of heartbeats, but less than the 10 s set here, is never counted missing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocustClient } from '../../../lambdas/adapters/locust/client';
import { type LocustCluster, startLocustCluster } from '../../../local/locust-cluster';
import { type PingTarget, startPingTarget, until } from './support';

/** Past Locust's default: with 3 s of liveness the master marks a worker missing 4–5 s after its last heartbeat. */
const PAUSE_MS = 6_500;

describe('LTC_HEARTBEAT_LIVENESS_SECONDS=10', () => {
  let target: PingTarget;
  let cluster: LocustCluster;
  let locust: LocustClient;
  let pausedPid: number | undefined;

  beforeAll(async () => {
    target = await startPingTarget();
    cluster = await startLocustCluster({
      scenario: 'test/e2e/locust/freeze_on_spawn.py',
      host: target.url,
      workers: 2,
      env: { LTC_HEARTBEAT_LIVENESS_SECONDS: '10' },
    });
    locust = new LocustClient({ baseUrl: cluster.url, timeoutMs: 5_000 });
  });

  afterAll(async () => {
    if (pausedPid !== undefined) process.kill(pausedPid, 'SIGCONT');
    await cluster?.stop();
    await target?.close();
  });

  it('keeps a worker paused for 6.5 s counted, with its users', async () => {
    await locust.swarm({ userCount: 4, spawnRate: 100 });
    await until(
      '4 users running',
      () => locust.kpi(),
      (k) => k.state === 'running' && k.userCount === 4,
    );

    pausedPid = cluster.workerPids[1];
    if (pausedPid === undefined) throw new Error('no second worker');
    process.kill(pausedPid, 'SIGSTOP');
    const workerCounts = new Set<number>();
    const resumeAt = Date.now() + PAUSE_MS;
    while (Date.now() < resumeAt) {
      workerCounts.add((await locust.kpi()).workers);
      await sleep(250);
    }
    process.kill(pausedPid, 'SIGCONT');
    pausedPid = undefined;

    expect([...workerCounts]).toEqual([2]);
    const kpi = await until(
      'the paused worker to run its users again',
      async () => ({ kpi: await locust.kpi(), pinging: target.usersPingingWithin(1_500) }),
      (seen) => seen.pinging === 4,
      10_000,
    );
    expect(kpi.kpi).toMatchObject({ workers: 2, userCount: 4 });
    expect(readFileSync(join(cluster.logDir, 'master.log'), 'utf8')).not.toContain(
      'setting state to missing',
    );
  });
});
