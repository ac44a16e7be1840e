import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ShopConfig } from './config';
import { error, field, type JsonHandler, type JsonRequest, type JsonResponse, json } from './http';
import type { ConcurrencyLimiter } from './limiter';
import type { PayFn } from './payment-client';
import { choosePaymentRoute, isLoadTestRequest } from './routing';
import { CURRENCY, type ShopStore } from './store';

/**
 * The shop API, independent of HTTP plumbing and processes:
 *   GET  /api/products            -> [{id, name, price}]
 *   GET  /api/products/:id        -> {id, name, price}
 *   POST /api/carts               -> 201 {cartId}
 *   GET  /api/carts/:id           -> {cartId, items}
 *   POST /api/carts/:id/items     {productId, quantity} -> {cartId, items}
 *   POST /api/checkouts           {cartId} -> 201 {checkoutId, amount}
 *   POST /api/orders              {checkoutId} -> 201 {orderId, status: "placed"} | 402 | 409 | 502 | 503
 * Placing an order is the expensive step: it holds one of the worker's few slots while it scores the
 * order for fraud (real CPU work), waits on its downstream work and calls the payment provider.
 */

export interface ShopDeps {
  store: ShopStore;
  config: Pick<
    ShopConfig,
    'testHeader' | 'mockPaymentUrl' | 'realPaymentUrl' | 'orderWorkMs' | 'paymentTimeoutMs'
  >;
  limiter: ConcurrencyLimiter;
  pay: PayFn;
  /** sha256 rounds of the fraud score, the CPU part of an order (about 1 µs each). */
  fraudRounds?: number;
  /** Extra wait before an order is placed (this version's injected latency, `--checkout-delay`). */
  checkoutDelayMs?: number;
}

export const MAX_QUANTITY = 99;

/** A deterministic stand-in for a fraud model: real CPU work proportional to `rounds`. */
export function fraudScore(input: string, rounds: number): number {
  let digest = createHash('sha256').update(input).digest();
  for (let i = 1; i < rounds; i++) digest = createHash('sha256').update(digest).digest();
  return (digest[0] ?? 0) / 255;
}

export function createShopHandler(deps: ShopDeps): JsonHandler {
  const { store, config, limiter, pay } = deps;
  const fraudRounds = deps.fraudRounds ?? 2000;
  const checkoutDelayMs = deps.checkoutDelayMs ?? 0;

  const placeOrder = async (checkoutId: string, headers: Record<string, string | string[] | undefined>) => {
    const checkout = store.getCheckout(checkoutId);
    if (!checkout) return error(404, `checkoutId: no checkout ${checkoutId}`);
    if (checkout.orderId) return json(409, { error: 'checkout already ordered', orderId: checkout.orderId });
    const route = choosePaymentRoute(headers, config);
    if (route.target === 'none') return error(503, route.reason);
    // Outside the order capacity: the whole delay shows in the response time, none in the throughput.
    if (checkoutDelayMs > 0) await sleep(checkoutDelayMs);

    const outcome = await limiter.run(async (): Promise<JsonResponse> => {
      fraudScore(`${checkoutId}:${checkout.amountCents}`, fraudRounds);
      if (config.orderWorkMs > 0) await sleep(config.orderWorkMs);
      const payment = await pay(
        route.url,
        { amount: checkout.amountCents / 100, currency: CURRENCY, reference: checkoutId },
        { timeoutMs: config.paymentTimeoutMs, headers: route.test ? { [config.testHeader]: 'true' } : {} },
      );
      if (payment.kind === 'declined')
        return json(402, { error: 'payment declined', reason: payment.reason });
      if (payment.kind === 'failed') return error(502, `payment provider failed: ${payment.detail}`);
      const stored = store.insertOrder({
        checkoutId,
        paymentId: payment.paymentId,
        amountCents: checkout.amountCents,
        provider: route.target,
        test: route.test,
      });
      if (stored === 'duplicate') return error(409, 'checkout already ordered');
      return json(201, { orderId: stored.orderId, status: 'placed', paymentId: payment.paymentId });
    });
    return outcome?.value ?? error(503, 'shop is at capacity: too many orders waiting, try again later');
  };

  type Route = [method: string, pattern: RegExp, handle: (params: string[], req: JsonRequest) => RouteResult];
  type RouteResult = JsonResponse | Promise<JsonResponse>;
  const testTraffic = (req: JsonRequest) => isLoadTestRequest(req.headers, config.testHeader);

  const routes: Route[] = [
    ['GET', /^\/health$/, () => json(200, { status: 'ok' })],
    ['GET', /^\/api\/products$/, () => json(200, store.listProducts())],
    [
      'GET',
      /^\/api\/products\/([^/]+)$/,
      ([id]) => {
        const product = store.getProduct(id as string);
        return product ? json(200, product) : error(404, 'no such product');
      },
    ],
    ['POST', /^\/api\/carts$/, (_, req) => json(201, { cartId: store.createCart(testTraffic(req)) })],
    [
      'GET',
      /^\/api\/carts\/([^/]+)$/,
      ([cartId]) => {
        if (!store.cartExists(cartId as string)) return error(404, 'no such cart');
        return json(200, { cartId, items: store.cartItems(cartId as string) });
      },
    ],
    [
      'POST',
      /^\/api\/carts\/([^/]+)\/items$/,
      ([cartId], { body }) => {
        const productId = field(body, 'productId');
        const quantity = field(body, 'quantity') ?? 1;
        if (typeof productId !== 'string' || productId === '') {
          return error(400, 'productId must be a non-empty string');
        }
        if (
          typeof quantity !== 'number' ||
          !Number.isInteger(quantity) ||
          quantity < 1 ||
          quantity > MAX_QUANTITY
        ) {
          return error(400, `quantity must be an integer from 1 to ${MAX_QUANTITY}`);
        }
        const items = store.addItem(cartId as string, productId, quantity);
        if (items === 'no-cart') return error(404, 'no such cart');
        if (items === 'no-product') return error(400, `productId: no product ${productId}`);
        return json(200, { cartId, items });
      },
    ],
    [
      'POST',
      /^\/api\/checkouts$/,
      (_, req) => {
        const cartId = field(req.body, 'cartId');
        if (typeof cartId !== 'string' || cartId === '')
          return error(400, 'cartId must be a non-empty string');
        const checkout = store.createCheckout(cartId, testTraffic(req));
        if (checkout === 'no-cart') return error(404, `cartId: no cart ${cartId}`);
        if (checkout === 'empty-cart') return error(409, 'cart is empty');
        return json(201, checkout);
      },
    ],
    [
      'POST',
      /^\/api\/orders$/,
      (_, { body, headers }) => {
        const checkoutId = field(body, 'checkoutId');
        if (typeof checkoutId !== 'string' || checkoutId === '') {
          return error(400, 'checkoutId must be a non-empty string');
        }
        return placeOrder(checkoutId, headers);
      },
    ],
  ];

  return (req) => {
    let pathKnown = false;
    for (const [method, pattern, handle] of routes) {
      const m = req.path.match(pattern);
      if (!m) continue;
      pathKnown = true;
      if (method === req.method) return handle(m.slice(1).map(safeDecode), req);
    }
    return error(pathKnown ? 405 : 404, `${req.method} ${req.path} is not part of the shop API`);
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
