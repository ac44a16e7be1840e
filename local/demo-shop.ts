import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Charge } from '../demo-shop/src/real-payment-provider';
import type { AppShape } from '../lambdas/core/shape';
import { REPO_ROOT, startProcess, tsxCommand } from './managed-process';
import { freePort } from './ports';

/**
 * Start the demo shop (supervisor + workers, demo-shop/src/main.ts) and its "real" payment provider as child
 * processes on loopback, for the local environment and the e2e tests.
 */

export interface DemoShopOptions {
  shopPort?: number;
  adminPort?: number;
  /** Folder for the SQLite file (created if missing). */
  dataDir: string;
  /** Payment provider for `X-Load-Test: true` traffic (Hoverfly); without it such orders get 503. */
  mockPaymentUrl?: string;
  realPaymentUrl: string;
  version?: string;
  replicas?: number;
  readOnly?: boolean;
  /** Orders one worker processes at once (default 2). */
  orderConcurrency?: number;
  /** Work per order besides the payment call, in ms (default 100). */
  orderWorkMs?: number;
  /** Extra ms before placing an order, per version (`--checkout-delay`). */
  checkoutDelayMs?: Readonly<Record<string, number>>;
  startTimeoutMs?: number;
}

export interface DemoShop {
  /** Shop API, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Admin API (`/_conductor/*`). */
  adminUrl: string;
  dbPath: string;
  pid: number;
  /** Recent output of the supervisor and its workers. */
  output(): string;
  stop(): Promise<void>;
}

export interface RealPaymentProvider {
  url: string;
  pid: number;
  /** Every charge the provider received so far. */
  charges(): Promise<Charge[]>;
  stop(): Promise<void>;
}

const SHOP_MAIN = join(REPO_ROOT, 'demo-shop', 'src', 'main.ts');
const PROVIDER_MAIN = join(REPO_ROOT, 'demo-shop', 'src', 'real-payment-provider.ts');
/** The Hoverfly simulation of the payment provider the shop calls for load-test traffic. */
export const PAYMENT_PROVIDER_SIMULATION = join(REPO_ROOT, 'mocks', 'payment-provider', 'simulation.json');

export async function startDemoShop(opts: DemoShopOptions): Promise<DemoShop> {
  mkdirSync(opts.dataDir, { recursive: true });
  const dbPath = join(opts.dataDir, 'demo-shop.sqlite');
  const attempts = opts.shopPort === undefined || opts.adminPort === undefined ? 3 : 1;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const shopPort = opts.shopPort ?? (await freePort());
    const adminPort = opts.adminPort ?? (await freePort());
    const args = [
      SHOP_MAIN,
      ...['--shop-port', String(shopPort), '--admin-port', String(adminPort), '--db', dbPath],
      ...['--real-payment-url', opts.realPaymentUrl],
      ...(opts.mockPaymentUrl ? ['--mock-payment-url', opts.mockPaymentUrl] : []),
      ...(opts.version ? ['--app-version', opts.version] : []),
      ...(opts.replicas ? ['--replicas', String(opts.replicas)] : []),
      ...(opts.readOnly ? ['--read-only'] : []),
      ...(opts.orderConcurrency ? ['--order-concurrency', String(opts.orderConcurrency)] : []),
      ...(opts.orderWorkMs !== undefined ? ['--order-work-ms', String(opts.orderWorkMs)] : []),
      ...(opts.checkoutDelayMs && Object.keys(opts.checkoutDelayMs).length > 0
        ? [
            '--checkout-delay',
            Object.entries(opts.checkoutDelayMs)
              .map(([v, ms]) => `${v}=${ms}`)
              .join(','),
          ]
        : []),
    ];
    const tsx = tsxCommand();
    const proc = startProcess('demo-shop', tsx.command, [...tsx.args, ...args]);
    try {
      await proc.waitForLine(/^demo-shop ready /, opts.startTimeoutMs ?? 60_000);
    } catch (err) {
      await proc.stop();
      lastError = err as Error;
      if (/EADDRINUSE/.test(lastError.message)) continue; // a port was taken in between: try others
      throw lastError;
    }
    return {
      url: `http://127.0.0.1:${shopPort}`,
      adminUrl: `http://127.0.0.1:${adminPort}`,
      dbPath,
      pid: proc.pid,
      output: () => proc.output(),
      stop: () => proc.stop(15_000),
    };
  }
  throw lastError ?? new Error('demo-shop did not start');
}

export async function startRealPaymentProvider(opts: { port?: number } = {}): Promise<RealPaymentProvider> {
  const tsx = tsxCommand();
  const proc = startProcess('real-payment-provider', tsx.command, [
    ...tsx.args,
    PROVIDER_MAIN,
    '--port',
    String(opts.port ?? 0),
  ]);
  let url: string;
  try {
    const m = await proc.waitForLine(/^real-payment-provider ready (\S+)/, 30_000);
    url = m[1] as string;
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    url,
    pid: proc.pid,
    charges: async () => {
      const res = await fetch(`${url}/v1/charges`);
      if (!res.ok) throw new Error(`GET ${url}/v1/charges: ${res.status}`);
      return (await res.json()) as Charge[];
    },
    stop: () => proc.stop(),
  };
}

/** The shop's version and size, read through its conductor agent API (`GET /_conductor/shape`). */
export async function readShopShape(adminUrl: string): Promise<AppShape> {
  const res = await fetch(`${adminUrl}/_conductor/shape`);
  if (!res.ok) throw new Error(`GET ${adminUrl}/_conductor/shape: ${res.status}`);
  const { version, replicas } = (await res.json()) as AppShape;
  return { version, replicas };
}

/** Sets the shop's replicas through the agent API, as a rollout of its own manifest would. */
export async function setShopReplicas(adminUrl: string, replicas: number): Promise<void> {
  const res = await fetch(`${adminUrl}/_conductor/shape`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ replicas }),
  });
  if (!res.ok) throw new Error(`PUT ${adminUrl}/_conductor/shape: ${res.status} ${await res.text()}`);
}
