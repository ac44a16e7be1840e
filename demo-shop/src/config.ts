import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** Everything the supervisor and its workers need to know; built from CLI flags and environment variables. */
export interface ShopConfig {
  /** Interface both servers bind to. Loopback unless told otherwise. */
  host: string;
  /** Port of the shop API, shared by all workers (node:cluster). */
  shopPort: number;
  /** Port of the admin API (`/_conductor/*`), served by the supervisor. */
  adminPort: number;
  /** SQLite file shared by all processes (WAL mode). */
  dbPath: string;
  /** Payment provider for traffic marked as load test (the Hoverfly simulation); none = refuse such orders. */
  mockPaymentUrl: string | undefined;
  /** Payment provider for all other traffic. */
  realPaymentUrl: string;
  /** Version label the workers report in `X-App-Version`. */
  version: string;
  /** Number of worker processes at start. */
  replicas: number;
  /** The conductor may read this instance but not change it (production). */
  readOnly: boolean;
  /** Header that marks load-test traffic; its value must be `true`. */
  testHeader: string;
  /** Orders one worker processes at the same time (its capacity, with `orderWorkMs`). */
  orderConcurrency: number;
  /** Orders that may wait for a slot in one worker before it answers 503. */
  orderQueueLimit: number;
  /** Time an order holds its slot besides the payment call (fraud check, stock reservation, ...). */
  orderWorkMs: number;
  /** Timeout of the payment call. */
  paymentTimeoutMs: number;
  /**
   * Requests a kept-alive connection serves before the worker closes it; 0 = no limit. node:cluster hands each
   * connection to one worker for its whole life, so without a limit the replicas' load follows where the
   * connections happened to land, not where the requests are; closing them every few requests rebalances the
   * load as a load balancer that spreads requests would.
   */
  requestsPerConnection: number;
  /**
   * Extra milliseconds a version's "place order" takes before it starts (outside the order capacity): a build with
   * a known latency regression, to demonstrate the baseline comparison. Version → ms; a version not listed has none.
   */
  checkoutDelayMs: Record<string, number>;
}

export const MAX_REPLICAS = 16;
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

const DEFAULTS = {
  host: '127.0.0.1',
  shopPort: 8080,
  adminPort: 8081,
  dbPath: join(tmpdir(), 'demo-shop', 'demo-shop.sqlite'),
  version: '1.0.0',
  replicas: 1,
  testHeader: 'X-Load-Test',
  orderConcurrency: 2,
  orderQueueLimit: 200,
  orderWorkMs: 100,
  paymentTimeoutMs: 5000,
  requestsPerConnection: 10,
};

/** flag name → environment variable read when the flag is absent. */
export const ENV_NAMES = {
  host: 'DEMO_SHOP_HOST',
  'shop-port': 'DEMO_SHOP_PORT',
  'admin-port': 'DEMO_SHOP_ADMIN_PORT',
  db: 'DEMO_SHOP_DB',
  'mock-payment-url': 'DEMO_SHOP_MOCK_PAYMENT_URL',
  'real-payment-url': 'DEMO_SHOP_REAL_PAYMENT_URL',
  'app-version': 'DEMO_SHOP_VERSION',
  replicas: 'DEMO_SHOP_REPLICAS',
  'read-only': 'DEMO_SHOP_READ_ONLY',
  'test-header': 'DEMO_SHOP_TEST_HEADER',
  'order-concurrency': 'DEMO_SHOP_ORDER_CONCURRENCY',
  'order-queue-limit': 'DEMO_SHOP_ORDER_QUEUE_LIMIT',
  'order-work-ms': 'DEMO_SHOP_ORDER_WORK_MS',
  'payment-timeout-ms': 'DEMO_SHOP_PAYMENT_TIMEOUT_MS',
  'checkout-delay': 'DEMO_SHOP_CHECKOUT_DELAY',
  'requests-per-connection': 'DEMO_SHOP_REQUESTS_PER_CONNECTION',
} as const;

type FlagName = keyof typeof ENV_NAMES;

export const USAGE = `Usage: demo-shop [options]   (each flag also reads the environment variable shown)
  --host <ip>                    bind address (DEMO_SHOP_HOST, default 127.0.0.1)
  --shop-port <n>                shop API port, shared by the workers (DEMO_SHOP_PORT, default 8080)
  --admin-port <n>               admin API port /_conductor/* (DEMO_SHOP_ADMIN_PORT, default 8081)
  --db <path>                    SQLite file (DEMO_SHOP_DB, default $TMPDIR/demo-shop/demo-shop.sqlite)
  --mock-payment-url <url>       payment provider for X-Load-Test traffic (DEMO_SHOP_MOCK_PAYMENT_URL)
  --real-payment-url <url>       payment provider for all other traffic (DEMO_SHOP_REAL_PAYMENT_URL, required)
  --app-version <label>          version reported in X-App-Version (DEMO_SHOP_VERSION, default 1.0.0)
  --replicas <1..16>             worker processes (DEMO_SHOP_REPLICAS, default 1)
  --read-only                    refuse changes through the admin API (DEMO_SHOP_READ_ONLY=true)
  --test-header <name>           header marking load-test traffic (DEMO_SHOP_TEST_HEADER, default X-Load-Test)
  --order-concurrency <n>        orders per worker at once (DEMO_SHOP_ORDER_CONCURRENCY, default 2)
  --order-queue-limit <n>        orders waiting per worker before 503 (DEMO_SHOP_ORDER_QUEUE_LIMIT, default 200)
  --order-work-ms <n>            work per order besides payment (DEMO_SHOP_ORDER_WORK_MS, default 100)
  --payment-timeout-ms <n>       payment call timeout (DEMO_SHOP_PAYMENT_TIMEOUT_MS, default 5000)
  --checkout-delay <v=ms,...>    extra ms before placing an order, per version, e.g. 2.6.0-slow=150
                                 (DEMO_SHOP_CHECKOUT_DELAY, default none)
  --requests-per-connection <n>  requests a kept-alive connection serves before the worker closes it, so the
                                 load rebalances over the workers; 0 = no limit
                                 (DEMO_SHOP_REQUESTS_PER_CONNECTION, default 10)`;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse flags (which win) and environment variables into a validated config; throws ConfigError. */
export function parseShopConfig(argv: string[], env: NodeJS.ProcessEnv = {}): ShopConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        'shop-port': { type: 'string' },
        'admin-port': { type: 'string' },
        db: { type: 'string' },
        'mock-payment-url': { type: 'string' },
        'real-payment-url': { type: 'string' },
        'app-version': { type: 'string' },
        replicas: { type: 'string' },
        'read-only': { type: 'boolean' },
        'test-header': { type: 'string' },
        'order-concurrency': { type: 'string' },
        'order-queue-limit': { type: 'string' },
        'order-work-ms': { type: 'string' },
        'payment-timeout-ms': { type: 'string' },
        'checkout-delay': { type: 'string' },
        'requests-per-connection': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const raw = (flag: FlagName): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = env[ENV_NAMES[flag]];
    return e === undefined || e === '' ? undefined : e;
  };
  const int = (flag: FlagName, fallback: number, min: number, max: number): number => {
    const text = raw(flag);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(
        `--${flag} (${ENV_NAMES[flag]}) must be an integer in ${min}..${max}, got "${text}"`,
      );
    }
    return n;
  };
  const url = (flag: FlagName): string | undefined => {
    const text = raw(flag);
    if (text === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw new ConfigError(`--${flag} (${ENV_NAMES[flag]}) must be an http(s) URL, got "${text}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ConfigError(`--${flag} (${ENV_NAMES[flag]}) must be an http(s) URL, got "${text}"`);
    }
    return text.replace(/\/+$/, '');
  };

  const realPaymentUrl = url('real-payment-url');
  if (realPaymentUrl === undefined) {
    throw new ConfigError('--real-payment-url (DEMO_SHOP_REAL_PAYMENT_URL) is required');
  }
  const version = raw('app-version') ?? DEFAULTS.version;
  if (!VERSION_PATTERN.test(version)) {
    throw new ConfigError(
      `--app-version (DEMO_SHOP_VERSION) must be 1-64 characters of letters, digits and ._+- , got "${version}"`,
    );
  }
  const testHeader = raw('test-header') ?? DEFAULTS.testHeader;
  if (!/^[A-Za-z0-9-]+$/.test(testHeader)) {
    throw new ConfigError(`--test-header (DEMO_SHOP_TEST_HEADER) is not a header name: "${testHeader}"`);
  }
  const readOnlyEnv = env[ENV_NAMES['read-only']];
  const readOnly = values['read-only'] === true || readOnlyEnv === 'true' || readOnlyEnv === '1';

  return {
    host: raw('host') ?? DEFAULTS.host,
    shopPort: int('shop-port', DEFAULTS.shopPort, 1, 65535),
    adminPort: int('admin-port', DEFAULTS.adminPort, 1, 65535),
    dbPath: raw('db') ?? DEFAULTS.dbPath,
    mockPaymentUrl: url('mock-payment-url'),
    realPaymentUrl,
    version,
    replicas: int('replicas', DEFAULTS.replicas, 1, MAX_REPLICAS),
    readOnly,
    testHeader,
    orderConcurrency: int('order-concurrency', DEFAULTS.orderConcurrency, 1, 1000),
    orderQueueLimit: int('order-queue-limit', DEFAULTS.orderQueueLimit, 0, 100_000),
    orderWorkMs: int('order-work-ms', DEFAULTS.orderWorkMs, 0, 60_000),
    paymentTimeoutMs: int('payment-timeout-ms', DEFAULTS.paymentTimeoutMs, 1, 120_000),
    checkoutDelayMs: checkoutDelays(raw('checkout-delay')),
    requestsPerConnection: int('requests-per-connection', DEFAULTS.requestsPerConnection, 0, 100_000),
  };
}

/** `2.6.0-slow=150,3.0.0=20` → {"2.6.0-slow": 150, "3.0.0": 20}; throws ConfigError naming the bad entry. */
function checkoutDelays(text: string | undefined): Record<string, number> {
  const delays: Record<string, number> = {};
  if (text === undefined) return delays;
  for (const entry of text.split(',')) {
    const [version, ms, ...rest] = entry.trim().split('=');
    const n = Number(ms);
    if (
      !version ||
      !VERSION_PATTERN.test(version) ||
      rest.length > 0 ||
      !Number.isInteger(n) ||
      n < 0 ||
      n > 60_000
    ) {
      throw new ConfigError(
        `--checkout-delay (DEMO_SHOP_CHECKOUT_DELAY) entries must be <version>=<ms> with ms in 0..60000, got "${entry.trim()}"`,
      );
    }
    delays[version] = n;
  }
  return delays;
}
