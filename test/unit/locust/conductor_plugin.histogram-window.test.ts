/**
 * Windowed percentiles against every raw response time, with Locust's own StatsEntry (the venv's Locust 2.47) doing
 * the bucketing and the cumulative counting a master does.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bucketHalfWidth,
  type HistogramBase,
  histogramPercentile,
  mergeIntervals,
  type RequestHistogram,
  rawPercentile,
  tickInterval,
} from '../../../lambdas/core/histogram';

const root = join(import.meta.dirname, '..', '..', '..');
const python = join(root, '.venv', 'bin', 'python');

interface PythonTick {
  /** Every response time of the tick (ms, as the client measured it). */
  readonly raw: number[];
  /** The entry's cumulative histogram and request count after the tick. */
  readonly histogram: Record<string, number>;
  readonly requests: number;
}

/** Ticks of raw response times logged into a real Locust StatsEntry; the last 4 ticks are slower. */
function locustTicks(seed: number): { ticks: PythonTick[]; p95: number; p99: number } {
  const script = `
import json, random, sys
from locust.stats import RequestStats, calculate_response_time_percentile
rng = random.Random(int(sys.argv[1]))
entry = RequestStats().get("checkout: place order", "POST")
ticks = []
for tick in range(16):
    slow = tick >= 12
    raw = [rng.lognormvariate(4.0 if not slow else 5.2, 0.6) for _ in range(rng.randint(40, 400))]
    for rt in raw:
        entry.log(rt, 0)
    ticks.append({"raw": raw, "histogram": {str(k): v for k, v in entry.response_times.items()},
                  "requests": entry.num_requests})
print(json.dumps({"ticks": ticks,
    "p95": calculate_response_time_percentile(entry.response_times, entry.num_requests, 0.95),
    "p99": calculate_response_time_percentile(entry.response_times, entry.num_requests, 0.99)}))
`;
  return JSON.parse(execFileSync(python, ['-c', script, String(seed)], { encoding: 'utf8' }));
}

function intervals(ticks: readonly PythonTick[]): (readonly RequestHistogram[])[] {
  let base: HistogramBase | null = {
    reading: { bootId: 'b', generation: 0, requests: [] },
    ignoredReading: false,
  };
  return ticks.map((t) => {
    const next = tickInterval(base, {
      bootId: 'b',
      generation: 0,
      requests: [{ name: 'checkout', requests: t.requests, failures: 0, histogram: t.histogram }],
    });
    base = next.base;
    if (!next.interval) throw new Error('every tick of one generation has an interval');
    return next.interval;
  });
}

describe("windowed percentiles against every raw response time (Locust's StatsEntry)", () => {
  it('any window of ticks has the percentiles of its raw response times, within half a bucket (5 seeds)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { ticks, p95, p99 } = locustTicks(seed);
      const perTick = intervals(ticks);
      const windows: [number, number][] = [
        [0, 16], // the whole load: Locust's own cumulative figure
        [12, 16], // the last ticks (the slow ones)
        [4, 12], // a plateau in the middle
        [7, 8], // one tick
      ];
      for (const [from, to] of windows) {
        const window = mergeIntervals(perTick.slice(from, to))[0];
        const raw = ticks.slice(from, to).flatMap((t) => t.raw);
        expect(window?.requests).toBe(raw.length);
        for (const q of [0.5, 0.95, 0.99]) {
          const exact = rawPercentile(raw, q) as number;
          const windowed = histogramPercentile(window?.histogram ?? {}, q) as number;
          expect(Math.abs(windowed - exact), `seed ${seed} ticks ${from}..${to} q ${q}`).toBeLessThanOrEqual(
            bucketHalfWidth(exact),
          );
        }
      }
      const whole = mergeIntervals(perTick)[0]?.histogram ?? {};
      expect(histogramPercentile(whole, 0.95)).toBe(p95);
      expect(histogramPercentile(whole, 0.99)).toBe(p99);
      // The slow last quarter dominates its own window but hardly the cumulative figure.
      const last = mergeIntervals(perTick.slice(12))[0]?.histogram ?? {};
      expect(histogramPercentile(last, 0.5) as number).toBeGreaterThan(
        histogramPercentile(whole, 0.5) as number,
      );
    }
  });
});
