import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import type { SqlCleanupAction } from '../../core/config';
import { TransientError } from '../../core/errors';
import { readSecretString } from '../aws/secrets';

/** What one statement did. */
export interface StatementResult {
  readonly statement: string;
  readonly command: string;
  readonly rows: number;
}

export interface SqlCleanupOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly secrets?: SecretsManagerClient;
}

/**
 * Runs a `sql` cleanup action: its statements in one transaction against the test database, with a
 * statement timeout; returns what each statement did (rows deleted, updated, …). The connection comes from
 * a Secrets Manager secret or an environment variable — the execution input never carries it.
 */
export async function runSqlCleanup(
  action: SqlCleanupAction,
  options: SqlCleanupOptions = {},
): Promise<StatementResult[]> {
  const config = await connectionConfig(action, options);
  const client = new pg.Client({
    ...config,
    connectionTimeoutMillis: 10_000,
    statement_timeout: action.timeoutSeconds * 1000,
    application_name: 'load-test-conductor cleanup',
  });
  try {
    await client.connect();
  } catch (err) {
    throw new TransientError(`${action.name}: cannot connect to the database: ${(err as Error).message}`);
  }
  client.on('error', () => {
    // a dropped connection surfaces as the failure of the running query
  });
  try {
    await client.query('BEGIN');
    const results: StatementResult[] = [];
    for (const statement of action.statements) {
      try {
        const r = await client.query(statement);
        results.push({ statement: statement.trim(), command: r.command, rows: r.rowCount ?? 0 });
      } catch (err) {
        throw new Error(`${action.name}: ${oneLine(statement)} failed: ${(err as Error).message}`);
      }
    }
    await client.query('COMMIT');
    return results;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `DELETE 42 rows: DELETE FROM orders WHERE …; …` — what the cleanup step reports. */
export function describeSqlResults(results: readonly StatementResult[]): string {
  return results
    .map((r) => `${r.command} ${r.rows} row${r.rows === 1 ? '' : 's'}: ${oneLine(r.statement)}`)
    .join('; ');
}

function oneLine(statement: string): string {
  const s = statement.replace(/\s+/g, ' ').trim();
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

async function connectionConfig(
  action: SqlCleanupAction,
  options: SqlCleanupOptions,
): Promise<pg.ClientConfig> {
  const { secretArn, urlEnv } = action.database;
  if (urlEnv) {
    const url = (options.env ?? process.env)[urlEnv];
    if (!url) throw new Error(`${action.name}: environment variable ${urlEnv} (the database URL) is not set`);
    return { connectionString: url };
  }
  if (!secretArn) throw new Error(`${action.name}: no database connection configured`);
  const text = await readSecretString(secretArn, `${action.name}: the database`, options.secrets);
  let secret: {
    host?: string;
    port?: number | string;
    username?: string;
    password?: string;
    dbname?: string;
  };
  try {
    secret = JSON.parse(text);
  } catch {
    throw new Error(
      `${action.name}: the secret ${secretArn} is not JSON (expected host, port, username, password, dbname)`,
    );
  }
  const local = secret.host === '127.0.0.1' || secret.host === 'localhost';
  return {
    host: secret.host,
    port: secret.port === undefined ? 5432 : Number(secret.port),
    user: secret.username,
    password: secret.password,
    database: secret.dbname,
    // RDS and Aurora: TLS, verified against the CA bundle (Lambda: NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem).
    ...(local ? {} : { ssl: { rejectUnauthorized: true } }),
  };
}
