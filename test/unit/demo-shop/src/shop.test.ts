import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JsonRequest } from '../../../../demo-shop/src/http';
import { ConcurrencyLimiter } from '../../../../demo-shop/src/limiter';
import type { PayFn, PaymentResult } from '../../../../demo-shop/src/payment-client';
import { createRealPaymentProviderHandler } from '../../../../demo-shop/src/real-payment-provider';
import { createShopHandler, fraudScore } from '../../../../demo-shop/src/shop';
import { ShopStore } from '../../../../demo-shop/src/store';

const TEST = { 'x-load-test': 'true' };
const config = {
  testHeader: 'X-Load-Test',
  mockPaymentUrl: 'http://mock',
  realPaymentUrl: 'http://real',
  orderWorkMs: 0,
  paymentTimeoutMs: 1000,
};

let store: ShopStore;
let pay: ReturnType<typeof vi.fn<PayFn>>;
let handler: ReturnType<typeof createShopHandler>;

const call = async (method: string, path: string, body?: unknown, headers: JsonRequest['headers'] = {}) =>
  (await handler({ method, path, body, headers })) as { status: number; body: Record<string, unknown> };

async function checkout(headers: JsonRequest['headers'] = {}, productId = 'sku-1003', quantity = 2) {
  const cartId = (await call('POST', '/api/carts', undefined, headers)).body.cartId as string;
  await call('POST', `/api/carts/${cartId}/items`, { productId, quantity }, headers);
  return (await call('POST', '/api/checkouts', { cartId }, headers)).body.checkoutId as string;
}

beforeEach(() => {
  store = new ShopStore(':memory:');
  store.init();
  pay = vi.fn<PayFn>(async (url) => ({ kind: 'authorized', paymentId: `${url.slice(7)}-1` }));
  handler = createShopHandler({
    store,
    config,
    limiter: new ConcurrencyLimiter(2, 10),
    pay,
    fraudRounds: 10,
  });
});
afterEach(() => store.close());

describe('shop API', () => {
  it('lists products and finds one', async () => {
    const products = (await call('GET', '/api/products')).body as unknown as Array<{ id: string }>;
    expect(products.length).toBeGreaterThanOrEqual(5);
    expect(await call('GET', '/api/products/sku-1001')).toEqual({
      status: 200,
      body: { id: 'sku-1001', name: 'Trail running shoes', price: 89.95 },
    });
    expect((await call('GET', '/api/products/nope')).status).toBe(404);
  });

  it('builds a cart, adding to quantities', async () => {
    const cart = await call('POST', '/api/carts');
    expect(cart.status).toBe(201);
    const cartId = cart.body.cartId as string;
    await call('POST', `/api/carts/${cartId}/items`, { productId: 'sku-1004', quantity: 1 });
    const res = await call('POST', `/api/carts/${cartId}/items`, { productId: 'sku-1004', quantity: 2 });
    expect(res).toEqual({
      status: 200,
      body: { cartId, items: [{ productId: 'sku-1004', name: 'Water bottle', quantity: 3, price: 14.5 }] },
    });
    expect((await call('GET', `/api/carts/${cartId}`)).body.items).toHaveLength(1);
  });

  it('computes the checkout amount in cents', async () => {
    const cartId = (await call('POST', '/api/carts')).body.cartId as string;
    await call('POST', `/api/carts/${cartId}/items`, { productId: 'sku-1003', quantity: 3 }); // 3 x 19.99
    await call('POST', `/api/carts/${cartId}/items`, { productId: 'sku-1007', quantity: 1 }); // 21.60
    const res = await call('POST', '/api/checkouts', { cartId });
    expect(res.status).toBe(201);
    expect(res.body.amount).toBe(81.57);
  });

  it.each([
    ['POST', '/api/carts/CART/items', { quantity: 1 }, 400, /productId/],
    ['POST', '/api/carts/CART/items', { productId: 'sku-1001', quantity: 0 }, 400, /quantity/],
    ['POST', '/api/carts/CART/items', { productId: 'sku-1001', quantity: 1.5 }, 400, /quantity/],
    ['POST', '/api/carts/CART/items', { productId: 'sku-9', quantity: 1 }, 400, /productId: no product/],
    ['POST', '/api/carts/nope/items', { productId: 'sku-1001', quantity: 1 }, 404, /cart/],
    ['POST', '/api/checkouts', {}, 400, /cartId/],
    ['POST', '/api/checkouts', { cartId: 'nope' }, 404, /cartId/],
    ['POST', '/api/checkouts', { cartId: 'CART' }, 409, /empty/],
    ['POST', '/api/orders', { checkoutId: 7 }, 400, /checkoutId/],
    ['POST', '/api/orders', { checkoutId: 'nope' }, 404, /checkoutId/],
    ['DELETE', '/api/products', undefined, 405, /not part/],
    ['GET', '/api/nope', undefined, 404, /not part/],
  ])('%s %s %j -> %i', async (method, path, body, status, message) => {
    const cartId = (await call('POST', '/api/carts')).body.cartId as string;
    const fix = (v: unknown) => JSON.parse(JSON.stringify(v ?? null).replaceAll('CART', cartId)) ?? undefined;
    const res = await call(method, path.replace('CART', cartId), fix(body));
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
  });
});

describe('placing orders', () => {
  it('pays ordinary traffic at the real provider and stores a normal order', async () => {
    const checkoutId = await checkout();
    const res = await call('POST', '/api/orders', { checkoutId });
    expect(res).toEqual({
      status: 201,
      body: { orderId: expect.stringMatching(/^ord-/), status: 'placed', paymentId: 'real-1' },
    });
    expect(pay).toHaveBeenCalledWith(
      'http://real',
      { amount: 39.98, currency: 'EUR', reference: checkoutId },
      { timeoutMs: 1000, headers: {} },
    );
    expect(store.ordersSummary()).toEqual({ total: 1, test: 0 });
  });

  it('pays load-test traffic at the mock, passes the header on, and marks the order test', async () => {
    const checkoutId = await checkout(TEST);
    const res = await call('POST', '/api/orders', { checkoutId }, TEST);
    expect(res.status).toBe(201);
    expect(pay).toHaveBeenCalledWith('http://mock', expect.anything(), {
      timeoutMs: 1000,
      headers: { 'X-Load-Test': 'true' },
    });
    expect(store.ordersSummary()).toEqual({ total: 1, test: 1 });
  });

  it('refuses load-test traffic when no mock is configured, without calling any provider', async () => {
    handler = createShopHandler({
      store,
      config: { ...config, mockPaymentUrl: undefined },
      limiter: new ConcurrencyLimiter(1, 0),
      pay,
    });
    const res = await call('POST', '/api/orders', { checkoutId: await checkout(TEST) }, TEST);
    expect(res.status).toBe(503);
    expect(pay).not.toHaveBeenCalled();
  });

  it.each<[PaymentResult, number, RegExp]>([
    [{ kind: 'declined', reason: 'insufficient_funds' }, 402, /declined/],
    [{ kind: 'failed', detail: 'ECONNREFUSED' }, 502, /payment provider failed: ECONNREFUSED/],
  ])('maps %j to %i and stores no order', async (result, status, message) => {
    pay.mockResolvedValueOnce(result);
    const res = await call('POST', '/api/orders', { checkoutId: await checkout() });
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
    expect(store.ordersSummary().total).toBe(0);
  });

  it('does not order a checkout twice', async () => {
    const checkoutId = await checkout();
    const first = await call('POST', '/api/orders', { checkoutId });
    const second = await call('POST', '/api/orders', { checkoutId });
    expect(second).toEqual({
      status: 409,
      body: { error: 'checkout already ordered', orderId: first.body.orderId },
    });
    expect(pay).toHaveBeenCalledTimes(1);
  });

  it('answers 503 when the worker is at capacity and its queue is full', async () => {
    let release!: () => void;
    pay.mockImplementationOnce(
      () => new Promise((r) => (release = () => r({ kind: 'authorized', paymentId: 'slow' }))),
    );
    handler = createShopHandler({ store, config, limiter: new ConcurrencyLimiter(1, 0), pay });
    const [a, b] = [await checkout(), await checkout()];
    const slow = call('POST', '/api/orders', { checkoutId: a });
    await vi.waitFor(() => expect(pay).toHaveBeenCalledTimes(1));
    const refused = await call('POST', '/api/orders', { checkoutId: b });
    expect(refused.status).toBe(503);
    release();
    expect((await slow).status).toBe(201);
  });
});

describe('injected checkout latency (--checkout-delay)', () => {
  it("delays placing an order by the version's configured time, outside the order capacity", async () => {
    handler = createShopHandler({
      store,
      config,
      limiter: new ConcurrencyLimiter(1, 0),
      pay,
      fraudRounds: 10,
      checkoutDelayMs: 120,
    });
    const [a, b] = [await checkout(), await checkout()];
    const started = performance.now();
    // Two orders at once on a capacity of 1 without a queue: both placed, so neither held a slot while waiting.
    const placed = await Promise.all([
      call('POST', '/api/orders', { checkoutId: a }),
      call('POST', '/api/orders', { checkoutId: b }),
    ]);
    const elapsed = performance.now() - started;
    expect(placed.map((r) => r.status)).toEqual([201, 201]);
    expect(elapsed).toBeGreaterThanOrEqual(119);
  });
});

describe('test data cleanup', () => {
  it('deletes orders, checkouts and carts of load-test traffic only', async () => {
    await call('POST', '/api/orders', { checkoutId: await checkout() });
    await call('POST', '/api/orders', { checkoutId: await checkout(TEST) }, TEST);
    await call('POST', '/api/orders', { checkoutId: await checkout(TEST) }, TEST);
    await call('POST', '/api/carts', undefined, TEST); // an abandoned test cart
    expect(store.ordersSummary()).toEqual({ total: 3, test: 2 });
    expect(store.deleteTestData()).toEqual({ orders: 2, checkouts: 2, carts: 3 });
    expect(store.ordersSummary()).toEqual({ total: 1, test: 0 });
    expect(store.deleteTestData()).toEqual({ orders: 0, checkouts: 0, carts: 0 });
    const left = store.db.prepare('SELECT COUNT(*) AS n FROM cart_items').get();
    expect(left?.n).toBe(1);
  });
});

describe('fraudScore', () => {
  it('is deterministic and in [0, 1]', () => {
    expect(fraudScore('chk-1:100', 50)).toBe(fraudScore('chk-1:100', 50));
    expect(fraudScore('chk-1:100', 50)).toBeGreaterThanOrEqual(0);
    expect(fraudScore('chk-1:100', 50)).toBeLessThanOrEqual(1);
  });
});

describe('real payment provider', () => {
  it('authorizes, declines 13.13 and records every charge', async () => {
    const handle = createRealPaymentProviderHandler();
    const post = (body: unknown) => handle({ method: 'POST', path: '/v1/payments', headers: {}, body });
    expect(await post({ amount: 10, currency: 'EUR', reference: 'r1' })).toMatchObject({
      status: 201,
      body: { status: 'authorized', reference: 'r1', paymentId: expect.stringMatching(/^real-/) },
    });
    expect(await post({ amount: 13.13, currency: 'EUR', reference: 'r2' })).toMatchObject({ status: 402 });
    expect(await post({ amount: -1, currency: 'EUR', reference: 'r3' })).toMatchObject({ status: 400 });
    const charges = await handle({ method: 'GET', path: '/v1/charges', headers: {}, body: undefined });
    expect((charges.body as Array<{ reference: string }>).map((c) => c.reference)).toEqual(['r1', 'r2']);
  });
});
