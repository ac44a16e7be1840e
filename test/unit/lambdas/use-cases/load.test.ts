import { describe, expect, it } from 'vitest';
import type { LocustClient, LocustKpi, LocustStats } from '../../../../lambdas/adapters/locust/client';
import { readLocust } from '../../../../lambdas/use-cases/load';

// A hand-written stand-in for the master's two routes (the e2e tier reads a real Locust).
const kpi: LocustKpi = {
  bootId: 'b1',
  generation: 3,
  orders: 420,
  orderFailures: 2,
  state: 'running',
  workers: 3,
  userCount: 150,
  timestamp: 1_700_000_000,
  settled: { through: 1_699_999_997, orders: 401 },
};
const worker = (id: string, state: 'running' | 'missing', cpuUsage: number | null) => ({
  id,
  state,
  userCount: 50,
  cpuUsage,
  memoryUsage: null,
});
const stats = {
  state: 'running',
  userCount: 150,
  workerCount: 2,
  workers: [worker('a', 'running', 91.5), worker('b', 'running', null), worker('c', 'missing', 99)],
  failRatio: 0,
  entries: [],
  aggregated: { numRequests: 2500, numFailures: 7 },
  errors: [],
} as unknown as LocustStats;
const locust = { kpi: async () => kpi, stats: async () => stats } as unknown as LocustClient;

describe('readLocust', () => {
  it('builds the controller’s reading, with the CPU of each connected worker that reports one', async () => {
    const { observation } = await readLocust(locust, new Date(60_000));
    expect(observation).toEqual({
      at: 60_000,
      orders: 420,
      settled: { at: 1_699_999_997_000, orders: 401 },
      requests: 2500,
      failures: 7,
      users: 150,
      workers: 3,
      workerCpuPercent: [91.5],
      bootId: 'b1',
      generation: 3,
      running: true,
    });
  });
});
