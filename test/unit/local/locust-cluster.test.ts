import { describe, expect, it } from 'vitest';
import { startLocustCluster } from '../../../local/locust-cluster';
import { freePort } from '../../../local/ports';

describe('startLocustCluster argument checks (nothing is spawned)', () => {
  it('says how to install Locust when the venv is missing', async () => {
    await expect(
      startLocustCluster({
        scenario: 'locust/scenarios/checkout.py',
        host: 'http://127.0.0.1:1',
        workers: 1,
        locustBin: '/nonexistent/.venv/bin/locust',
      }),
    ).rejects.toThrow(/npm run setup/);
  });

  it('rejects a missing scenario and a bad worker count', async () => {
    await expect(
      startLocustCluster({
        scenario: 'locust/scenarios/nope.py',
        host: 'http://127.0.0.1:1',
        workers: 1,
        locustBin: '/bin/true',
      }),
    ).rejects.toThrow(/scenario not found/);
    await expect(
      startLocustCluster({
        scenario: 'locust/scenarios/checkout.py',
        host: 'http://127.0.0.1:1',
        workers: -1,
        locustBin: '/bin/true',
      }),
    ).rejects.toThrow(/non-negative integer/);
  });

  it('finds free loopback ports', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    expect(port).toBeLessThan(65536);
  });
});
