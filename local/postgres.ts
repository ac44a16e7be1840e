import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { type ManagedProcess, startProcess, waitUntil } from './managed-process';
import { freePort } from './ports';

const run = promisify(execFile);

/**
 * A throw-away PostgreSQL server on 127.0.0.1 from the distribution's packages (Debian: `apt-get install
 * postgresql`; `scripts/setup-postgres.sh`, run by `npm run setup`, installs it when missing), for the SQL
 * cleanup actions. Password authentication (scram-sha-256) with a random password, so connection details
 * really have to come from a secret or an environment variable. Run as the `postgres` system user when this
 * process is root (PostgreSQL refuses to run as root).
 */
export interface LocalPostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** `postgres://user:password@127.0.0.1:port/database` */
  readonly url: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** The directory with initdb and postgres: `LTC_PG_BIN`, else the newest /usr/lib/postgresql/<n>/bin. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LTC_PG_BIN) return env.LTC_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb). Run `npm run setup` ' +
        '(scripts/setup-postgres.sh installs the Debian package postgresql) or set LTC_PG_BIN.',
    );
  }
  return join(root, versions[0] as string, 'bin');
}

export async function startPostgres(
  options: { workDir?: string; database?: string } = {},
): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  const dir = options.workDir ?? mkdtempSync(join(tmpdir(), 'ltc-pg-'));
  const asRoot = userInfo().uid === 0;
  // As root: initdb and postgres run as the `postgres` system user, which must own the folder.
  const owner = asRoot ? await systemUser('postgres') : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const wrap = (command: string, args: string[]): [string, string[]] =>
    owner
      ? ['setpriv', [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups', command, ...args]]
      : [command, args];

  const user = 'ltc';
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) chownSync(pwfile, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const [initdb, initArgs] = wrap(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    user,
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  await run(initdb, initArgs, { cwd: dir });

  const port = await freePort();
  const [postgres, args] = wrap(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ]);
  const proc = startProcess('postgres', postgres, args, { cwd: dir });
  const admin = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await waitUntil(
    'postgres',
    async () => {
      const c = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        return true;
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    { timeoutMs: 30_000, intervalMs: 200, proc },
  );
  const database = options.database ?? 'shop';
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  await c.end();
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    database,
    url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    process: proc,
    stop: () => proc.stop(5000),
  };
}

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  try {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
      run('id', ['-u', name]),
      run('id', ['-g', name]),
    ]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    return { uid: 65534, gid: 65534 }; // nobody
  }
}
