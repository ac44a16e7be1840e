/**
 * A real Locust 2.47 master + 2 workers (from .venv) run locust/scenarios/checkout.py against a tiny loopback
 * shop started here, and are driven through the TS client exactly as the conductor's Lambdas drive them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entryCounts,
  LocustClient,
  type LocustKpi,
  type LocustStats,
} from '../../../lambdas/adapters/locust/client';
import { type LocustCluster, startLocustCluster } from '../../../local/locust-cluster';
import { until } from '../../support/locust-cluster';

const ORDER = 'checkout: place order';

// ---------------------------------------------------------------------------------------------------------------
// A minimal stand-in for the demo shop's API, only as a load target (the real shop lives in demo-shop/).

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly loadTestHeader: string | undefined;
}

interface FakeShop {
  readonly url: string;
  readonly seen: SeenRequest[];
  ordersPlaced(): number;
  /** Orders whose response the shop sent before `epochSeconds`. */
  ordersPlacedBefore(epochSeconds: number): number;
  close(): Promise<void>;
}

async function startFakeShop(): Promise<FakeShop> {
  const products = [1, 2, 3, 4, 5].map((n) => ({ id: `p-${n}`, name: `Product ${n}`, price: n * 9.99 }));
  const carts = new Map<string, { productId: string; quantity: number }[]>();
  const checkouts = new Set<string>();
  const seen: SeenRequest[] = [];
  let seq = 0;
  let orders = 0;
  const orderSentAt: number[] = [];

  const readJson = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    let text = '';
    for await (const chunk of req) text += chunk;
    try {
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://shop').pathname;
    const method = req.method ?? 'GET';
    const header = req.headers['x-load-test'];
    seen.push({ method, path, loadTestHeader: Array.isArray(header) ? header.join(',') : header });
    const body = await readJson(req);
    const productMatch = /^\/api\/products\/([^/]+)$/.exec(path);
    const itemsMatch = /^\/api\/carts\/([^/]+)\/items$/.exec(path);

    if (method === 'GET' && path === '/api/products') return send(res, 200, products);
    if (method === 'GET' && productMatch) {
      const product = products.find((p) => p.id === productMatch[1]);
      return product ? send(res, 200, product) : send(res, 404, { error: 'no such product' });
    }
    if (method === 'POST' && path === '/api/carts') {
      const cartId = `cart-${++seq}`;
      carts.set(cartId, []);
      return send(res, 201, { cartId });
    }
    if (method === 'POST' && itemsMatch) {
      const cart = carts.get(itemsMatch[1] ?? '');
      if (!cart) return send(res, 404, { error: 'no such cart' });
      if (typeof body.productId !== 'string' || typeof body.quantity !== 'number') {
        return send(res, 400, { error: 'productId and quantity required' });
      }
      cart.push({ productId: body.productId, quantity: body.quantity });
      return send(res, 200, { cartId: itemsMatch[1], items: cart });
    }
    if (method === 'POST' && path === '/api/checkouts') {
      const cart = carts.get(String(body.cartId));
      if (!cart?.length) return send(res, 400, { error: 'empty or unknown cart' });
      const checkoutId = `co-${++seq}`;
      checkouts.add(checkoutId);
      return send(res, 201, { checkoutId, amount: cart.reduce((s, i) => s + i.quantity * 9.99, 0) });
    }
    if (method === 'POST' && path === '/api/orders') {
      if (!checkouts.delete(String(body.checkoutId))) return send(res, 400, { error: 'unknown checkout' });
      orders += 1;
      orderSentAt.push(Date.now() / 1000);
      return send(res, 201, { orderId: `order-${++seq}`, status: 'placed' });
    }
    return send(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    ordersPlaced: () => orders,
    ordersPlacedBefore: (epochSeconds) => orderSentAt.filter((t) => t < epochSeconds).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------

function locustProcessesUsing(port: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  const arg = new RegExp(`[\\s=]${port}(\\s|$)`);
  return out.split('\n').filter((line) => line.includes('locust') && arg.test(line));
}

describe('Locust cluster driven by the TS client', () => {
  let shop: FakeShop;
  let cluster: LocustCluster;
  let locust: LocustClient;
  let firstKpi: LocustKpi;

  beforeAll(async () => {
    shop = await startFakeShop();
    cluster = await startLocustCluster({
      scenario: 'locust/scenarios/checkout.py',
      host: shop.url,
      workers: 2,
      env: { LTC_PACING_SECONDS: '1' },
    });
    locust = new LocustClient({ baseUrl: cluster.url, timeoutMs: 5_000 });
  });

  afterAll(async () => {
    await cluster?.stop();
    await shop?.close();
  });

  it('starts ready with two workers and a KPI route', async () => {
    firstKpi = await locust.kpi();
    expect(firstKpi).toMatchObject({
      generation: 0,
      orders: 0,
      orderFailures: 0,
      state: 'ready',
      workers: 2,
    });
    expect(firstKpi.bootId).toMatch(/^[0-9a-f-]{36}$/);
    const stats = await locust.stats();
    expect(stats).toMatchObject({ state: 'ready', workerCount: 2, userCount: 0 });
  });

  it('swarms users and the orders counter grows; every request is marked as load test', async () => {
    await locust.swarm({ userCount: 4, spawnRate: 4 });
    const kpi = await until(
      'orders ≥ 6 while running',
      () => locust.kpi(),
      (k) => k.state === 'running' && k.orders >= 6,
    );
    expect(kpi.bootId).toBe(firstKpi.bootId);
    expect(kpi.generation).toBe(firstKpi.generation + 1); // a new test started from ready
    expect(kpi.userCount).toBe(4);
    expect(kpi.orderFailures).toBe(0);
    // The shop placed at least as many orders as Locust has heard of (workers report every 3 s).
    expect(shop.ordersPlaced()).toBeGreaterThanOrEqual(kpi.orders);

    const later = await until(
      'orders to grow',
      () => locust.kpi(),
      (k) => k.orders > kpi.orders,
    );
    expect(later.generation).toBe(kpi.generation);

    const stats = await until(
      'stats to show 4 users',
      () => locust.stats(),
      (s) => s.userCount === 4,
    );
    expect(stats.workerCount).toBe(2);
    expect(stats.workers.every((w) => w.state === 'running')).toBe(true);
    const order = entryCounts(stats, ORDER);
    expect(order?.numRequests).toBeGreaterThan(0);
    expect(stats.entries.map((e) => e.name)).toEqual(
      expect.arrayContaining(['browse: products', 'product: view', 'cart: create', 'cart: add item', ORDER]),
    );

    expect(shop.seen.length).toBeGreaterThan(20);
    const unmarked = shop.seen.filter((r) => r.loadTestHeader !== 'true');
    expect(unmarked).toEqual([]);
  });

  it("settled counts are exact per second: the orders the shop sent before `through`, whatever the workers' report phase", async () => {
    const readings: LocustKpi[] = [];
    for (let i = 0; i < 8; i++) {
      readings.push(await locust.kpi());
      await sleep(1_300);
    }
    const settled = readings.flatMap((k) => (k.settled ? [{ kpi: k, ...k.settled }] : []));
    expect(settled.length).toBeGreaterThanOrEqual(6);
    for (const { kpi, through, orders } of settled) {
      expect(Number.isInteger(through)).toBe(true);
      // Both workers report every 3 s: the settled second trails the reading by at most ~4 s.
      expect(through).toBeLessThanOrEqual(kpi.timestamp);
      expect(through).toBeGreaterThan(kpi.timestamp - 5);
      expect(orders).toBeLessThanOrEqual(kpi.orders);
      // Locust logs an order after the shop sent it (loopback: within a fraction of a second).
      expect(orders).toBeLessThanOrEqual(shop.ordersPlacedBefore(through));
      expect(orders).toBeGreaterThanOrEqual(shop.ordersPlacedBefore(through - 0.5));
    }
    const throughs = settled.map((s) => s.through);
    expect(throughs).toEqual([...throughs].sort((a, b) => a - b));
    expect(new Set(throughs).size).toBeGreaterThan(3);
  });

  it("a stats reset (a person in Locust's web UI) bumps the generation and restarts the counter", async () => {
    const before = await locust.kpi();
    const reset = await fetch(`${cluster.url}/stats/reset`, { method: 'POST' });
    expect(await reset.text()).toBe('ok');
    const after = await locust.kpi();
    expect(after.generation).toBe(before.generation + 1);
    expect(after.bootId).toBe(before.bootId);
    expect(after.orders).toBeLessThan(before.orders);
    // Counting carries on in the new generation.
    const grown = await until(
      'orders to grow after reset',
      () => locust.kpi(),
      (k) => k.orders > after.orders,
    );
    expect(grown.generation).toBe(after.generation);
  });

  it('setWorkers changes the worker count seen in stats, and users are kept', async () => {
    await cluster.setWorkers(1);
    expect(cluster.workerProcesses).toBe(1);
    const one = await until(
      'stats to show 1 worker',
      () => locust.stats(),
      (s) => s.workerCount === 1,
    );
    expect(one.workers.filter((w) => w.state !== 'missing')).toHaveLength(1);
    const kpi = await until(
      'users moved to the remaining worker',
      () => locust.kpi(),
      (k) => k.userCount === 4,
    );
    expect(kpi.workers).toBe(1);

    await cluster.setWorkers(2);
    expect(cluster.workerProcesses).toBe(2);
    const two: LocustStats = await until(
      'stats to show 2 workers',
      () => locust.stats(),
      (s) => s.workerCount === 2,
    );
    expect(two.workers).toHaveLength(2);
  });

  it('stop stops the users and keeps the counters; a new swarm starts a new generation', async () => {
    await locust.stop();
    const stopped = await until(
      'state stopped',
      () => locust.kpi(),
      (k) => k.state === 'stopped' && k.userCount === 0,
    );
    expect(stopped.orders).toBeGreaterThan(0);
    const placed = shop.ordersPlaced();
    await sleep(2_500);
    expect(shop.ordersPlaced()).toBe(placed); // no more traffic

    await locust.swarm({ userCount: 2, spawnRate: 10 });
    const restarted = await until(
      'running again',
      () => locust.kpi(),
      (k) => k.state === 'running',
    );
    expect(restarted.generation).toBe(stopped.generation + 1);
    await locust.stop();
  });

  it('restartMaster gives a new bootId, generation 0, and the workers back', async () => {
    await cluster.restartMaster();
    const kpi = await locust.kpi();
    expect(kpi.bootId).not.toBe(firstKpi.bootId);
    expect(kpi).toMatchObject({ generation: 0, orders: 0, state: 'ready', workers: 2 });
  });

  it('stop kills master and workers', async () => {
    const port = Number(new URL(cluster.url).port);
    expect(locustProcessesUsing(port).length).toBe(1);
    expect(locustProcessesUsing(cluster.masterBindPort).length).toBe(3);
    await cluster.stop();
    expect(locustProcessesUsing(cluster.masterBindPort)).toEqual([]);
    const err = await locust.kpi().catch((e: Error) => e);
    expect((err as Error).name).toBe('TransientError');
  });
});

describe('Locust cluster start-up failures', () => {
  it('fails fast with the master log when the scenario does not load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ltc-bad-scenario-'));
    const scenario = join(dir, 'broken.py');
    writeFileSync(
      scenario,
      'from locust import FastHttpUser\nraise RuntimeError("scenario is broken on purpose")\n',
    );
    const started = Date.now();
    const err = await startLocustCluster({
      scenario,
      host: 'http://127.0.0.1:1',
      workers: 1,
      logDir: dir,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('Locust master exited');
    expect((err as Error).message).toContain('scenario is broken on purpose');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
