import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PAYMENT_PROVIDER_SIMULATION, startDemoShop } from '../../local/demo-shop';
import { LOCAL_PACING_SECONDS } from '../../local/environment';
import { startHoverfly } from '../../local/hoverfly';
import { measureShopCapacity, measureSloCapacity } from './measure';

/**
 * Measure the demo shop's order capacity per replica count: closed-loop virtual users run the checkout
 * journey (cart, item, checkout, order) as load-test traffic against the Hoverfly-mocked provider, with
 * more users than the shop can serve, and count placed orders per minute.
 * With `--slo`, also the highest orders per minute that meets the local environment's SLOs (config/local.json:
 * the order's p95 ≤ 3 s and p99 ≤ 5 s, every request's p95 ≤ 3 s, failures ≤ 1 %) under users paced as the
 * Locust scenario paces them (one journey every 5 s).
 *   npx tsx demo-shop/bench/capacity.ts --replicas 1,2,4 --seconds 20 --users-per-replica 12 [--order-work-ms 100] [--slo]
 */

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1,2,4' },
    seconds: { type: 'string', default: '20' },
    'users-per-replica': { type: 'string', default: '12' },
    'order-work-ms': { type: 'string' },
    slo: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const usersPerReplica = Number(values['users-per-replica']);

const dataDir = mkdtempSync(join(tmpdir(), 'ltc-capacity-'));
const hoverfly = await startHoverfly({
  simulation: PAYMENT_PROVIDER_SIMULATION,
  journalSize: 0,
});
const shop = await startDemoShop({
  dataDir,
  mockPaymentUrl: hoverfly.url,
  realPaymentUrl: 'http://127.0.0.1:9', // unused: all traffic is marked as load test
  replicas: 1,
  ...(values['order-work-ms'] ? { orderWorkMs: Number(values['order-work-ms']) } : {}),
});
try {
  console.log('replicas  users  orders/min  per replica  p50 order ms  p95 order ms  non-201');
  for (const replicas of values.replicas.split(',').map(Number)) {
    const m = await measureShopCapacity({
      shopUrl: shop.url,
      adminUrl: shop.adminUrl,
      replicas,
      users: replicas * usersPerReplica,
      seconds,
    });
    console.log(
      `${String(replicas).padStart(8)}  ${String(m.users).padStart(5)}  ${m.ordersPerMinute.toFixed(0).padStart(10)}  ` +
        `${(m.ordersPerMinute / replicas).toFixed(0).padStart(11)}  ${String(m.p50OrderMs).padStart(12)}  ${String(m.p95OrderMs).padStart(12)}  ${m.failures}`,
    );
    if (values.slo) {
      const slo = await measureSloCapacity({
        shopUrl: shop.url,
        pacingSeconds: LOCAL_PACING_SECONDS,
        seconds,
        slos: { orderP95Ms: 3000, orderP99Ms: 5000, allP95Ms: 3000, maxFailureRatio: 0.01 },
        expectedOrdersPerMinute: m.ordersPerMinute,
        resolution: 0.04,
      });
      for (const step of slo.steps) console.log(`          paced ${JSON.stringify(step)}`);
      console.log(`          meets the SLOs up to ${slo.ordersPerMinute?.toFixed(0) ?? 'none'} orders/min`);
    }
  }
} finally {
  await shop.stop();
  await hoverfly.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
