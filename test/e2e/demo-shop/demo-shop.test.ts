import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DemoShop,
  PAYMENT_PROVIDER_SIMULATION,
  type RealPaymentProvider,
  startDemoShop,
  startRealPaymentProvider,
} from '../../../local/demo-shop';
import { type Hoverfly, startHoverfly } from '../../../local/hoverfly';
import { freePort } from '../../../local/ports';
import { hoverflyBinary } from '../../../local/tool-paths';

/**
 * The demo shop as the local load tests use it: real processes on loopback, the payment provider mocked by
 * Hoverfly for load-test traffic and a "real" provider for everything else.
 */

const TEST = { 'x-load-test': 'true' };

let hoverfly: Hoverfly;
let provider: RealPaymentProvider;
let shop: DemoShop;
let production: DemoShop;
let dataDir: string;

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

/** The checkout journey: cart, item, checkout, order. */
async function placeOrder(
  base: string,
  opts: { headers?: Record<string, string>; productId?: string; quantity?: number } = {},
) {
  const h = opts.headers ?? {};
  const cart = await call(base, 'POST', '/api/carts', undefined, h);
  expect(cart.status).toBe(201);
  const cartId = cart.body.cartId as string;
  const items = await call(
    base,
    'POST',
    `/api/carts/${cartId}/items`,
    {
      productId: opts.productId ?? 'sku-1003',
      quantity: opts.quantity ?? 2,
    },
    h,
  );
  expect(items.status).toBe(200);
  const checkout = await call(base, 'POST', '/api/checkouts', { cartId }, h);
  expect(checkout.status).toBe(201);
  const checkoutId = checkout.body.checkoutId as string;
  const order = await call(base, 'POST', '/api/orders', { checkoutId }, h);
  return { checkoutId, amount: checkout.body.amount as number, order };
}

/**
 * GET the worker's headers: on a fresh connection each time by default, so node:cluster can hand it to any
 * worker, or through `agent` to reuse a kept-alive one.
 */
function workerGet(
  url: string,
  agent: Agent | false = false,
): Promise<{ pid: string; version: string; connection: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          pid: String(res.headers['x-worker-pid']),
          version: String(res.headers['x-app-version']),
          connection: String(res.headers.connection),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  try {
    hoverflyBinary();
  } catch (err) {
    throw new Error(`The demo-shop e2e tests need Hoverfly: ${(err as Error).message}`);
  }
  dataDir = mkdtempSync(join(tmpdir(), 'ltc-demo-shop-e2e-'));
  [hoverfly, provider] = await Promise.all([
    startHoverfly({ simulation: PAYMENT_PROVIDER_SIMULATION }),
    startRealPaymentProvider(),
  ]);
  const deadProvider = `http://127.0.0.1:${await freePort()}`; // nothing listens there
  [shop, production] = await Promise.all([
    startDemoShop({
      dataDir: join(dataDir, 'test-env'),
      mockPaymentUrl: hoverfly.url,
      realPaymentUrl: provider.url,
      version: '1.4.2',
      replicas: 1,
    }),
    startDemoShop({
      dataDir: join(dataDir, 'production'),
      realPaymentUrl: deadProvider,
      version: '1.4.2',
      replicas: 2,
      readOnly: true,
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([shop?.stop(), production?.stop(), hoverfly?.stop(), provider?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('demo shop with a Hoverfly-mocked payment provider', () => {
  it('serves the catalogue with version and worker headers', async () => {
    const res = await call(shop.url, 'GET', '/api/products');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.arrayContaining([{ id: 'sku-1003', name: 'Wool beanie', price: 19.99 }]));
    expect(res.headers.get('x-app-version')).toBe('1.4.2');
    expect(Number(res.headers.get('x-worker-pid'))).toBeGreaterThan(0);
    expect((await call(shop.url, 'GET', '/api/products/sku-1005')).body).toMatchObject({ price: 34.95 });
  });

  it('charges the real provider for ordinary traffic, never Hoverfly', async () => {
    const journalBefore = await hoverfly.journalCount();
    const { checkoutId, amount, order } = await placeOrder(shop.url);
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ status: 'placed' });
    expect(order.body.orderId).toMatch(/^ord-/);
    expect(amount).toBe(39.98);
    const charges = await provider.charges();
    expect(charges).toContainEqual(
      expect.objectContaining({ reference: checkoutId, amount: 39.98, currency: 'EUR' }),
    );
    expect(await hoverfly.journalCount()).toBe(journalBefore);
  });

  it('sends X-Load-Test traffic to Hoverfly only, and the real provider never sees it', async () => {
    const chargesBefore = (await provider.charges()).length;
    const journalBefore = await hoverfly.journalCount();
    const { checkoutId, order } = await placeOrder(shop.url, { headers: TEST });
    expect(order.status).toBe(201);
    expect(order.body.paymentId).toMatch(/^sim-/);
    expect(await hoverfly.journalCount()).toBe(journalBefore + 1);
    const entry = (await hoverfly.journal()).at(-1);
    expect(JSON.parse(entry?.request.body ?? '{}')).toEqual({
      amount: 39.98,
      currency: 'EUR',
      reference: checkoutId,
    });
    expect(entry?.request.headers['X-Load-Test']).toEqual(['true']);
    expect(JSON.parse(entry?.response.body ?? '{}')).toMatchObject({
      status: 'authorized',
      reference: checkoutId,
    });
    const charges = await provider.charges();
    expect(charges).toHaveLength(chargesBefore);
    expect(charges.some((c) => c.reference === checkoutId || c.loadTestHeader !== undefined)).toBe(false);
  });

  it('answers 402 when the payment is declined (13.13), from the simulation and the real provider alike', async () => {
    const twoPairs = await placeOrder(shop.url, { headers: TEST, productId: 'sku-1313', quantity: 2 });
    expect(twoPairs.amount).toBe(26.26);
    expect(twoPairs.order.status).toBe(201);
    for (const headers of [TEST, {}]) {
      const { amount, order } = await placeOrder(shop.url, { headers, productId: 'sku-1313', quantity: 1 });
      expect(amount).toBe(13.13);
      expect(order.status).toBe(402);
      expect(order.body).toEqual({ error: 'payment declined', reason: 'insufficient_funds' });
    }
    expect(await provider.charges()).toContainEqual(
      expect.objectContaining({ amount: 13.13, status: 'declined' }),
    );
  });

  it('answers 502 when the payment provider cannot be reached', async () => {
    const { order } = await placeOrder(production.url);
    expect(order.status).toBe(502);
    expect(order.body.error).toMatch(/^payment provider failed: /);
  });

  it('scales 1 -> 3 replicas through the admin API, and all three serve traffic', async () => {
    expect((await call(shop.adminUrl, 'GET', '/_conductor/shape')).body).toMatchObject({
      version: '1.4.2',
      replicas: 1,
      ready: true,
    });
    const started = Date.now();
    const res = await call(shop.adminUrl, 'PUT', '/_conductor/shape', { replicas: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: '1.4.2', replicas: 3, ready: true });
    const workerPids = (res.body.workers as Array<{ pid: number }>).map((w) => String(w.pid));
    expect(new Set(workerPids).size).toBe(3);
    console.log(`scale 1 -> 3 took ${Date.now() - started} ms`);

    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 3; i++) seen.add((await workerGet(`${shop.url}/api/products`)).pid);
    expect([...seen].sort()).toEqual([...workerPids].sort());
  });

  it('closes a kept-alive connection every 10 requests, so one client is not pinned to one worker', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const closes: number[] = [];
    const pids = new Set<string>();
    try {
      for (let i = 1; i <= 30; i++) {
        const res = await workerGet(`${shop.url}/api/products`, agent);
        pids.add(res.pid);
        if (res.connection === 'close') closes.push(i);
      }
    } finally {
      agent.destroy();
    }
    expect(closes).toEqual([10, 20, 30]);
    expect(pids.size).toBeGreaterThan(1);
  });

  it('rolls out a new version label, replacing every worker', async () => {
    const before = (await call(shop.adminUrl, 'GET', '/_conductor/shape')).body.workers as Array<{
      pid: number;
    }>;
    const res = await call(shop.adminUrl, 'PUT', '/_conductor/shape', { version: '1.5.0' });
    expect(res.body).toMatchObject({ version: '1.5.0', replicas: 3, ready: true });
    const after = (res.body.workers as Array<{ pid: number }>).map((w) => w.pid);
    expect(after.some((pid) => before.some((w) => w.pid === pid))).toBe(false);
    const versions = new Set<string>();
    for (let i = 0; i < 9; i++) versions.add((await workerGet(`${shop.url}/api/products`)).version);
    expect([...versions]).toEqual(['1.5.0']);
  });

  it('rejects a bad shape with a message naming the field', async () => {
    const tooMany = await call(shop.adminUrl, 'PUT', '/_conductor/shape', { replicas: 17 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/replicas/);
    const unknown = await call(shop.adminUrl, 'PUT', '/_conductor/shape', { replica: 2 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/replica\b/);
  });

  it('a read-only (production) instance can be read but refuses changes with 403', async () => {
    const shape = await call(production.adminUrl, 'GET', '/_conductor/shape');
    expect(shape.body).toMatchObject({ version: '1.4.2', replicas: 2, ready: true });
    const put = await call(production.adminUrl, 'PUT', '/_conductor/shape', { replicas: 3 });
    expect(put.status).toBe(403);
    expect((await call(production.adminUrl, 'DELETE', '/_conductor/test-data')).status).toBe(403);
    expect((await call(production.adminUrl, 'GET', '/_conductor/shape')).body).toMatchObject({ replicas: 2 });
  });

  it('cleanup deletes what load-test traffic created, and only that', async () => {
    await placeOrder(shop.url, { headers: TEST });
    const summary = (await call(shop.adminUrl, 'GET', '/_conductor/orders/summary')).body;
    expect(summary.test).toBeGreaterThanOrEqual(3);
    expect(summary.total).toBeGreaterThan(summary.test as number);

    const res = await call(shop.adminUrl, 'DELETE', '/_conductor/test-data');
    expect(res.status).toBe(200);
    expect((res.body.deleted as Record<string, number>).orders).toBe(summary.test);
    expect((res.body.deleted as Record<string, number>).carts).toBeGreaterThanOrEqual(summary.test as number);
    expect((await call(shop.adminUrl, 'GET', '/_conductor/orders/summary')).body).toEqual({
      total: (summary.total as number) - (summary.test as number),
      test: 0,
    });
  });

  it('scales back down to 1 replica and stops cleanly', async () => {
    const res = await call(shop.adminUrl, 'PUT', '/_conductor/shape', { replicas: 1 });
    expect(res.body).toMatchObject({ replicas: 1, ready: true });
    expect(res.body.workers).toHaveLength(1);
  });
});
