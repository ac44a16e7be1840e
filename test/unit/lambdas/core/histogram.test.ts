import { describe, expect, it } from 'vitest';
import {
  bucketHalfWidth,
  type HistogramReading,
  histogramPercentile,
  histogramReading,
  mergeIntervals,
  type RequestHistogram,
  rawPercentile,
  tickInterval,
  windowFigures,
} from '../../../../lambdas/core/histogram';

const reading = (generation: number, requests: RequestHistogram[], bootId = 'boot-1'): HistogramReading => ({
  bootId,
  generation,
  requests,
});
const entry = (name: string, histogram: Record<string, number>, failures = 0): RequestHistogram => ({
  name,
  requests: Object.values(histogram).reduce((a, b) => a + b, 0),
  failures,
  histogram,
});

describe('histogramPercentile', () => {
  it("follows Locust's rank rule: the bucket of the response at rank ⌊N·q⌋ + 1", () => {
    // 100 responses: 90 at 10 ms, 5 at 50, 4 at 200, 1 at 3000.
    const h = { '10': 90, '50': 5, '200': 4, '3000': 1 };
    expect(histogramPercentile(h, 0.5)).toBe(10);
    expect(histogramPercentile(h, 0.9)).toBe(50); // rank 91
    expect(histogramPercentile(h, 0.95)).toBe(200); // rank 96
    expect(histogramPercentile(h, 0.99)).toBe(3000); // rank 100
    expect(histogramPercentile({}, 0.95)).toBeNull();
    expect(histogramPercentile({ '10': 0 }, 0.95)).toBeNull();
  });

  it('equals rawPercentile of the bucketed values', () => {
    const raw = [1, 5, 5, 7, 9, 12, 12, 40, 41, 99];
    const h: Record<string, number> = {};
    for (const v of raw) h[String(v)] = (h[String(v)] ?? 0) + 1;
    for (const q of [0.1, 0.5, 0.9, 0.95, 0.99, 1])
      expect(histogramPercentile(h, q)).toBe(rawPercentile(raw, q));
  });

  it('bucket half-widths follow Locust rounding (2 significant digits above 100 ms)', () => {
    expect([99, 100, 999, 1000, 9999, 10_000].map(bucketHalfWidth)).toEqual([0.5, 5, 5, 50, 50, 500]);
  });
});

describe('histogramReading', () => {
  it('names entries per request name, busiest method first (others as METHOD name), Aggregated last', () => {
    const r = histogramReading(
      { bootId: 'b', generation: 1 },
      [
        { ...entry('checkout: place order', { '10': 2 }), method: 'GET' },
        { ...entry('checkout: place order', { '900': 30 }), method: 'POST' },
        { ...entry('cart', { '5': 1 }), method: 'POST' },
      ],
      entry('all', { '10': 2, '900': 30, '5': 1 }),
    );
    expect(r.requests.map((x) => [x.name, x.requests])).toEqual([
      ['cart', 1],
      ['checkout: place order', 30],
      ['GET checkout: place order', 2],
      ['Aggregated', 33],
    ]);
    expect(r).toMatchObject({ bootId: 'b', generation: 1 });
  });
});

describe('tickInterval', () => {
  const first = reading(0, [
    entry('a', { '10': 3, '20': 1 }, 1),
    entry('Aggregated', { '10': 3, '20': 1 }, 1),
  ]);
  const second = reading(0, [
    entry('a', { '10': 5, '20': 1, '30': 2 }, 2),
    entry('b', { '100': 1 }),
    entry('Aggregated', { '10': 5, '20': 1, '30': 2, '100': 1 }, 2),
  ]);

  it('the first reading is a baseline with no interval', () => {
    const t = tickInterval(null, first);
    expect(t.interval).toBeNull();
    expect(t.base).toEqual({ reading: first, ignoredReading: false });
    expect(t.note).toMatch(/new baseline/);
  });

  it('the interval is the difference bucket by bucket (empty buckets dropped, new names kept)', () => {
    const t = tickInterval({ reading: first, ignoredReading: false }, second);
    expect(t.interval).toEqual([
      { name: 'a', requests: 4, failures: 1, histogram: { '10': 2, '30': 2 } },
      { name: 'b', requests: 1, failures: 0, histogram: { '100': 1 } },
      { name: 'Aggregated', requests: 5, failures: 1, histogram: { '10': 2, '30': 2, '100': 1 } },
    ]);
    expect(t.base.reading).toBe(second);
  });

  it('a master restart or a stats reset starts a new baseline, as for the order counter', () => {
    const base = { reading: second, ignoredReading: false };
    const restarted = tickInterval(base, reading(0, [entry('a', { '10': 1 })], 'boot-2'));
    expect(restarted.interval).toBeNull();
    expect(restarted.note).toMatch(/master restarted/);
    const reset = tickInterval(base, reading(1, [entry('a', { '10': 1 })]));
    expect(reset.interval).toBeNull();
    expect(reset.note).toMatch(/counters were reset/);
    expect(reset.base.reading.generation).toBe(1);
  });

  it('a count that went down in one generation is ignored once (old baseline kept), rebased the second time', () => {
    const base = { reading: second, ignoredReading: false };
    const bad = reading(0, [entry('a', { '10': 1 })]);
    const once = tickInterval(base, bad);
    expect(once.interval).toBeNull();
    expect(once.base).toEqual({ reading: second, ignoredReading: true });
    // The next good reading measures the whole time since the last good one.
    const later = reading(0, [
      entry('a', { '10': 6, '20': 1, '30': 2 }, 2),
      entry('b', { '100': 1 }),
      entry('Aggregated', { '10': 6, '20': 1, '30': 2, '100': 1 }, 2),
    ]);
    expect(tickInterval(once.base, later).interval?.[0]).toEqual({
      name: 'a',
      requests: 1,
      failures: 0,
      histogram: { '10': 1 },
    });
    const twice = tickInterval(once.base, bad);
    expect(twice.base).toEqual({ reading: bad, ignoredReading: false });
    expect(twice.note).toMatch(/twice in a row/);
  });
});

describe('windows', () => {
  it('a window is the sum of its ticks, and its percentiles are those of every response in it', () => {
    const ticks = [
      [entry('a', { '10': 50 })],
      [entry('a', { '10': 40, '500': 10 }, 3)],
      [entry('a', { '20': 50 }), entry('b', { '5': 2 })],
    ];
    const window = mergeIntervals(ticks);
    expect(window).toEqual([
      { name: 'a', requests: 150, failures: 3, histogram: { '10': 90, '500': 10, '20': 50 } },
      { name: 'b', requests: 2, failures: 0, histogram: { '5': 2 } },
    ]);
    const [a] = windowFigures(window);
    // 150 responses (90 at 10 ms, 50 at 20, 10 at 500): rank 76 is 10 ms; ranks 143 and 149 are 500 ms.
    expect(a).toEqual({ name: 'a', requests: 150, failures: 3, p50: 10, p95: 500, p99: 500 });
    // Averaging the ticks' own p95s (10, 500, 20) would say 176.7 ms: the window says 500.
  });
});
