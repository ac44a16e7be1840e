import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  entryCounts,
  isTransientNetworkError,
  LocustClient,
  LocustError,
  parseHistograms,
  parseKpi,
  parseScenarioInfo,
  parseStats,
} from '../../../../../lambdas/adapters/locust/client';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../../support/locust-responses/${name}`, import.meta.url), 'utf8');
const json = (name: string): unknown => JSON.parse(fixture(name));
const ORDER = 'checkout: place order';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

async function rejected(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('parseStats on Locust 2.47.0 responses', () => {
  it('reads a ready master: only the Aggregated row, workers from worker_count', () => {
    const s = parseStats(json('stats-ready-2.47.0.json'));
    expect(s.state).toBe('ready');
    expect(s.userCount).toBe(0);
    expect(s.workerCount).toBe(2);
    expect(s.workers).toHaveLength(2);
    expect(s.workers[0]).toMatchObject({ state: 'ready', userCount: 0, cpuUsage: 0 });
    expect(s.entries).toEqual([]);
    expect(s.aggregated).toMatchObject({ name: 'Aggregated', method: null, numRequests: 0 });
    expect(s.failRatio).toBe(0);
    expect(entryCounts(s, ORDER)).toBeNull();
  });

  it('reads a running master: entries, new percentile names, the order entry', () => {
    const s = parseStats(json('stats-running-2.47.0.json'));
    expect(s.state).toBe('running');
    expect(s.userCount).toBe(4);
    expect(s.workerCount).toBe(2);
    expect(s.entries.map((e) => e.name)).toEqual([
      'browse: products',
      'cart: add item',
      'cart: create',
      'checkout: create',
      ORDER,
      'product: view',
    ]);
    const order = s.entries.find((e) => e.name === ORDER);
    expect(order).toMatchObject({ method: 'POST', numRequests: 24, numFailures: 0, currentRps: 4 });
    expect(order?.percentiles).toEqual({ p50: 1, p90: null, p95: 3, p99: 4 });
    expect(s.aggregated).toMatchObject({ numRequests: 171, numFailures: 0, percentiles: { p95: 6, p99: 8 } });
    expect(entryCounts(s, ORDER)).toEqual({ numRequests: 24, numFailures: 0 });
  });

  it('reads failures and the error table', () => {
    const s = parseStats(json('stats-failures-2.47.0.json'));
    expect(entryCounts(s, ORDER)).toEqual({ numRequests: 54, numFailures: 20 });
    expect(s.failRatio).toBeCloseTo(20 / 372, 6);
    expect(s.errors).toHaveLength(2);
    expect(s.errors[0]).toMatchObject({ method: 'POST', name: ORDER, occurrences: 10 });
    expect(s.errors[0]?.error).toContain('HTTP 503');
  });

  it('reads a stopped master', () => {
    const s = parseStats(json('stats-stopped-2.47.0.json'));
    expect(s.state).toBe('stopped');
    expect(s.userCount).toBe(0);
    expect(s.entries.length).toBeGreaterThan(0);
  });
});

describe('parseStats on 2.12-style responses', () => {
  const s = parseStats(json('stats-running-2.12-style.json'));

  it('maps ninetieth/ninety_ninth to p90/p99 and leaves p95 null', () => {
    const order = s.entries.find((e) => e.name === ORDER);
    expect(order?.percentiles).toEqual({ p50: 38, p90: 90, p95: null, p99: 300 });
  });

  it('recognises the Aggregated row with method null', () => {
    expect(s.entries).toHaveLength(2);
    expect(s.aggregated).toMatchObject({
      name: 'Aggregated',
      method: null,
      numRequests: 238,
      numFailures: 3,
    });
  });

  it('counts workers without worker_count, excluding missing ones', () => {
    expect(s.workers).toHaveLength(3);
    expect(s.workerCount).toBe(2);
    expect(s.userCount).toBe(10);
    expect(s.failRatio).toBeCloseTo(3 / 238, 6);
  });

  it('computes failRatio from the Aggregated row when fail_ratio is absent', () => {
    const body = json('stats-running-2.12-style.json') as Record<string, unknown>;
    delete body.fail_ratio;
    expect(parseStats(body).failRatio).toBeCloseTo(3 / 238, 6);
  });
});

describe('parseStats rejects what is not Locust stats, naming the problem', () => {
  const running = (): Record<string, unknown> => json('stats-running-2.47.0.json') as Record<string, unknown>;

  it.each([
    ['not an object', () => 'ok', 'stats/requests is not a JSON object'],
    ['no stats array', () => ({ ...running(), stats: undefined }), 'stats/requests.stats is missing'],
    ['stats not an array', () => ({ ...running(), stats: {} }), 'stats/requests.stats is not an array'],
    ['no state', () => ({ ...running(), state: undefined }), 'stats/requests.state is missing'],
    ['unknown state', () => ({ ...running(), state: 'hatching' }), "unknown runner state 'hatching'"],
    [
      'no user_count',
      () => ({ ...running(), user_count: undefined }),
      'stats/requests.user_count is missing',
    ],
    [
      'num_requests as a string',
      () => {
        const b = running();
        (b.stats as Record<string, unknown>[])[2] = { ...(b.stats as object[])[2], num_requests: '24' };
        return b;
      },
      'stats/requests.stats[2].num_requests is not a number',
    ],
    [
      'entry without a name',
      () => {
        const b = running();
        (b.stats as Record<string, unknown>[])[0] = { ...(b.stats as object[])[0], name: undefined };
        return b;
      },
      'stats/requests.stats[0].name is missing',
    ],
    [
      'a percentile that is not a number',
      () => {
        const b = running();
        (b.stats as Record<string, unknown>[])[1] = {
          ...(b.stats as object[])[1],
          'response_time_percentile_0.99': 'slow',
        };
        return b;
      },
      'stats/requests.stats[1].response_time_percentile_0.99 is not a number',
    ],
    ['workers not an array', () => ({ ...running(), workers: 2 }), 'stats/requests.workers is not an array'],
    ['fail_ratio out of range', () => ({ ...running(), fail_ratio: 1.5 }), 'fail_ratio is outside 0..1'],
  ])('%s', (_label, body, message) => {
    const err = thrown(() => parseStats(body()));
    expect(err).toBeInstanceOf(LocustError);
    expect(err.name).toBe('LocustError');
    expect(err.message).toContain(message);
  });
});

describe('parseKpi', () => {
  it('reads the conductor plugin route', () => {
    expect(parseKpi(json('kpi-running-2.47.0.json'))).toEqual({
      bootId: '42cd87f1-ba32-443d-b971-85ecf6ca6b52',
      generation: 1,
      orders: 24,
      orderFailures: 0,
      state: 'running',
      workers: 2,
      userCount: 4,
      timestamp: 1795769167.4685571,
      settled: null, // captured before the plugin had it
    });
    expect(parseKpi(json('kpi-running-settled-2.47.0.json'))).toMatchObject({
      orders: 60,
      settled: { through: 1796625637, orders: 56 },
      timestamp: 1796625639.6239116,
    });
    expect(parseKpi(json('kpi-failures-2.47.0.json'))).toMatchObject({ orders: 34, orderFailures: 20 });
    expect(parseKpi(json('kpi-ready-2.47.0.json'))).toMatchObject({
      generation: 0,
      state: 'ready',
      orders: 0,
    });
  });

  it.each([
    ['bootId', undefined, 'conductor/kpi.bootId is missing'],
    ['bootId', '', 'conductor/kpi.bootId is empty'],
    ['generation', -1, 'conductor/kpi.generation is not a non-negative integer'],
    ['orders', '3', 'conductor/kpi.orders is not a number'],
    ['orderFailures', undefined, 'conductor/kpi.orderFailures is missing'],
    ['workers', 1.5, 'conductor/kpi.workers is not a non-negative integer'],
    ['state', 'weird', "unknown runner state 'weird'"],
    ['timestamp', null, 'conductor/kpi.timestamp is not a number'],
    ['settled', 7, 'conductor/kpi.settled is not a JSON object'],
    ['settled', { orders: 3 }, 'conductor/kpi.settled.through is missing'],
    [
      'settled',
      { through: 1796625637, orders: -1 },
      'conductor/kpi.settled.orders is not a non-negative integer',
    ],
  ])('rejects %s = %j', (field, value, message) => {
    const body = { ...(json('kpi-running-2.47.0.json') as object), [field]: value };
    const err = thrown(() => parseKpi(body));
    expect(err).toBeInstanceOf(LocustError);
    expect(err.message).toContain(message);
  });
});

describe('parseHistograms', () => {
  const body = {
    bootId: 'b-1',
    generation: 2,
    timestamp: 1,
    entries: [
      {
        name: 'checkout: place order',
        method: 'POST',
        requests: 3,
        failures: 1,
        histogram: { '120': 2, '1300': 1 },
      },
    ],
    aggregated: {
      name: 'Aggregated',
      method: '',
      requests: 3,
      failures: 1,
      histogram: { '120': 2, '1300': 1 },
    },
  };

  it('reads the generation, each entry and the total', () => {
    expect(parseHistograms(body)).toEqual({
      bootId: 'b-1',
      generation: 2,
      entries: [
        {
          name: 'checkout: place order',
          method: 'POST',
          requests: 3,
          failures: 1,
          histogram: { '120': 2, '1300': 1 },
        },
      ],
      aggregated: {
        name: 'Aggregated',
        method: null,
        requests: 3,
        failures: 1,
        histogram: { '120': 2, '1300': 1 },
      },
    });
  });

  it.each([
    [{ ...body, bootId: '' }, 'conductor/histograms.bootId is empty'],
    [{ ...body, entries: {} }, 'conductor/histograms.entries is not an array (object)'],
    [
      { ...body, aggregated: { ...body.aggregated, histogram: { fast: 1 } } },
      "conductor/histograms.aggregated.histogram has a bucket that is not milliseconds: 'fast'",
    ],
    [
      { ...body, entries: [{ ...body.entries[0], histogram: { '10': -1 } }] },
      'conductor/histograms.entries[0].histogram.10 is not a non-negative integer (-1)',
    ],
  ])('refuses a malformed body, naming the field (%#)', (bad, message) => {
    expect(() => parseHistograms(bad)).toThrow(message);
  });
});

describe('LocustClient over HTTP (undici MockAgent)', () => {
  const origin = 'http://locust-master:8089';
  let agent: MockAgent;
  let client: LocustClient;
  const jsonHeaders = { headers: { 'content-type': 'application/json' } };
  const htmlHeaders = { headers: { 'content-type': 'text/html; charset=utf-8' } };

  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    client = new LocustClient({ baseUrl: `${origin}/`, timeoutMs: 300, dispatcher: agent });
  });
  afterEach(async () => {
    await agent.close();
  });

  it('swarm POSTs a form and returns the reply', async () => {
    let seen: { body: unknown; headers: unknown } | undefined;
    agent
      .get(origin)
      .intercept({ path: '/swarm', method: 'POST' })
      .reply(
        200,
        (opts) => {
          seen = { body: opts.body, headers: opts.headers };
          return fixture('swarm-ok-2.47.0.json');
        },
        jsonHeaders,
      );
    const reply = await client.swarm({ userCount: 40, spawnRate: 2.5 });
    expect(reply).toEqual({ message: 'Swarming started', host: 'http://127.0.0.1:39195' });
    expect(String(seen?.body)).toBe('user_count=40&spawn_rate=2.5');
    expect(JSON.stringify(seen?.headers)).toContain('application/x-www-form-urlencoded');
  });

  it('swarm throws LocustError when Locust refuses', async () => {
    agent
      .get(origin)
      .intercept({ path: '/swarm', method: 'POST' })
      .reply(200, fixture('swarm-refused-2.47.0.json'), jsonHeaders);
    const err = await rejected(client.swarm({ userCount: 1, spawnRate: 1 }));
    expect(err).toBeInstanceOf(LocustError);
    expect(err.message).toBe(
      '/swarm refused: Missing or invalid user_count or spawn_rate from /swarm request',
    );
  });

  it('swarm validates its arguments before calling', async () => {
    const err = await rejected(client.swarm({ userCount: -1, spawnRate: 0 }));
    expect(err.name).toBe('ValidationError');
    expect(err.message).toContain('userCount');
    expect(err.message).toContain('spawnRate');
  });

  it('stop uses POST, and falls back to GET on 405 (older masters)', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/stop', method: 'POST' }).reply(200, fixture('stop-2.47.0.json'), jsonHeaders);
    await client.stop();
    pool
      .intercept({ path: '/stop', method: 'POST' })
      .reply(405, fixture('stop-get-405-2.47.0.txt'), htmlHeaders);
    pool.intercept({ path: '/stop', method: 'GET' }).reply(200, fixture('stop-2.47.0.json'), jsonHeaders);
    await client.stop();
    agent.assertNoPendingInterceptors();
  });

  it('stats parses the live JSON', async () => {
    agent
      .get(origin)
      .intercept({ path: '/stats/requests', method: 'GET' })
      .reply(200, fixture('stats-running-2.47.0.json'), jsonHeaders);
    const s = await client.stats();
    expect(entryCounts(s, ORDER)).toEqual({ numRequests: 24, numFailures: 0 });
  });

  it('an HTML page with 200 is a LocustError naming the content type', async () => {
    agent
      .get(origin)
      .intercept({ path: '/stats/requests', method: 'GET' })
      .reply(200, '<!doctype html><html><title>Locust</title></html>', htmlHeaders);
    const err = await rejected(client.stats());
    expect(err).toBeInstanceOf(LocustError);
    expect(err.message).toBe(
      "/stats/requests answered text/html; charset=utf-8 instead of JSON: an HTML page 'Locust'",
    );
  });

  it('invalid JSON is a LocustError', async () => {
    agent
      .get(origin)
      .intercept({ path: '/conductor/kpi', method: 'GET' })
      .reply(200, '{"bootId": ', jsonHeaders);
    const err = await rejected(client.kpi());
    expect(err).toBeInstanceOf(LocustError);
    expect(err.message).toContain('/conductor/kpi answered invalid JSON');
  });

  it('a 404 on /conductor/kpi says the plugin is missing', async () => {
    agent
      .get(origin)
      .intercept({ path: '/conductor/kpi', method: 'GET' })
      .reply(404, '<!doctype html><title>404 Not Found</title>', htmlHeaders);
    const err = await rejected(client.kpi());
    expect(err).toBeInstanceOf(LocustError);
    expect((err as LocustError).details).toEqual({ path: '/conductor/kpi', status: 404 });
    expect(err.message).toContain('conductor_plugin.py');
    expect(err.message).toContain("an HTML page '404 Not Found'");
  });

  it.each([500, 502, 503, 504, 429])('HTTP %i is a TransientError', async (status) => {
    agent.get(origin).intercept({ path: '/stats/requests', method: 'GET' }).reply(status, 'busy');
    const err = await rejected(client.stats());
    expect(err.name).toBe('TransientError');
    expect(err.message).toContain(`HTTP ${status}`);
  });

  it('a connection error is a TransientError', async () => {
    agent
      .get(origin)
      .intercept({ path: '/stats/requests', method: 'GET' })
      .replyWithError(
        Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:8089'), { code: 'ECONNREFUSED' }),
      );
    const err = await rejected(client.stats());
    expect(err.name).toBe('TransientError');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('a slow master is a TransientError after timeoutMs', async () => {
    agent
      .get(origin)
      .intercept({ path: '/stats/requests', method: 'GET' })
      .reply(200, fixture('stats-ready-2.47.0.json'), jsonHeaders)
      .delay(2_000);
    const started = Date.now();
    const err = await rejected(client.stats());
    expect(err.name).toBe('TransientError');
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe('LocustClient against a closed loopback port', () => {
  it('connection refused is a TransientError', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(p));
      });
    });
    const client = new LocustClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2_000 });
    const err = await rejected(client.kpi());
    expect(err.name).toBe('TransientError');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('classifies network errors', () => {
    expect(isTransientNetworkError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe(
      true,
    );
    expect(isTransientNetworkError(new Error('x', { cause: { code: 'ECONNRESET' } }))).toBe(true);
    expect(
      isTransientNetworkError(new AggregateError([Object.assign(new Error(), { code: 'ECONNREFUSED' })])),
    ).toBe(true);
    expect(isTransientNetworkError(new TypeError('bad header'))).toBe(false);
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(() => new LocustClient({ baseUrl: 'locust:8089' })).toThrow(/baseUrl/);
    expect(() => new LocustClient({ baseUrl: 'ftp://locust' })).toThrow(/baseUrl/);
  });
});

describe('parseScenarioInfo', () => {
  const body = {
    classPicker: true,
    offered: { BrowseUser: { weight: 2, countsKpi: false }, CheckoutUser: { weight: 1, countsKpi: true } },
    selected: ['BrowseUser', 'CheckoutUser'],
    running: { BrowseUser: 6, CheckoutUser: 3 },
    kpiRequestName: 'checkout: place order',
  };

  it('reads what locust/conductor_plugin.py serves', () => {
    expect(parseScenarioInfo(body)).toEqual(body);
  });

  it('names the field that is missing or mistyped', () => {
    const broken = [
      [{ ...body, classPicker: 'yes' }, /classPicker is not a boolean/],
      [{ ...body, offered: { A: { weight: 1 } } }, /offered.A.countsKpi is not a boolean/],
      [{ ...body, selected: [1] }, /selected is not an array of class names/],
      [{ ...body, running: { A: -1 } }, /running.A is not a non-negative integer/],
      [{ ...body, kpiRequestName: undefined }, /kpiRequestName is missing/],
    ] as const;
    for (const [value, message] of broken) {
      const err = thrown(() => parseScenarioInfo(value));
      expect(err).toBeInstanceOf(LocustError);
      expect(err.message).toMatch(message);
    }
  });
});
