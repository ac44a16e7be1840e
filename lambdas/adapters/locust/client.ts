/**
 * Typed client for a Locust master's web API (checked against Locust 2.47.0; stats parsing also accepts the
 * 2.12-era field names). Needs the master to run with its web UI (not `--headless`) and, for `kpi()`, the
 * scenario to load `locust/conductor_plugin.py`.
 *
 * Errors:
 * - `TransientError` (from core/errors): connection refused/reset, DNS, timeouts, HTTP 5xx and 429 — the state
 *   machine retries these.
 * - `LocustError`: the master answered, but not what the protocol says (HTML error page, non-JSON, missing or
 *   mistyped fields, `/swarm` refused, 4xx). The message names what is wrong. Not retried.
 * - `ValidationError`: bad arguments (negative users, spawn rate ≤ 0), before any request is sent.
 */
import { type Dispatcher, request } from 'undici';
import { type FieldProblem, TransientError, ValidationError } from '../../core/errors';

export class LocustError extends Error {
  override readonly name = 'LocustError';
  constructor(
    message: string,
    readonly details: { readonly path?: string; readonly status?: number } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const LOCUST_STATES = [
  'ready',
  'spawning',
  'running',
  'cleanup',
  'stopping',
  'stopped',
  'missing',
] as const;
export type LocustState = (typeof LOCUST_STATES)[number];

export interface LocustPercentiles {
  /** `median_response_time` (ms). */
  readonly p50: number | null;
  /** `ninetieth_response_time` (≤ 2.27) or `response_time_percentile_0.9` when the master reports it. */
  readonly p90: number | null;
  /** `response_time_percentile_0.95` (2.28+); null on 2.12, which does not report a 95th percentile. */
  readonly p95: number | null;
  /** `response_time_percentile_0.99` (2.28+) or `ninety_ninth_response_time` (≤ 2.27). */
  readonly p99: number | null;
}

export interface LocustStatsEntry {
  readonly name: string;
  /** HTTP method; null for the Aggregated row. */
  readonly method: string | null;
  /** All requests, failures included. */
  readonly numRequests: number;
  readonly numFailures: number;
  /** Requests per second over the last seconds (display only: steer on counters, not rates). */
  readonly currentRps: number | null;
  readonly avgResponseTime: number | null;
  readonly minResponseTime: number | null;
  readonly maxResponseTime: number | null;
  readonly percentiles: LocustPercentiles;
}

export interface LocustWorker {
  readonly id: string;
  readonly state: LocustState;
  readonly userCount: number;
  readonly cpuUsage: number | null;
  readonly memoryUsage: number | null;
}

export interface LocustStatsError {
  readonly method: string | null;
  readonly name: string;
  readonly error: string;
  readonly occurrences: number;
}

export interface LocustStats {
  readonly state: LocustState;
  readonly userCount: number;
  /** Connected workers that are not missing (`worker_count` from 2.37.2, else counted from `workers`). */
  readonly workerCount: number;
  /** Empty on a standalone (non-distributed) runner. */
  readonly workers: readonly LocustWorker[];
  /** Failures / requests over all entries, 0..1. */
  readonly failRatio: number;
  /** Per-request entries, without the Aggregated row. */
  readonly entries: readonly LocustStatsEntry[];
  /** The Aggregated row (null when the master sent none). */
  readonly aggregated: LocustStatsEntry | null;
  readonly errors: readonly LocustStatsError[];
}

/** `GET /conductor/kpi` from locust/conductor_plugin.py. */
export interface LocustKpi {
  /** New on every master start: a changed bootId means the counters restarted. */
  readonly bootId: string;
  /** +1 whenever the counters go back to zero (reset, new test). */
  readonly generation: number;
  /** Successful order requests in this generation. */
  readonly orders: number;
  readonly orderFailures: number;
  readonly state: LocustState;
  readonly workers: number;
  readonly userCount: number;
  /** Master clock, epoch seconds. */
  readonly timestamp: number;
  /**
   * Successful orders completed before `through` (whole epoch seconds), which every connected worker has
   * reported past: an interval's orders over exactly its seconds, not the 3-s staircase of `orders`. Null while
   * a worker has not reported since it connected, or from a master without it.
   */
  readonly settled: { readonly through: number; readonly orders: number } | null;
}

/** `GET /conductor/scenario` from locust/conductor_plugin.py: what the master can run, and runs. */
export interface LocustScenarioInfo {
  /** Whether the master runs with `--class-picker`, so `/swarm` can select user classes. */
  readonly classPicker: boolean;
  /** Every User class the master loaded, with its current weight and whether it counts the KPI. */
  readonly offered: Readonly<Record<string, { readonly weight: number; readonly countsKpi: boolean }>>;
  readonly selected: readonly string[];
  /** Users running per class (as the workers reported them). */
  readonly running: Readonly<Record<string, number>>;
  /** The request name the master's plugin counts as the KPI. */
  readonly kpiRequestName: string;
}

/** One entry of `GET /conductor/histograms`: a request name and method's counters and rounded response times. */
export interface LocustHistogramEntry {
  readonly name: string;
  readonly method: string | null;
  readonly requests: number;
  readonly failures: number;
  /** Rounded milliseconds → responses. */
  readonly histogram: Readonly<Record<string, number>>;
}

/** `GET /conductor/histograms` from locust/conductor_plugin.py. */
export interface LocustHistograms {
  readonly bootId: string;
  readonly generation: number;
  readonly entries: readonly LocustHistogramEntry[];
  /** All requests together (`stats.total`). */
  readonly aggregated: LocustHistogramEntry;
}

export interface SwarmRequest {
  /** Total users across all workers (0 pauses the test and keeps the counters). */
  readonly userCount: number;
  /** The User classes to run (needs `--class-picker`); absent: the master keeps its selection. */
  readonly userClasses?: readonly string[];
  /** Users started (or stopped) per second across the cluster; must be > 0. */
  readonly spawnRate: number;
  /** Optional new target host. */
  readonly host?: string;
}

export interface SwarmResult {
  readonly message: string;
  readonly host: string | null;
}

export interface LocustClientOptions {
  /** Master web UI base URL, e.g. `http://locust-master:8089` (a `--web-base-path` may be included). */
  readonly baseUrl: string;
  /** Deadline for one call, connect to last byte (default 10 s). */
  readonly timeoutMs?: number;
  /** Extra headers, e.g. Authorization when the master sits behind an authenticating proxy. */
  readonly headers?: Readonly<Record<string, string>>;
  /** undici dispatcher (tests use a MockAgent). */
  readonly dispatcher?: Dispatcher;
}

type Method = 'GET' | 'POST';

interface RawResponse {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_ABORTED',
]);

/** Whether a thrown network error may pass on its own. */
export function isTransientNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (name === 'TimeoutError' || name === 'AbortError' || name === 'ConnectTimeoutError') return true;
    if (Array.isArray((e as { errors?: unknown }).errors)) {
      // AggregateError from happy-eyeballs connects (IPv4 + IPv6 both refused).
      if ((e as AggregateError).errors.some(isTransientNetworkError)) return true;
    }
  }
  return false;
}

export class LocustClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: LocustClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new ValidationError([
        { field: 'baseUrl', rule: `must be an absolute http(s) URL, got '${options.baseUrl}'` },
      ]);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ValidationError([{ field: 'baseUrl', rule: `must be http(s), got '${url.protocol}'` }]);
    }
    this.baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Start a test, or change users / spawn rate of a running one (`POST /swarm`, form-encoded). */
  async swarm(req: SwarmRequest): Promise<SwarmResult> {
    const problems: FieldProblem[] = [];
    if (!Number.isSafeInteger(req.userCount) || req.userCount < 0) {
      problems.push({ field: 'userCount', rule: `must be an integer >= 0, got ${req.userCount}` });
    }
    if (!Number.isFinite(req.spawnRate) || req.spawnRate <= 0) {
      problems.push({ field: 'spawnRate', rule: `must be a number > 0, got ${req.spawnRate}` });
    }
    if (problems.length > 0) throw new ValidationError(problems);
    const form = new URLSearchParams({
      user_count: String(req.userCount),
      spawn_rate: String(req.spawnRate),
    });
    if (req.host !== undefined) form.set('host', req.host);
    for (const name of req.userClasses ?? []) form.append('user_classes', name);
    const res = await this.call('POST', '/swarm', form.toString());
    const body = this.json('/swarm', res);
    const reply = obj(body, '/swarm reply');
    if (reply.success !== true) {
      const message = typeof reply.message === 'string' ? reply.message : JSON.stringify(body).slice(0, 200);
      throw new LocustError(`/swarm refused: ${message}`, { path: '/swarm', status: res.status });
    }
    return {
      message: typeof reply.message === 'string' ? reply.message : '',
      host: typeof reply.host === 'string' ? reply.host : null,
    };
  }

  /**
   * Sets a User class's weight on the master and its workers (`POST /user`, Locust's user settings): the next
   * test started from stopped/ready dispatches users by these weights.
   */
  async setUserClassWeight(userClass: string, weight: number): Promise<void> {
    if (!Number.isSafeInteger(weight) || weight < 1) {
      throw new ValidationError([{ field: 'weight', rule: `must be an integer >= 1, got ${weight}` }]);
    }
    await this.call(
      'POST',
      '/user',
      JSON.stringify({ user_class_name: userClass, weight }),
      {},
      'application/json',
    );
  }

  /** `GET /conductor/scenario` (the plugin's). */
  async scenario(): Promise<LocustScenarioInfo> {
    const res = await this.call('GET', '/conductor/scenario', undefined, {
      404: 'the master does not serve /conductor/scenario: is the scenario importing locust/conductor_plugin.py?',
    });
    return parseScenarioInfo(this.json('/conductor/scenario', res));
  }

  /** Stop all users (`POST /stop`; older masters: `GET /stop`). Counters are kept. */
  async stop(): Promise<void> {
    const res = await this.callPostOrGet('/stop');
    const reply = obj(this.json('/stop', res), '/stop reply');
    if (reply.success !== true) {
      throw new LocustError(`/stop failed: ${String(reply.message ?? JSON.stringify(reply))}`, {
        path: '/stop',
        status: res.status,
      });
    }
  }

  /** `GET /stats/requests` (cached ~2 s by the master; workers report every 3 s). */
  async stats(): Promise<LocustStats> {
    const res = await this.call('GET', '/stats/requests');
    return parseStats(this.json('/stats/requests', res));
  }

  /** `GET /conductor/kpi` (not cached). */
  async kpi(): Promise<LocustKpi> {
    const res = await this.call('GET', '/conductor/kpi', undefined, {
      404: 'the master does not serve /conductor/kpi: is the scenario importing locust/conductor_plugin.py?',
    });
    return parseKpi(this.json('/conductor/kpi', res));
  }

  /** `GET /conductor/histograms` (not cached): the master's response-time histograms. */
  async histograms(): Promise<LocustHistograms> {
    const res = await this.call('GET', '/conductor/histograms', undefined, {
      404: 'the master does not serve /conductor/histograms: is its locust/conductor_plugin.py older than the conductor?',
    });
    return parseHistograms(this.json('/conductor/histograms', res));
  }

  private async callPostOrGet(path: string): Promise<RawResponse> {
    const res = await this.call('POST', path, undefined, { 405: null });
    // Locust < 2.3x served these as GET only.
    return res.status === 405 ? await this.call('GET', path) : res;
  }

  /**
   * One HTTP call. Network errors, timeouts, 5xx and 429 → TransientError; other non-2xx → LocustError,
   * unless listed in `expected` (null: return the response as is; a string: LocustError with that hint).
   */
  private async call(
    method: Method,
    path: string,
    body?: string,
    expected: Readonly<Record<number, string | null>> = {},
    bodyType = 'application/x-www-form-urlencoded',
  ): Promise<RawResponse> {
    const url = `${this.baseUrl}${path}`;
    const what = `${method} ${url}`;
    let status: number;
    let contentType: string;
    let text: string;
    try {
      const res = await request(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': bodyType } : {}),
          ...this.options.headers,
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      });
      status = res.statusCode;
      const ct = res.headers['content-type'];
      contentType = (Array.isArray(ct) ? ct[0] : ct) ?? '';
      text = await res.body.text();
    } catch (err) {
      if (isTransientNetworkError(err)) {
        throw new TransientError(`Locust master unreachable: ${what}: ${describeError(err)}`, { cause: err });
      }
      throw new LocustError(`${what} failed: ${describeError(err)}`, { path }, { cause: err });
    }
    const raw: RawResponse = { status, contentType, text };
    if (status >= 200 && status < 300) return raw;
    if (status >= 500 || status === 429) {
      throw new TransientError(`Locust master answered HTTP ${status} to ${what}: ${describeBody(raw)}`);
    }
    const hint = expected[status];
    if (hint === null) return raw;
    throw new LocustError(
      `${what} answered HTTP ${status}${hint ? ` (${hint})` : ''}: ${describeBody(raw)}`,
      { path, status },
    );
  }

  private json(path: string, res: RawResponse): unknown {
    if (!/\bjson\b/i.test(res.contentType)) {
      throw new LocustError(
        `${path} answered ${res.contentType || 'no content type'} instead of JSON: ${describeBody(res)}`,
        {
          path,
          status: res.status,
        },
      );
    }
    try {
      return JSON.parse(res.text);
    } catch {
      throw new LocustError(`${path} answered invalid JSON: ${describeBody(res)}`, {
        path,
        status: res.status,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing (exported for tests)

type Obj = Record<string, unknown>;

function obj(value: unknown, where: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LocustError(`${where} is not a JSON object (got ${kind(value)})`);
  }
  return value as Obj;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}

function num(o: Obj, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new LocustError(`${where}.${key} is ${v === undefined ? 'missing' : `not a number (${kind(v)})`}`);
  }
  return v;
}

function count(o: Obj, key: string, where: string): number {
  const v = num(o, key, where);
  if (!Number.isInteger(v) || v < 0)
    throw new LocustError(`${where}.${key} is not a non-negative integer (${v})`);
  return v;
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') {
    throw new LocustError(`${where}.${key} is ${v === undefined ? 'missing' : `not a string (${kind(v)})`}`);
  }
  return v;
}

/** Optional number: absent or null → null; anything else must be a finite number. */
function optNum(o: Obj, keys: readonly string[], where: string): number | null {
  for (const key of keys) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new LocustError(`${where}.${key} is not a number (${kind(v)})`);
    }
    return v;
  }
  return null;
}

function state(o: Obj, key: string, where: string): LocustState {
  const v = str(o, key, where);
  if (!(LOCUST_STATES as readonly string[]).includes(v)) {
    throw new LocustError(
      `${where}.${key} is the unknown runner state '${v}' (expected one of ${LOCUST_STATES.join(', ')})`,
    );
  }
  return v as LocustState;
}

function parseEntry(value: unknown, where: string): LocustStatsEntry {
  const o = obj(value, where);
  const method = o.method;
  if (method !== null && method !== undefined && typeof method !== 'string') {
    throw new LocustError(`${where}.method is not a string (${kind(method)})`);
  }
  const numRequests = count(o, 'num_requests', where);
  const numFailures = count(o, 'num_failures', where);
  return {
    name: str(o, 'name', where),
    method: method ? method : null,
    numRequests,
    numFailures,
    currentRps: optNum(o, ['current_rps'], where),
    avgResponseTime: optNum(o, ['avg_response_time'], where),
    minResponseTime: optNum(o, ['min_response_time'], where),
    maxResponseTime: optNum(o, ['max_response_time'], where),
    percentiles: {
      p50: optNum(o, ['median_response_time', 'response_time_percentile_0.5'], where),
      p90: optNum(o, ['response_time_percentile_0.9', 'ninetieth_response_time'], where),
      p95: optNum(o, ['response_time_percentile_0.95', 'ninety_fifth_response_time'], where),
      p99: optNum(o, ['response_time_percentile_0.99', 'ninety_ninth_response_time'], where),
    },
  };
}

function parseWorker(value: unknown, where: string): LocustWorker {
  const o = obj(value, where);
  return {
    id: str(o, 'id', where),
    state: state(o, 'state', where),
    userCount: count(o, 'user_count', where),
    cpuUsage: optNum(o, ['cpu_usage'], where),
    memoryUsage: optNum(o, ['memory_usage'], where),
  };
}

function parseStatsError(value: unknown, where: string): LocustStatsError {
  const o = obj(value, where);
  const method = o.method;
  return {
    method: typeof method === 'string' && method ? method : null,
    name: str(o, 'name', where),
    error: str(o, 'error', where),
    occurrences: count(o, 'occurrences', where),
  };
}

/** Validate and normalise a `GET /stats/requests` body (Locust 2.12 … 2.47 field names). */
export function parseStats(body: unknown): LocustStats {
  const where = 'stats/requests';
  const o = obj(body, where);
  const rawEntries = o.stats;
  if (!Array.isArray(rawEntries)) {
    throw new LocustError(
      `${where}.stats is ${rawEntries === undefined ? 'missing' : `not an array (${kind(rawEntries)})`}`,
    );
  }
  const all = rawEntries.map((e, i) => parseEntry(e, `${where}.stats[${i}]`));
  const last = all.at(-1);
  const aggregated = last && last.name === 'Aggregated' && last.method === null ? last : null;
  const entries = aggregated ? all.slice(0, -1) : all;

  let workers: LocustWorker[] = [];
  if (o.workers !== undefined) {
    if (!Array.isArray(o.workers))
      throw new LocustError(`${where}.workers is not an array (${kind(o.workers)})`);
    workers = o.workers.map((w, i) => parseWorker(w, `${where}.workers[${i}]`));
  }
  const workerCount =
    o.worker_count === undefined
      ? workers.filter((w) => w.state !== 'missing').length
      : count(o, 'worker_count', where);

  let errors: LocustStatsError[] = [];
  if (o.errors !== undefined) {
    if (!Array.isArray(o.errors))
      throw new LocustError(`${where}.errors is not an array (${kind(o.errors)})`);
    errors = o.errors.map((e, i) => parseStatsError(e, `${where}.errors[${i}]`));
  }

  let failRatio = optNum(o, ['fail_ratio'], where);
  if (failRatio === null) {
    const total = aggregated ?? {
      numRequests: entries.reduce((s, e) => s + e.numRequests, 0),
      numFailures: entries.reduce((s, e) => s + e.numFailures, 0),
    };
    failRatio = total.numRequests > 0 ? total.numFailures / total.numRequests : 0;
  }
  if (failRatio < 0 || failRatio > 1)
    throw new LocustError(`${where}.fail_ratio is outside 0..1 (${failRatio})`);

  return {
    state: state(o, 'state', where),
    userCount: count(o, 'user_count', where),
    workerCount,
    workers,
    failRatio,
    entries,
    aggregated,
    errors,
  };
}

/** Validate a `GET /conductor/kpi` body. */
export function parseKpi(body: unknown): LocustKpi {
  const where = 'conductor/kpi';
  const o = obj(body, where);
  const bootId = str(o, 'bootId', where);
  if (!bootId) throw new LocustError(`${where}.bootId is empty`);
  return {
    bootId,
    generation: count(o, 'generation', where),
    orders: count(o, 'orders', where),
    orderFailures: count(o, 'orderFailures', where),
    state: state(o, 'state', where),
    workers: count(o, 'workers', where),
    userCount: count(o, 'userCount', where),
    timestamp: num(o, 'timestamp', where),
    settled: o.settled == null ? null : parseSettled(o.settled, `${where}.settled`),
  };
}

function parseSettled(body: unknown, where: string): LocustKpi['settled'] {
  const o = obj(body, where);
  return { through: num(o, 'through', where), orders: count(o, 'orders', where) };
}

/** Validate a `GET /conductor/scenario` body. */
export function parseScenarioInfo(body: unknown): LocustScenarioInfo {
  const where = 'conductor/scenario';
  const o = obj(body, where);
  if (typeof o.classPicker !== 'boolean') throw new LocustError(`${where}.classPicker is not a boolean`);
  const offeredRaw = obj(o.offered, `${where}.offered`);
  const offered: Record<string, { weight: number; countsKpi: boolean }> = {};
  for (const [name, value] of Object.entries(offeredRaw)) {
    const c = obj(value, `${where}.offered.${name}`);
    if (typeof c.countsKpi !== 'boolean') {
      throw new LocustError(`${where}.offered.${name}.countsKpi is not a boolean`);
    }
    offered[name] = { weight: num(c, 'weight', `${where}.offered.${name}`), countsKpi: c.countsKpi };
  }
  if (!Array.isArray(o.selected) || !o.selected.every((n) => typeof n === 'string')) {
    throw new LocustError(`${where}.selected is not an array of class names`);
  }
  const runningRaw = obj(o.running, `${where}.running`);
  const running: Record<string, number> = {};
  for (const name of Object.keys(runningRaw)) running[name] = count(runningRaw, name, `${where}.running`);
  return {
    classPicker: o.classPicker,
    offered,
    selected: o.selected as string[],
    running,
    kpiRequestName: str(o, 'kpiRequestName', where),
  };
}

/** Validate a `GET /conductor/histograms` body. */
export function parseHistograms(body: unknown): LocustHistograms {
  const where = 'conductor/histograms';
  const o = obj(body, where);
  const bootId = str(o, 'bootId', where);
  if (!bootId) throw new LocustError(`${where}.bootId is empty`);
  const entries = o.entries;
  if (!Array.isArray(entries)) throw new LocustError(`${where}.entries is not an array (${kind(entries)})`);
  return {
    bootId,
    generation: count(o, 'generation', where),
    entries: entries.map((e, i) => parseHistogramEntry(e, `${where}.entries[${i}]`)),
    aggregated: parseHistogramEntry(o.aggregated, `${where}.aggregated`),
  };
}

function parseHistogramEntry(value: unknown, where: string): LocustHistogramEntry {
  const o = obj(value, where);
  const raw = obj(o.histogram, `${where}.histogram`);
  const histogram: Record<string, number> = {};
  for (const bucket of Object.keys(raw)) {
    if (!Number.isFinite(Number(bucket)))
      throw new LocustError(`${where}.histogram has a bucket that is not milliseconds: '${bucket}'`);
    histogram[bucket] = count(raw, bucket, `${where}.histogram`);
  }
  const method = o.method;
  return {
    name: str(o, 'name', where),
    method: typeof method === 'string' && method ? method : null,
    requests: count(o, 'requests', where),
    failures: count(o, 'failures', where),
    histogram,
  };
}

/** The entry of one request name (all methods summed), e.g. the order request; null when absent. */
export function entryCounts(
  stats: LocustStats,
  name: string,
): { numRequests: number; numFailures: number } | null {
  const matching = stats.entries.filter((e) => e.name === name);
  if (matching.length === 0) return null;
  return {
    numRequests: matching.reduce((s, e) => s + e.numRequests, 0),
    numFailures: matching.reduce((s, e) => s + e.numFailures, 0),
  };
}

function describeBody(res: RawResponse): string {
  const text = res.text.trim();
  if (!text) return '(empty body)';
  if (/^\s*<(!doctype|html)/i.test(text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return `an HTML page${title ? ` '${title}'` : ''}`;
  }
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: unknown };
  const parts = [e?.code, e?.message || e?.name].filter(Boolean);
  const cause = e?.cause as { code?: string; message?: string } | undefined;
  if (cause && (cause.code || cause.message))
    parts.push(`(${[cause.code, cause.message].filter(Boolean).join(' ')})`);
  return parts.join(' ') || String(err);
}
