import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { ShopConfig } from './config';
import { jsonListener } from './http';
import { ConcurrencyLimiter } from './limiter';
import { requestPayment } from './payment-client';
import { createShopHandler } from './shop';
import { ShopStore } from './store';
import { WORKER_CONFIG_ENV } from './worker-env';

/**
 * One replica of the shop: a node:http server on the shared shop port (node:cluster hands it connections),
 * its own SQLite connection and its own bounded order capacity. Started by the supervisor (main.ts), which
 * passes the config in DEMO_SHOP_WORKER_CONFIG.
 */

function readConfig(): ShopConfig {
  const raw = process.env[WORKER_CONFIG_ENV];
  if (!raw) throw new Error(`${WORKER_CONFIG_ENV} is not set: start the shop through demo-shop/src/main.ts`);
  return JSON.parse(raw) as ShopConfig;
}

const config = readConfig();
const store = new ShopStore(config.dbPath);
const handler = createShopHandler({
  store,
  config,
  limiter: new ConcurrencyLimiter(config.orderConcurrency, config.orderQueueLimit),
  pay: requestPayment,
  checkoutDelayMs: config.checkoutDelayMs?.[config.version] ?? 0,
});
const headers = { 'x-app-version': config.version, 'x-worker-pid': String(process.pid) };
const server = createServer(
  { keepAliveTimeout: 5000 },
  jsonListener(handler, () => headers),
);
server.maxRequestsPerSocket = config.requestsPerConnection;
server.listen(config.shopPort, config.host);

// The supervisor retires a worker with worker.disconnect(): the shared server stops taking connections,
// requests in flight finish, then the process ends. The timer is the backstop for idle keep-alive sockets.
const shutdown = () => {
  server.close();
  server.closeIdleConnections();
  setTimeout(() => {
    store.close();
    process.exit(0);
  }, 3000).unref();
};
if (cluster.isWorker) cluster.worker?.on('disconnect', shutdown);
process.on('SIGTERM', shutdown);
