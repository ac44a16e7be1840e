/**
 * The demo shop's own capacity benchmarks, as functions, on load-test traffic:
 * - {@link measureShopCapacity}, its highest throughput: closed-loop virtual users with no think time run the
 *   checkout journey (cart, item, checkout, order), more of them than the shop can serve, and the orders placed
 *   per minute are counted;
 * - {@link measureSloCapacity}, the highest orders per minute that meets the SLOs — the question capacity mode
 *   answers, asked without the conductor: paced users (one journey per user every few seconds, as the Locust
 *   scenario runs them) held at fixed counts, each count judged on its own requests.
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

/** Nearest-rank percentile (the p-th share of the sorted values at or below it), as the SLOs read them. */
const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number);

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
  const q = (p: number) => Math.round(percentile(latencies, p));
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

/** The SLOs a count of paced users is judged by (those of config/local.json's environment). */
export interface ShopSlos {
  /** p95 and p99 of the order request (ms). */
  readonly orderP95Ms: number;
  readonly orderP99Ms: number;
  /** p95 of every request of the journey (ms). */
  readonly allP95Ms: number;
  /** Failed requests over all requests. */
  readonly maxFailureRatio: number;
}

/** One count of paced users, held: what it delivered and how it was judged. */
export interface PacedStep {
  readonly users: number;
  readonly ordersPerMinute: number;
  readonly orderP95Ms: number;
  readonly orderP99Ms: number;
  readonly allP95Ms: number;
  readonly failureRatio: number;
  readonly met: boolean;
}

export interface SloCapacityMeasurement {
  /** Orders per minute delivered by the most users that met every SLO (null: none did). */
  readonly ordersPerMinute: number | null;
  readonly steps: readonly PacedStep[];
}

async function timed(url: string, init?: RequestInit): Promise<{ ok: boolean; ms: number; body: unknown }> {
  const started = performance.now();
  try {
    const res = await fetch(url, init);
    const body = await res.json().catch(() => null);
    return { ok: res.status >= 200 && res.status < 300, ms: performance.now() - started, body };
  } catch {
    return { ok: false, ms: performance.now() - started, body: null };
  }
}

/** The Locust scenario's journey (locust/scenarios/checkout.py): browse, view, cart, 1-3 items, checkout, order. */
async function pacedJourney(
  base: string,
  record: (name: 'order' | 'other', ok: boolean, ms: number) => void,
) {
  const json = (body: unknown) => ({ method: 'POST', headers: HEADERS, body: JSON.stringify(body) });
  const step = async (name: 'order' | 'other', url: string, init?: RequestInit) => {
    const r = await timed(url, { headers: HEADERS, ...init });
    record(name, r.ok, r.ms);
    return r;
  };
  const products = await step('other', `${base}/api/products`);
  const ids = Array.isArray(products.body) ? (products.body as { id: string }[]).map((p) => p.id) : [];
  const viewed = ids[Math.floor(Math.random() * ids.length)];
  if (!viewed) return;
  await step('other', `${base}/api/products/${viewed}`);
  const cart = await step('other', `${base}/api/carts`, { method: 'POST', headers: HEADERS });
  const cartId = (cart.body as { cartId?: string } | null)?.cartId;
  if (!cartId) return;
  const pick = () => ids[Math.floor(Math.random() * ids.length)] as string;
  const more = Math.floor(Math.random() * 3);
  for (const productId of [viewed, ...Array.from({ length: more }, pick)]) {
    const quantity = 1 + Math.floor(Math.random() * 3);
    const added = await step('other', `${base}/api/carts/${cartId}/items`, json({ productId, quantity }));
    if (!added.ok) return;
  }
  const checkout = await step('other', `${base}/api/checkouts`, json({ cartId }));
  const checkoutId = (checkout.body as { checkoutId?: string } | null)?.checkoutId;
  if (!checkoutId) return;
  await step('order', `${base}/api/orders`, json({ checkoutId }));
}

/** Each journey's period within ±this share of the pacing, as the Locust scenarios' `jittered_pacing` draws it. */
const PACING_JITTER = 0.3;

/**
 * `users` paced users (one journey each every `pacingSeconds` on average, their starts spread over the first
 * period), held for `seconds` after one period of warm-up; judged on the requests that ended in the held time.
 */
async function pacedStep(
  opts: {
    readonly shopUrl: string;
    readonly pacingSeconds: number;
    readonly seconds: number;
    readonly slos: ShopSlos;
  },
  users: number,
): Promise<PacedStep> {
  const start = performance.now();
  const from = start + opts.pacingSeconds * 1000;
  const until = from + opts.seconds * 1000;
  const orders: number[] = [];
  const all: number[] = [];
  let requests = 0;
  let failures = 0;
  const record = (name: 'order' | 'other', ok: boolean, ms: number) => {
    if (performance.now() < from || performance.now() > until) return;
    requests++;
    if (!ok) failures++;
    all.push(ms);
    if (name === 'order' && ok) orders.push(ms);
  };
  await Promise.all(
    Array.from({ length: users }, async (_, i) => {
      let next = start + (i / users) * opts.pacingSeconds * 1000;
      while (next < until) {
        await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
        await pacedJourney(opts.shopUrl, record);
        next += opts.pacingSeconds * 1000 * (1 + PACING_JITTER * (2 * Math.random() - 1));
      }
    }),
  );
  orders.sort((a, b) => a - b);
  all.sort((a, b) => a - b);
  const step = {
    users,
    ordersPerMinute: (orders.length / opts.seconds) * 60,
    orderP95Ms: Math.round(percentile(orders, 0.95)),
    orderP99Ms: Math.round(percentile(orders, 0.99)),
    allP95Ms: Math.round(percentile(all, 0.95)),
    failureRatio: requests > 0 ? failures / requests : 1,
  };
  const met =
    step.orderP95Ms <= opts.slos.orderP95Ms &&
    step.orderP99Ms <= opts.slos.orderP99Ms &&
    step.allP95Ms <= opts.slos.allP95Ms &&
    step.failureRatio <= opts.slos.maxFailureRatio;
  return { ...step, met };
}

/**
 * The highest orders per minute the shop delivers while meeting `slos`, under paced users: counts of users are
 * bisected between the most that met every SLO and the fewest that did not, starting around `expectedOrdersPerMinute`
 * (e.g. {@link measureShopCapacity}'s throughput), until they are `resolution` (a share) apart.
 */
export async function measureSloCapacity(opts: {
  readonly shopUrl: string;
  readonly pacingSeconds: number;
  readonly seconds: number;
  readonly slos: ShopSlos;
  readonly expectedOrdersPerMinute: number;
  readonly resolution: number;
}): Promise<SloCapacityMeasurement> {
  const steps: PacedStep[] = [];
  const perUser = 60 / opts.pacingSeconds;
  let met: PacedStep | null = null;
  let notMet: PacedStep | null = null;
  let users = Math.max(1, Math.round((0.8 * opts.expectedOrdersPerMinute) / perUser));
  for (let probe = 0; probe < 12; probe++) {
    const step = await pacedStep(opts, users);
    steps.push(step);
    if (step.met && (!met || step.users > met.users)) met = step;
    if (!step.met && (!notMet || step.users < notMet.users)) notMet = step;
    const low = met?.users ?? 0;
    const high = notMet?.users ?? Number.POSITIVE_INFINITY;
    if (high - low <= Math.max(1, opts.resolution * low)) break;
    users = Number.isFinite(high)
      ? Math.round((low + high) / 2)
      : Math.ceil(low * (1 + 2 * opts.resolution)) + 1;
  }
  return {
    ordersPerMinute: met?.ordersPerMinute ?? null,
    steps,
  };
}
