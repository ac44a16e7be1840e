import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDemoShop } from '../../local/demo-shop';
import { startHoverfly } from '../../local/hoverfly';
import { REPO_ROOT } from '../../local/managed-process';

/**
 * Measure the demo shop's order capacity per replica count: closed-loop virtual users run the checkout
 * journey (cart, item, checkout, order) as load-test traffic against the Hoverfly-mocked provider, with
 * more users than the shop can serve, and count placed orders per minute.
 *   npx tsx demo-shop/bench/capacity.ts --replicas 1,2,4 --seconds 20 --users-per-replica 12
 */

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1,2,4' },
    seconds: { type: 'string', default: '20' },
    'users-per-replica': { type: 'string', default: '12' },
  },
});
const seconds = Number(values.seconds);
const usersPerReplica = Number(values['users-per-replica']);
const HEADERS = { 'content-type': 'application/json', 'x-load-test': 'true' };

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

const dataDir = mkdtempSync(join(tmpdir(), 'ltc-capacity-'));
const hoverfly = await startHoverfly({
  simulation: join(REPO_ROOT, 'mocks', 'payment-provider', 'simulation.json'),
  journalSize: 0,
});
const shop = await startDemoShop({
  dataDir,
  mockPaymentUrl: hoverfly.url,
  realPaymentUrl: 'http://127.0.0.1:9', // unused: all traffic is marked as load test
  replicas: 1,
});
try {
  console.log('replicas  users  orders/min  per replica  p50 order ms  p95 order ms  non-201');
  for (const replicas of values.replicas.split(',').map(Number)) {
    await fetch(`${shop.adminUrl}/_conductor/shape`, { method: 'PUT', body: JSON.stringify({ replicas }) });
    const users = replicas * usersPerReplica;
    const deadline = Date.now() + seconds * 1000;
    const latencies: number[] = [];
    let failures = 0;
    await Promise.all(
      Array.from({ length: users }, async () => {
        while (Date.now() < deadline) {
          const r = await journey(shop.url).catch(() => ({ status: 0, ms: 0 }));
          if (r.status === 201 && Date.now() <= deadline) latencies.push(r.ms);
          else if (r.status !== 201) failures++;
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const q = (p: number) => (latencies[Math.floor(p * (latencies.length - 1))] ?? 0).toFixed(0);
    const perMin = (latencies.length / seconds) * 60;
    console.log(
      `${String(replicas).padStart(8)}  ${String(users).padStart(5)}  ${perMin.toFixed(0).padStart(10)}  ` +
        `${(perMin / replicas).toFixed(0).padStart(11)}  ${q(0.5).padStart(12)}  ${q(0.95).padStart(12)}  ${failures}`,
    );
  }
} finally {
  await shop.stop();
  await hoverfly.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
