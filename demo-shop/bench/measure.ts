/**
 * The demo shop's own capacity benchmark, as a function: closed-loop virtual users with no think time run the
 * checkout journey (cart, item, checkout, order) as load-test traffic, more of them than the shop can serve, and
 * the orders placed per minute are counted. Saturated, that is the shop's capacity for its replicas.
 */
const HEADERS = { 'content-type': 'application/json', 'x-load-test': 'true' };

export interface CapacityMeasurement {
  readonly replicas: number;
  readonly users: number;
  readonly seconds: number;
  /** Orders placed (201) per minute over the measurement. */
  readonly ordersPerMinute: number;
  readonly p50OrderMs: number;
  readonly p95OrderMs: number;
  /** Journeys that did not end in a placed order. */
  readonly failures: number;
}

async function post(url: string, body?: unknown): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: HEADERS,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function journey(base: string): Promise<{ status: number; ms: number }> {
  const { cartId } = (await post(`${base}/api/carts`)).body;
  await post(`${base}/api/carts/${cartId}/items`, { productId: 'sku-1003', quantity: 1 });
  const { checkoutId } = (await post(`${base}/api/checkouts`, { cartId })).body;
  const started = performance.now();
  const order = await post(`${base}/api/orders`, { checkoutId });
  return { status: order.status, ms: performance.now() - started };
}

/** Scales the shop to `replicas` (its admin API) and measures its orders per minute with `users` users. */
export async function measureShopCapacity(opts: {
  readonly shopUrl: string;
  readonly adminUrl: string;
  readonly replicas: number;
  readonly users: number;
  readonly seconds: number;
}): Promise<CapacityMeasurement> {
  const shape = await fetch(`${opts.adminUrl}/_conductor/shape`, {
    method: 'PUT',
    body: JSON.stringify({ replicas: opts.replicas }),
  });
  if (!shape.ok) throw new Error(`the shop did not scale to ${opts.replicas} replicas: ${shape.status}`);
  const deadline = Date.now() + opts.seconds * 1000;
  const latencies: number[] = [];
  let failures = 0;
  await Promise.all(
    Array.from({ length: opts.users }, async () => {
      while (Date.now() < deadline) {
        const r = await journey(opts.shopUrl).catch(() => ({ status: 0, ms: 0 }));
        if (r.status === 201 && Date.now() <= deadline) latencies.push(r.ms);
        else if (r.status !== 201) failures++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round(latencies[Math.floor(p * (latencies.length - 1))] ?? 0);
  return {
    replicas: opts.replicas,
    users: opts.users,
    seconds: opts.seconds,
    ordersPerMinute: (latencies.length / opts.seconds) * 60,
    p50OrderMs: q(0.5),
    p95OrderMs: q(0.95),
    failures,
  };
}
