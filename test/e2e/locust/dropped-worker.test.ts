/**
 * The Locust 2.47 bug `locust/conductor_plugin.py` works around, reproduced with a real master and two real
 * workers: a worker that misses its heartbeats is set "missing" and leaves the master's user dispatcher; when its
 * next message is "spawning_complete" instead of a heartbeat, the master sets it running again but never puts it
 * back, so its users run on, uncounted by any later `/swarm`. The plugin's watcher re-admits such workers.
 *
 * An outside SIGSTOP does not reproduce it: on SIGCONT the worker's overdue heartbeat goes out first and the
 * master self-heals. So the scenario (freeze_on_spawn.py) stops its own worker in the middle of a spawn.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FreezeCluster, startFreezeCluster, until, usersSeen } from '../../support/locust-cluster';

describe('a worker dropped by the master and back with "spawning_complete"', () => {
  let freeze: FreezeCluster;

  beforeAll(async () => {
    freeze = await startFreezeCluster();
  });

  afterAll(async () => {
    await freeze?.stop();
  });

  it('is put back into the dispatcher, so a later /swarm counts its users', async () => {
    const { locust, target } = freeze;
    await locust.swarm({ userCount: 4, spawnRate: 100 });
    await until(
      '4 users running',
      () => usersSeen(locust, target),
      (u) => u.master === 4 && u.pinging === 4,
    );

    // The next spawn freezes one worker in the middle of it, until the master counts it missing.
    const frozenPid = await freeze.swarmFreezingOneWorker(8);
    await until(
      'the master to count the frozen worker missing',
      () => locust.kpi(),
      (k) => k.workers === 1,
      15_000,
    );
    freeze.resume(frozenPid);
    await until(
      'both workers back',
      () => locust.kpi(),
      (k) => k.workers === 2,
    );

    await locust.swarm({ userCount: 2, spawnRate: 100 });
    const settled = await until(
      'master and running users to come down to 2',
      () => usersSeen(locust, target),
      (u) => u.master === 2 && u.pinging === 2,
      10_000,
    );
    expect(settled.kpi.state).toBe('running');
    await sleep(2_000);
    const later = await usersSeen(locust, target);
    expect({ master: later.master, pinging: later.pinging }).toEqual({ master: 2, pinging: 2 });

    const log = freeze.masterLog();
    // The bug's own sequence happened (missing, no heartbeat self-heal) and the plugin repaired it.
    expect(log).toContain('failed to send heartbeat, setting state to missing');
    expect(log).not.toContain('self-healed with heartbeat');
    expect(log).toMatch(/was running outside the user dispatcher: readmitted/);
  });
});
