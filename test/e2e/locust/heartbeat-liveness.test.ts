/**
 * LTC_HEARTBEAT_LIVENESS_SECONDS, with a real Locust master and two workers: a worker paused (SIGSTOP) for
 * longer than Locust's own 3 s of heartbeats, but less than the 10 s set here, is never counted missing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FreezeCluster, startFreezeCluster, until } from '../../support/locust-cluster';

/** Past Locust's default: with 3 s of liveness the master marks a worker missing 4–5 s after its last heartbeat. */
const PAUSE_MS = 6_500;

describe('LTC_HEARTBEAT_LIVENESS_SECONDS=10', () => {
  let freeze: FreezeCluster;

  beforeAll(async () => {
    freeze = await startFreezeCluster({ LTC_HEARTBEAT_LIVENESS_SECONDS: '10' });
  });

  afterAll(async () => {
    await freeze?.stop();
  });

  it('keeps a worker paused for 6.5 s counted, with its users', async () => {
    const { locust, target, cluster } = freeze;
    await locust.swarm({ userCount: 4, spawnRate: 100 });
    await until(
      '4 users running',
      () => locust.kpi(),
      (k) => k.state === 'running' && k.userCount === 4,
    );

    const pausedPid = cluster.workerPids[1];
    if (pausedPid === undefined) throw new Error('no second worker');
    freeze.pause(pausedPid);
    const workerCounts = new Set<number>();
    const resumeAt = Date.now() + PAUSE_MS;
    while (Date.now() < resumeAt) {
      workerCounts.add((await locust.kpi()).workers);
      await sleep(250);
    }
    freeze.resume(pausedPid);

    expect([...workerCounts]).toEqual([2]);
    const kpi = await until(
      'the paused worker to run its users again',
      async () => ({ kpi: await locust.kpi(), pinging: target.usersPingingWithin(1_500) }),
      (seen) => seen.pinging === 4,
      10_000,
    );
    expect(kpi.kpi).toMatchObject({ workers: 2, userCount: 4 });
    expect(freeze.masterLog()).not.toContain('setting state to missing');
  });
});
