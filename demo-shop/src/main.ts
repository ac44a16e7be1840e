import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { createAdminHandler } from './admin';
import { ConfigError, parseShopConfig, USAGE } from './config';
import { jsonListener } from './http';
import { ShopStore } from './store';
import { Supervisor } from './supervisor';

/**
 * The demo shop's supervisor: prepares the database, keeps the workers (worker.ts) serving the shop port,
 * and serves the admin API on its own port. Run: `tsx demo-shop/src/main.ts --help`.
 * Prints one line `demo-shop ready {json}` on stdout once everything listens.
 */

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  let config: ReturnType<typeof parseShopConfig>;
  try {
    config = parseShopConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`demo-shop: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }

  mkdirSync(dirname(config.dbPath), { recursive: true });
  const store = new ShopStore(config.dbPath);
  store.init();
  const supervisor = new Supervisor(config);
  const admin = createServer(
    jsonListener(
      createAdminHandler({
        readOnly: config.readOnly,
        shape: () => supervisor.shape(),
        applyShape: (change) => supervisor.apply(change),
        ordersSummary: () => store.ordersSummary(),
        deleteTestData: () => store.deleteTestData(),
      }),
    ),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`demo-shop: ${signal}, stopping`);
    admin.close();
    admin.closeAllConnections();
    await supervisor.stop();
    store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await supervisor.start();
  await new Promise<void>((resolve, reject) => {
    admin.once('error', reject);
    admin.listen(config.adminPort, config.host, resolve);
  });
  const shape = supervisor.shape();
  console.log(
    `demo-shop ready ${JSON.stringify({
      shopUrl: `http://${config.host}:${config.shopPort}`,
      adminUrl: `http://${config.host}:${config.adminPort}`,
      version: shape.version,
      replicas: shape.replicas,
      readOnly: config.readOnly,
      db: config.dbPath,
    })}`,
  );
}

main().catch((err: Error) => {
  console.error(`demo-shop: ${err.stack ?? err.message}`);
  process.exit(1);
});
