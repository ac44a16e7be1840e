import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as cleanup } from '../../../lambdas/handlers/cleanup';
import { MOTO_CREDENTIALS, MOTO_REGION, type Moto, startMoto } from '../../../local/moto';
import { type LocalPostgres, startPostgres } from '../../../local/postgres';
import { cleanupConfig, startRun, useCleanupConfig } from '../../support/cleanup-step';

/**
 * The `sql` cleanup action against a real PostgreSQL (Debian's package, a throw-away server with password
 * authentication), through the Cleanup step handler: the connection from a Secrets Manager secret (moto)
 * or from an environment variable, never from the execution input.
 */
let db: LocalPostgres;
let moto: Moto;
let secretArn: string;

const PURGE = [
  "DELETE FROM payments WHERE order_id IN (SELECT id FROM orders WHERE customer LIKE 'load-test-%')",
  "DELETE FROM orders WHERE customer LIKE 'load-test-%'",
];

async function sql(text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function seed(): Promise<void> {
  await sql(`
    DROP TABLE IF EXISTS payments; DROP TABLE IF EXISTS orders;
    CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL);
    CREATE TABLE payments (id serial PRIMARY KEY, order_id int NOT NULL REFERENCES orders(id));
    INSERT INTO orders (customer) SELECT 'load-test-' || g FROM generate_series(1, 42) g;
    INSERT INTO orders (customer) VALUES ('alice'), ('bob'), ('carol');
    INSERT INTO payments (order_id) SELECT id FROM orders WHERE id % 2 = 0;
  `);
}

beforeAll(async () => {
  [db, moto] = await Promise.all([startPostgres(), startMoto()]);
  const secrets = new SecretsManagerClient({
    endpoint: moto.endpoint,
    region: MOTO_REGION,
    credentials: MOTO_CREDENTIALS,
  });
  const created = await secrets.send(
    new CreateSecretCommand({
      Name: 'staging/shop-db',
      SecretString: JSON.stringify({
        engine: 'postgres',
        host: db.host,
        port: db.port,
        username: db.user,
        password: db.password,
        dbname: db.database,
      }),
    }),
  );
  secretArn = created.ARN as string;
  const config = cleanupConfig({
    'from-secret': [{ type: 'sql', name: 'test orders', database: { secretArn }, statements: PURGE }],
    'from-env': [
      { type: 'sql', name: 'test orders', database: { urlEnv: 'LTC_TEST_DB_URL' }, statements: PURGE },
    ],
    'half-broken': [
      {
        type: 'sql',
        name: 'broken purge',
        database: { urlEnv: 'LTC_TEST_DB_URL' },
        statements: [PURGE[0], 'DELETE FROM no_such_table'],
      },
    ],
  });
  useCleanupConfig(moto.endpoint, config, { LTC_TEST_DB_URL: db.url });
});

afterAll(async () => {
  await db?.stop();
  await moto?.stop();
});

const start = (environment: string) => startRun(environment, 'sql');

async function counts() {
  const orders = await sql(
    "SELECT count(*) FILTER (WHERE customer LIKE 'load-test-%') AS test, count(*) AS total FROM orders",
  );
  const payments = await sql('SELECT count(*) AS total FROM payments');
  return {
    testOrders: Number(orders.rows[0].test),
    orders: Number(orders.rows[0].total),
    payments: Number(payments.rows[0].total),
  };
}

describe('SQL cleanup on PostgreSQL', () => {
  it('removes the test data with the connection from Secrets Manager and reports what each statement removed', async () => {
    await seed();
    expect(await counts()).toEqual({ testOrders: 42, orders: 45, payments: 22 });
    const state = await start('from-secret');
    // The execution state carries where the secret is, never the secret.
    expect(JSON.stringify(state)).not.toContain(db.password);
    const result = await cleanup(state);
    expect(result.actions).toEqual([
      {
        name: 'test orders',
        result: `DELETE 21 rows: ${PURGE[0]}; DELETE 42 rows: ${PURGE[1]}`,
      },
    ]);
    expect(await counts()).toEqual({ testOrders: 0, orders: 3, payments: 1 });
    // Idempotent: a retry removes nothing more and says so.
    const again = await cleanup(state);
    expect(again.actions[0]?.result).toBe(`DELETE 0 rows: ${PURGE[0]}; DELETE 0 rows: ${PURGE[1]}`);
  });

  it('connects from an environment variable locally', async () => {
    await seed();
    const result = await cleanup(await start('from-env'));
    expect(result.actions[0]?.result).toMatch(/^DELETE 21 rows: .*; DELETE 42 rows: /);
  });

  it('rolls the whole action back when one statement fails, and names it', async () => {
    await seed();
    await expect(cleanup(await start('half-broken'))).rejects.toThrow(
      'broken purge: DELETE FROM no_such_table failed: relation "no_such_table" does not exist',
    );
    expect(await counts()).toEqual({ testOrders: 42, orders: 45, payments: 22 });
  });
});
