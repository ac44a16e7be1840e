/**
 * Locust 2.47's own self-heal on a heartbeat, with a real master and two real workers: a worker counted missing
 * whose heartbeat comes back is put back into the user dispatcher, but the users are redistributed only if the
 * master is "running". After a `/swarm` the master stays "spawning" until every worker has reported its users
 * (at most 1 s), and a worker healed in that second keeps the users it had before it went missing, on top of the
 * target the others were just given, until the next `/swarm`.
 *
 * The window is held open on purpose: the worker left running freezes itself in the middle of the new spawn
 * (freeze_on_spawn.py), as a second starved worker would, so the master waits its whole second for the reports
 * while the missing worker is resumed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FreezeCluster, startFreezeCluster, until, usersSeen } from '../../support/locust-cluster';

describe('a missing worker healed by its heartbeat while the master is still spawning', () => {
  let freeze: FreezeCluster;

  beforeAll(async () => {
    freeze = await startFreezeCluster();
  });

  afterAll(async () => {
    await freeze?.stop();
  });

  it('ends with the target users running, not the target plus the healed worker’s old users', async () => {
    const { locust, target, cluster } = freeze;
    await locust.swarm({ userCount: 4, spawnRate: 100 });
    await until(
      '4 users running',
      () => usersSeen(locust, target),
      (u) => u.master === 4 && u.pinging === 4,
    );

    const missingPid = cluster.workerPids[1];
    if (missingPid === undefined) throw new Error('no second worker');
    freeze.pause(missingPid);
    await until(
      'the master to count the paused worker missing',
      () => locust.kpi(),
      (k) => k.workers === 1,
      15_000,
    );

    // The other worker claims the arm and freezes in the middle of the new spawn: the master waits for its report.
    const frozenPid = await freeze.swarmFreezingOneWorker(6, { timeoutMs: 5_000, pollMs: 20 });
    freeze.resume(missingPid); // its overdue heartbeat reaches the master while it is "spawning"
    await until(
      'the master to give up waiting for reports',
      () => locust.kpi(),
      (k) => k.state === 'running',
      5_000,
      50,
    );
    freeze.resume(frozenPid);

    const settled = await until(
      'master and running users to settle on 6',
      () => usersSeen(locust, target),
      (u) => u.master === 6 && u.pinging === 6,
      8_000,
    );
    expect(settled.kpi).toMatchObject({ state: 'running', workers: 2 });
    await sleep(3_500); // past a worker report (every 3 s)
    const later = await usersSeen(locust, target);
    expect({ master: later.master, pinging: later.pinging }).toEqual({ master: 6, pinging: 6 });

    // The scenario really happened: the heal came after the dispatch of 6 and before the master gave up waiting.
    const log = freeze.masterLog();
    const dispatched = log.indexOf('Sending spawn jobs of 6 users');
    const healed = log.indexOf('self-healed with heartbeat');
    const gaveUp = log.indexOf('Spawning is complete and report waittime is expired', dispatched);
    expect(dispatched).toBeGreaterThan(-1);
    expect(healed).toBeGreaterThan(dispatched);
    expect(gaveUp).toBeGreaterThan(healed);
    expect(log).toContain('self-healed while the master was spawning: users owe a redistribution');
  });
});
