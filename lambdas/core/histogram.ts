/**
 * Exact response-time percentiles over any window of ticks, from Locust master's histograms. Pure.
 *
 * Locust keeps, per request name, a histogram of response times rounded to buckets (milliseconds: exact below
 * 100, to 10 below 1,000, to 100 below 10,000, to 1,000 above) and merges the workers' histograms on the master.
 * Each tick stores the difference between two readings of it (the tick's interval); a window's histogram is the
 * sum of its ticks' intervals, and its percentiles are read off it with Locust's own rule. So a percentile of a
 * window is the percentile of every response time in it, rounded to its bucket — never an average of workers' or
 * ticks' percentiles.
 */
import { type CounterGeneration, sameCounterGeneration } from './counter-generation';
import { AGGREGATED, byRequestName, type RequestFigures } from './slo';

/** Rounded response time in milliseconds (as a decimal string, e.g. `"120"`) → number of responses. */
export type Histogram = Readonly<Record<string, number>>;

/** One request name's counters: totals and the response-time histogram. */
export interface RequestHistogram {
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  readonly histogram: Histogram;
}

/** One reading of the master's histograms (`GET /conductor/histograms`), `Aggregated` included. */
export interface HistogramReading extends CounterGeneration {
  readonly requests: readonly RequestHistogram[];
}

/**
 * What a tick leaves for the next one: the reading the next interval is measured from (the last good one), and
 * whether this tick's reading was ignored as bad (a counter went down within one generation).
 */
export interface HistogramBase {
  readonly reading: HistogramReading;
  readonly ignoredReading: boolean;
}

/**
 * A reading from the master's entries (one per method and name, named as the SLOs name them: see
 * {@link byRequestName}) and its all-requests total, stored as `Aggregated`.
 */
export function histogramReading(
  generation: CounterGeneration,
  entries: readonly (RequestHistogram & { readonly method: string | null })[],
  aggregated: RequestHistogram,
): HistogramReading {
  const strip = (name: string, e: RequestHistogram): RequestHistogram => ({
    name,
    requests: e.requests,
    failures: e.failures,
    histogram: e.histogram,
  });
  return {
    bootId: generation.bootId,
    generation: generation.generation,
    requests: [
      ...byRequestName(entries, (e) => e.requests).map(({ name, entry }) => strip(name, entry)),
      strip(AGGREGATED, aggregated),
    ],
  };
}

export interface TickInterval {
  /** Per request name, the responses of the interval; null when this tick has none (a new baseline). */
  readonly interval: readonly RequestHistogram[] | null;
  readonly base: HistogramBase;
  /** Why there is no interval, when there is none. */
  readonly note: string | null;
}

/**
 * The interval between the last good reading and this one, with the order counter's rules (`measure` in
 * core/ramp/measurement.ts): another boot or generation starts a new baseline; a counter that went down within
 * the same generation is a bad reading, ignored once (the old baseline kept), a new baseline the second time.
 */
export function tickInterval(previous: HistogramBase | null, current: HistogramReading): TickInterval {
  const fresh = (note: string): TickInterval => ({
    interval: null,
    base: { reading: current, ignoredReading: false },
    note,
  });
  if (!previous) return fresh('first reading: a new baseline');
  if (!sameCounterGeneration(previous.reading, current)) {
    return fresh(
      previous.reading.bootId !== current.bootId
        ? 'the Locust master restarted: a new baseline'
        : 'the counters were reset: a new baseline',
    );
  }
  const interval = subtract(current.requests, previous.reading.requests);
  if (interval === null) {
    if (previous.ignoredReading) return fresh('a counter went down twice in a row: a new baseline');
    return {
      interval: null,
      base: { reading: previous.reading, ignoredReading: true },
      note: 'a counter went down: reading ignored',
    };
  }
  return { interval, base: { reading: current, ignoredReading: false }, note: null };
}

/** current − previous per request name; null when any count went down. */
function subtract(
  current: readonly RequestHistogram[],
  previous: readonly RequestHistogram[],
): RequestHistogram[] | null {
  const before = new Map(previous.map((r) => [r.name, r]));
  const out: RequestHistogram[] = [];
  for (const now of current) {
    const then = before.get(now.name);
    before.delete(now.name);
    const requests = now.requests - (then?.requests ?? 0);
    const failures = now.failures - (then?.failures ?? 0);
    if (requests < 0 || failures < 0) return null;
    const histogram: Record<string, number> = {};
    for (const [bucket, count] of Object.entries(now.histogram)) {
      const difference = count - (then?.histogram[bucket] ?? 0);
      if (difference < 0) return null;
      if (difference > 0) histogram[bucket] = difference;
    }
    for (const [bucket, count] of Object.entries(then?.histogram ?? {})) {
      if (count > 0 && !(bucket in now.histogram)) return null;
    }
    if (requests > 0 || failures > 0) out.push({ name: now.name, requests, failures, histogram });
  }
  // A name that disappeared from the same generation went down to zero.
  for (const gone of before.values()) if (gone.requests > 0) return null;
  return out;
}

/** The sum of several intervals (a window): counts add up bucket by bucket. */
export function mergeIntervals(intervals: readonly (readonly RequestHistogram[])[]): RequestHistogram[] {
  const byName = new Map<string, { requests: number; failures: number; histogram: Record<string, number> }>();
  for (const interval of intervals) {
    for (const r of interval) {
      const sum = byName.get(r.name) ?? { requests: 0, failures: 0, histogram: {} };
      sum.requests += r.requests;
      sum.failures += r.failures;
      for (const [bucket, count] of Object.entries(r.histogram)) {
        sum.histogram[bucket] = (sum.histogram[bucket] ?? 0) + count;
      }
      byName.set(r.name, sum);
    }
  }
  return [...byName.entries()].map(([name, s]) => ({ name, ...s }));
}

/**
 * Locust's percentile of a histogram (`locust.stats.calculate_response_time_percentile`): the bucket of the
 * response at rank ⌊N·q⌋ + 1 (1-based, ascending, capped at N); null when the histogram is empty.
 */
export function histogramPercentile(histogram: Histogram, q: number): number | null {
  const buckets = Object.entries(histogram)
    .map(([bucket, count]) => [Number(bucket), count] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[0] - a[0]);
  const total = buckets.reduce((n, [, count]) => n + count, 0);
  if (total === 0) return null;
  const below = Math.floor(total * q);
  let processed = 0;
  for (const [bucket, count] of buckets) {
    processed += count;
    if (total - processed <= below) return bucket;
  }
  return buckets.at(-1)?.[0] ?? null;
}

/** The rank rule of {@link histogramPercentile} on raw values: the value at rank ⌊N·q⌋ + 1. */
export function rawPercentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;
}

/**
 * The largest distance between a response time and its Locust bucket (milliseconds): 0.5 below 100 ms, 5 below
 * 1 s, 50 below 10 s, 500 above. A window's percentile is within this of the raw percentile of the same responses.
 */
export function bucketHalfWidth(ms: number): number {
  if (ms < 100) return 0.5;
  if (ms < 1000) return 5;
  if (ms < 10_000) return 50;
  return 500;
}

/** A window's figures per request name, as the SLO checks and the verdict read them. */
export function windowFigures(window: readonly RequestHistogram[]): RequestFigures[] {
  return window.map((r) => ({
    name: r.name,
    requests: r.requests,
    failures: r.failures,
    p50: histogramPercentile(r.histogram, 0.5),
    p95: histogramPercentile(r.histogram, 0.95),
    p99: histogramPercentile(r.histogram, 0.99),
  }));
}
