/**
 * Latency figures of windows of ticks from the ticks' interval histograms (core/histogram.ts). Pure: the SLO
 * watch judges the sliding window of the last ticks, the verdict the plateau, capacity mode any window it holds.
 */
import { mergeIntervals, type RequestHistogram, windowFigures } from './histogram';
import type { RequestFigures } from './slo';

/** One tick's responses, as the run keeps them. */
export interface TickHistograms {
  readonly tick: number;
  readonly at: string;
  /** Whether the tick's interval began after the ramp-up. */
  readonly plateau: boolean;
  /** Per request name, the responses of the tick's interval; null when it has none (a new baseline). */
  readonly interval: readonly RequestHistogram[] | null;
}

/** One tick's percentiles per request name (over its interval only). */
export interface TickLatency {
  readonly tick: number;
  readonly at: string;
  readonly plateau: boolean;
  /** Empty when the tick has no interval. */
  readonly requests: readonly RequestFigures[];
}

/** The per-request figures of every response of a window of ticks. */
export interface LatencyFigures {
  /** `plateau`: the plateau's ticks; `load`: every tick (no plateau tick had responses, e.g. an early abort). */
  readonly source: 'plateau' | 'load';
  /** The window's first and last tick, and how many ticks in it had responses. */
  readonly fromTick: number;
  readonly toTick: number;
  readonly ticks: number;
  readonly requests: readonly RequestFigures[];
  /** Per tick of the run, the interval's figures (the report charts them). */
  readonly perTick: readonly TickLatency[];
}

/** The figures of the ticks' responses taken together; null when none of them has an interval. */
export function windowOf(ticks: readonly TickHistograms[]): RequestFigures[] | null {
  const intervals = ticks.flatMap((t) => (t.interval ? [t.interval] : []));
  return intervals.length > 0 ? windowFigures(mergeIntervals(intervals)) : null;
}

/** The sliding window of the SLO checks: the ticks numbered `last − windowTicks + 1 … last`. */
export function slidingWindow(
  ticks: readonly TickHistograms[],
  last: number,
  windowTicks: number,
): RequestFigures[] | null {
  return windowOf(ticks.filter((t) => t.tick <= last && t.tick > last - windowTicks));
}

/** The verdict's latency: the plateau's responses (every tick's when the plateau has none), and each tick's. */
export function runLatency(ticks: readonly TickHistograms[]): LatencyFigures | null {
  const sorted = [...ticks].sort((a, b) => a.tick - b.tick);
  const perTick: TickLatency[] = sorted.map((t) => ({
    tick: t.tick,
    at: t.at,
    plateau: t.plateau,
    requests: t.interval ? windowFigures(t.interval) : [],
  }));
  const responded = sorted.filter((t) => (t.interval?.length ?? 0) > 0);
  const plateau = responded.filter((t) => t.plateau);
  const source = plateau.length > 0 ? 'plateau' : 'load';
  const window = source === 'plateau' ? plateau : responded;
  const requests = windowOf(window);
  const first = window[0];
  const last = window.at(-1);
  if (!requests || !first || !last) return null;
  return { source, fromTick: first.tick, toTick: last.tick, ticks: window.length, requests, perTick };
}
