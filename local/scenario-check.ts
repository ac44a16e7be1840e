/**
 * `ltc scenario check`: runs a locustfile headless for a short, bounded time against a target on this machine
 * (the demo shop by default, started as `ltc local` starts it), behind a proxy that counts the requests without
 * the load-test header, and says whether the conductor can steer on it (docs/bring-your-own-scenario.md).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PAYMENT_PROVIDER_SIMULATION, startDemoShop, startRealPaymentProvider } from './demo-shop';
import { startHoverfly } from './hoverfly';
import { DEFAULT_LOCUST_BIN } from './locust-cluster';
import { REPO_ROOT } from './managed-process';

const run = promisify(execFile);

export interface ScenarioCheckOptions {
  readonly locustfile: string;
  /** Base URL of the system under test; absent: the demo shop, started for the check. */
  readonly target?: string;
  readonly users: number;
  readonly seconds: number;
  readonly header: { readonly name: string; readonly value: string };
  /** Extra environment for Locust (LTC_PACING_SECONDS, LTC_ORDER_REQUEST_NAME, …). */
  readonly env?: Readonly<Record<string, string>>;
}

/** What `locust/inspect_locustfile.py` prints. */
export interface LocustfileOffer {
  readonly pluginImported: boolean;
  readonly kpiRequestName: string | null;
  readonly classes: Readonly<Record<string, { readonly weight: number; readonly countsKpi: boolean }>>;
}

/** What the headless run and the proxy saw. */
export interface ScenarioObservation {
  readonly users: number;
  readonly seconds: number;
  readonly kpiRequests: number;
  readonly kpiFailures: number;
  readonly requests: number;
  readonly requestsWithoutHeader: number;
  /** A few "METHOD path" of requests without the header. */
  readonly unmarkedExamples: readonly string[];
}

export interface ScenarioCheckResult {
  readonly ok: boolean;
  readonly offer: LocustfileOffer;
  readonly observation: ScenarioObservation | null;
  /** One line per finding; each failing one says what to add. */
  readonly findings: readonly { readonly ok: boolean; readonly message: string }[];
  /** Successful KPI requests per user and minute: a first guess for `locust.initialOrdersPerUserPerMinute`. */
  readonly kpiPerUserPerMinute: number | null;
}

/** Findings about the locustfile alone: without the plugin or a class counting the KPI, nothing is run. */
export function offerFindings(offer: LocustfileOffer): ScenarioCheckResult['findings'] {
  if (!offer.pluginImported) {
    return [
      {
        ok: false,
        message:
          'the locustfile does not import the conductor plugin: copy locust/conductor_plugin.py beside it and add ' +
          '`from conductor_plugin import counts_kpi, kpi_request_name, load_test_headers` (the master then serves ' +
          '/conductor/kpi and /conductor/scenario)',
      },
    ];
  }
  const names = Object.keys(offer.classes);
  const counting = names.filter((n) => offer.classes[n]?.countsKpi);
  if (counting.length === 0) {
    return [
      { ok: true, message: 'imports the conductor plugin' },
      {
        ok: false,
        message: `no User class is marked as counting the KPI (classes: ${names.join(', ') || 'none'}): mark the class that fires the KPI request with @counts_kpi and name that request name=kpi_request_name() ('${offer.kpiRequestName}')`,
      },
    ];
  }
  return [
    { ok: true, message: 'imports the conductor plugin' },
    { ok: true, message: `counts the KPI in ${counting.join(', ')}` },
  ];
}

/** Findings about the run: the KPI counted, every request marked, what a failed KPI request does. */
export function runFindings(
  offer: LocustfileOffer,
  seen: ScenarioObservation,
  header: ScenarioCheckOptions['header'],
): ScenarioCheckResult['findings'] {
  const findings: { ok: boolean; message: string }[] = [];
  const name = offer.kpiRequestName ?? '';
  if (seen.kpiRequests === 0) {
    findings.push({
      ok: false,
      message: `no request named '${name}' in ${seen.seconds} s with ${seen.users} users, so the KPI is not counted: name the KPI request name=kpi_request_name() (or call fire_kpi_event) in the class marked @counts_kpi`,
    });
  } else {
    findings.push({
      ok: true,
      message: `the KPI is counted: ${seen.kpiRequests - seen.kpiFailures} successful '${name}' requests in ${seen.seconds} s`,
    });
  }
  if (seen.requests === 0) {
    findings.push({ ok: false, message: 'no request reached the target: is its URL right?' });
  } else if (seen.requestsWithoutHeader > 0) {
    findings.push({
      ok: false,
      message: `${seen.requestsWithoutHeader} of ${seen.requests} requests lack the load-test header ${header.name}: ${header.value} (e.g. ${seen.unmarkedExamples.join(', ')}): set default_headers = load_test_headers() on every User class`,
    });
  } else {
    findings.push({
      ok: true,
      message: `all ${seen.requests} requests carry ${header.name}: ${header.value}`,
    });
  }
  findings.push({
    ok: true,
    message:
      seen.kpiFailures > 0
        ? `KPI failure semantics: ${seen.kpiFailures} of ${seen.kpiRequests} '${name}' requests failed; they count as failures, never as ${name}`
        : `KPI failure semantics: a '${name}' request counts only when it succeeds (none failed here); make it fail (catch_response) when the business transaction did not happen`,
  });
  return findings;
}

export function kpiPerUserPerMinute(seen: ScenarioObservation): number | null {
  if (seen.users <= 0 || seen.seconds <= 0) return null;
  return Math.round(((seen.kpiRequests - seen.kpiFailures) / seen.users / (seen.seconds / 60)) * 100) / 100;
}

/** Runs the whole check; starts and stops the demo shop when no target is given. */
export async function checkScenario(options: ScenarioCheckOptions): Promise<ScenarioCheckResult> {
  const locustfile = resolve(options.locustfile);
  const offer = await inspectLocustfile(locustfile, options.env);
  const early = offerFindings(offer);
  if (early.some((f) => !f.ok)) {
    return { ok: false, offer, observation: null, findings: early, kpiPerUserPerMinute: null };
  }
  const stops: (() => Promise<void>)[] = [];
  try {
    let target = options.target;
    if (!target) {
      const workDir = mkdtempSync(join(tmpdir(), 'ltc-scenario-check-'));
      const payment = await startRealPaymentProvider();
      stops.push(() => payment.stop());
      const hoverfly = await startHoverfly({
        simulation: PAYMENT_PROVIDER_SIMULATION,
        journalSize: 0,
      });
      stops.push(() => hoverfly.stop());
      const shop = await startDemoShop({
        dataDir: join(workDir, 'shop'),
        realPaymentUrl: payment.url,
        mockPaymentUrl: hoverfly.url,
      });
      stops.push(() => shop.stop());
      target = shop.url;
    }
    const proxy = await headerCountingProxy(target, options.header.name, options.header.value);
    stops.push(() => proxy.stop());
    const stats = await runHeadless(locustfile, proxy.url, options);
    const kpi = stats.filter((s) => s.name === offer.kpiRequestName);
    const observation: ScenarioObservation = {
      users: options.users,
      seconds: options.seconds,
      kpiRequests: kpi.reduce((n, s) => n + s.num_requests, 0),
      kpiFailures: kpi.reduce((n, s) => n + s.num_failures, 0),
      requests: proxy.counts.requests,
      requestsWithoutHeader: proxy.counts.withoutHeader,
      unmarkedExamples: proxy.counts.examples,
    };
    const findings = [...early, ...runFindings(offer, observation, options.header)];
    return {
      ok: findings.every((f) => f.ok),
      offer,
      observation,
      findings,
      kpiPerUserPerMinute: kpiPerUserPerMinute(observation),
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

async function inspectLocustfile(
  locustfile: string,
  env: Readonly<Record<string, string>> = {},
): Promise<LocustfileOffer> {
  const python = join(dirname(DEFAULT_LOCUST_BIN), 'python');
  try {
    const { stdout } = await run(python, [join(REPO_ROOT, 'locust/inspect_locustfile.py'), locustfile], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as LocustfileOffer;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' ') ?? '';
    throw new Error(`cannot load ${locustfile} with Locust: ${stderr || (err as Error).message}`);
  }
}

interface LocustJsonEntry {
  readonly name: string;
  readonly num_requests: number;
  readonly num_failures: number;
}

async function runHeadless(
  locustfile: string,
  host: string,
  options: ScenarioCheckOptions,
): Promise<LocustJsonEntry[]> {
  const args = [
    '-f',
    locustfile,
    '--headless',
    '--users',
    String(options.users),
    '--spawn-rate',
    String(options.users),
    '--run-time',
    `${options.seconds}s`,
    '--stop-timeout',
    '5',
    '--host',
    host,
    '--json',
    '--skip-log',
    '--exit-code-on-error',
    '0',
  ];
  const { stdout } = await run(DEFAULT_LOCUST_BIN, args, {
    cwd: dirname(locustfile),
    env: {
      ...process.env,
      PYTHONPATH: dirname(locustfile),
      LTC_EXIT_WITH_PARENT: String(process.pid),
      ...options.env,
    },
    timeout: (options.seconds + 60) * 1000,
    maxBuffer: 32 * 1024 * 1024,
  });
  return JSON.parse(stdout.slice(stdout.indexOf('['))) as LocustJsonEntry[];
}

interface Proxy {
  readonly url: string;
  readonly counts: { requests: number; withoutHeader: number; examples: string[] };
  stop(): Promise<void>;
}

/** Forwards every request to `target`, counting those without `header: value`. */
async function headerCountingProxy(target: string, header: string, value: string): Promise<Proxy> {
  const upstream = new URL(target);
  const counts = { requests: 0, withoutHeader: 0, examples: [] as string[] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    counts.requests += 1;
    if (req.headers[header.toLowerCase()] !== value) {
      counts.withoutHeader += 1;
      if (counts.examples.length < 3) counts.examples.push(`${req.method} ${req.url}`);
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
