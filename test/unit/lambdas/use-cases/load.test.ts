import { describe, expect, it } from 'vitest';
import type { LocustClient, LocustKpi, LocustStats } from '../../../../lambdas/adapters/locust/client';
import type { RunContext } from '../../../../lambdas/core/run-context';
import { controllerConfig, readLocust } from '../../../../lambdas/use-cases/load';

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

describe('controllerConfig', () => {
  const run = {
    request: { targetOrdersPerMinute: 600, rampUpMinutes: 5, plateauMinutes: 10, tickSeconds: 30 },
    environment: {
      locust: {
        url: 'http://locust.test:8089',
        initialOrdersPerUserPerMinute: 2,
        maxUsers: 1000,
        usersPerWorker: 500,
      },
    },
  } as unknown as RunContext;

  it('reads the requests as the ordering users’ pace only when every user of the scenario orders', () => {
    expect(controllerConfig(run, 1)).toMatchObject({
      initialOrdersPerUserPerMinute: 2,
      everyUserOrders: true,
    });
    // A mix: browsers keep their pace past a knee of the order path; the prior is the share that orders.
    expect(controllerConfig(run, 0.25)).toMatchObject({
      initialOrdersPerUserPerMinute: 0.5,
      everyUserOrders: false,
    });
    // The master's own selection: the mix is unknown.
    expect(controllerConfig(run)).toMatchObject({ initialOrdersPerUserPerMinute: 2, everyUserOrders: false });
  });
});
