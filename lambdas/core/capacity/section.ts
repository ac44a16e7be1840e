/**
 * Capacity mode in the run's outputs: the summary's `capacity` field (schema/run-summary.schema.json), its
 * section of the HTML report (two curves: orders per minute against users, latency against throughput), the
 * notification's `capacity`, and the window the verdict judges. Pure.
 */
import { type LatencyFigures, runLatency, type TickHistograms, windowOf } from '../latency-window';
import type { PlateauTotals, RampState } from '../ramp-state';
import { esc, niceTicks } from '../report/svg';
import type { RunContext } from '../run-context';
import type { RequestFigures, SloWatchState } from '../slo';
import {
  type CapacityLimit,
  type CapacityParameters,
  type CapacityResult,
  capacityResult,
  describeLimit,
  initialCapacityState,
  type LevelOutcome,
} from './search';

/** What the capacity section reads of the execution state: the run and where its ramp stands. */
interface RunAndRamp {
  readonly run: RunContext;
  readonly ramp?: RampState;
}

/** What the section reads of one stored tick (the run store's tick record). */
export interface CapacityTickRecord {
  readonly tick: number;
  readonly ordersPerMinute: number | null;
  /** Users commanded at this tick: they ran during the next tick's interval. */
  readonly users: number;
  /** Locust master's figures per request name at this tick (the SLO watch's). */
  readonly requests?: readonly RequestFigures[];
}

export interface CapacityLevelSummary {
  /** Orders per minute asked; null for the climb's stop. */
  readonly level: number | null;
  readonly met: boolean;
  readonly ordersPerMinute: number;
  readonly users: number;
  readonly workers: number;
  readonly fromTick: number;
  readonly toTick: number;
  readonly limit: CapacityLimit | null;
}

export interface CurvePoint {
  readonly tick: number;
  readonly x: number;
  readonly y: number;
}

export interface CapacitySummary {
  readonly parameters: CapacityParameters;
  /** Where the search stands: still `phase` when the run stopped it before it ended. */
  readonly phase: 'climb' | 'hold' | 'done';
  readonly result: CapacityResult;
  readonly levels: readonly CapacityLevelSummary[];
  readonly curves: {
    /** x: users running over a tick's interval, y: orders per minute measured over it. */
    readonly ordersByUsers: readonly CurvePoint[];
    /** x: orders per minute over a tick's interval, y: p95 (ms) of `request` at that tick. */
    readonly latencyByThroughput: readonly CurvePoint[];
    /** The request name the latency curve follows: the first with a latency SLO, else `Aggregated`. */
    readonly latencyRequest: string;
  };
}

/** The summary's `capacity` field; null in mode target. */
export function capacitySummary(
  state: RunAndRamp,
  ticks: readonly CapacityTickRecord[],
): CapacitySummary | null {
  const { request, environment } = state.run;
  const search = state.ramp?.capacity;
  if (request.mode !== 'capacity' || !request.capacity) return null;
  const latencyRequest =
    environment.slos.requests.find((r) => r.p95Ms !== undefined || r.p99Ms !== undefined)?.name ??
    'Aggregated';
  const ordersByUsers: CurvePoint[] = [];
  const latencyByThroughput: CurvePoint[] = [];
  const sorted = [...ticks].sort((a, b) => a.tick - b.tick);
  sorted.forEach((t, i) => {
    if (t.ordersPerMinute === null) return;
    const before = sorted[i - 1];
    if (before && before.tick === t.tick - 1 && before.users > 0)
      ordersByUsers.push({ tick: t.tick, x: before.users, y: t.ordersPerMinute });
    const p95 = t.requests?.find((r) => r.name === latencyRequest)?.p95;
    if (p95 != null) latencyByThroughput.push({ tick: t.tick, x: t.ordersPerMinute, y: p95 });
  });
  return {
    parameters: request.capacity,
    phase: search?.phase ?? 'climb',
    result: capacityResult(search ?? initialCapacityState()),
    levels: (search?.levels ?? []).map(levelSummary),
    curves: { ordersByUsers, latencyByThroughput, latencyRequest },
  };
}

function levelSummary(o: LevelOutcome): CapacityLevelSummary {
  return {
    level: o.level,
    met: o.met,
    ordersPerMinute: Math.round(o.ordersPerMinute * 10) / 10,
    users: Math.round(o.users),
    workers: o.workers,
    fromTick: o.window.fromTick,
    toTick: o.window.toTick,
    limit: o.limit,
  };
}

/**
 * What the verdict judges in mode capacity: the window of the highest level met, at that level, only the
 * breaches within it — a breach above the capacity is what the search looked for, not a failure of the run —
 * and the responses of the window's ticks (their histograms).
 * Null in mode target (the verdict judges the plateau) or when no level was met.
 */
export function capacityVerdictScope(
  state: RunAndRamp,
  histograms: readonly TickHistograms[],
): {
  targetOrdersPerMinute: number;
  plateau: PlateauTotals;
  watch: SloWatchState | null;
  latency?: LatencyFigures;
} | null {
  const met = state.ramp?.capacity?.met;
  if (state.run.request.mode !== 'capacity' || !met || met.level === null) return null;
  const { window } = met;
  const slo = state.ramp?.slo ?? null;
  const within = (tick: number) => tick >= window.fromTick && tick <= window.toTick;
  // The level's own responses, exactly (the ticks' histograms); the report still charts every tick.
  const run = runLatency(histograms);
  const levelTicks = histograms.filter((h) => within(h.tick) && (h.interval?.length ?? 0) > 0);
  const requests = windowOf(levelTicks);
  return {
    targetOrdersPerMinute: met.level,
    plateau: {
      ticks: window.ticks,
      orders: window.orders,
      minutes: window.minutes,
      requests: window.requests,
      failures: window.failures,
    },
    watch: slo
      ? {
          ...slo,
          // An episode breached from `from` up to the tick before `until` (its first tick without a breach).
          episodes: slo.episodes.filter(
            (e) => e.from.tick <= window.toTick && (e.until === null || e.until.tick > window.fromTick),
          ),
        }
      : null,
    ...(run && requests
      ? {
          latency: {
            ...run,
            source: 'plateau' as const,
            fromTick: levelTicks[0]?.tick ?? window.fromTick,
            toTick: levelTicks.at(-1)?.tick ?? window.toTick,
            ticks: levelTicks.length,
            requests,
          },
        }
      : {}),
  };
}

/** The notification's `capacity`: the result in a few fields; null in mode target. */
export function capacityNotification(state: RunAndRamp): Record<string, unknown> | null {
  const search = state.ramp?.capacity;
  if (state.run.request.mode !== 'capacity') return null;
  const result = search ? capacityResult(search) : null;
  return {
    ordersPerMinute: result?.ordersPerMinute ?? null,
    range: result?.range ?? { low: null, high: null },
    users: result?.users ?? null,
    workers: result?.workers ?? null,
    limit: result?.limit ? describeLimit(result.limit) : null,
    end: result?.end ?? 'stopped',
    message: result?.message ?? 'the search did not start',
  };
}

/** The report's section; empty in mode target. */
export function renderCapacitySection(c: CapacitySummary | null | undefined): string {
  if (!c) return '';
  const r = c.result;
  const range = `${r.range.low ?? '—'} – ${r.range.high ?? 'not bounded (the ceiling was met)'} orders/min`;
  const rows = c.levels
    .map(
      (l) =>
        `<tr><td>${l.level === null ? 'climb' : esc(l.level)}</td><td>${l.fromTick}–${l.toTick}</td><td>${esc(l.ordersPerMinute)}</td><td>${l.users}</td><td>${l.workers}</td><td class="${l.met ? 'pass' : 'fail'}">${l.met ? 'met' : 'not met'}</td><td>${l.limit ? esc(describeLimit(l.limit)) : ''}</td></tr>`,
    )
    .join('');
  const byUsers = xyChart({
    title: 'Orders per minute against users',
    xUnit: 'users',
    yUnit: 'orders/min',
    points: c.curves.ordersByUsers,
    mark: r.ordersPerMinute === null || r.users === null ? null : { x: r.users, y: r.ordersPerMinute },
  });
  const knee = xyChart({
    title: `Latency against throughput: p95 of "${c.curves.latencyRequest}"`,
    xUnit: 'orders/min',
    yUnit: 'ms',
    points: c.curves.latencyByThroughput,
    mark: null,
    vertical: r.ordersPerMinute,
  });
  return `<section><h2>Capacity: ${r.ordersPerMinute === null ? 'none found' : `${esc(r.ordersPerMinute)} orders/min`}</h2>
<p class="summary">${esc(r.message)}</p>
<dl class="facts">
  <dt>range</dt><dd>${esc(range)}</dd>
  <dt>users / workers</dt><dd>${esc(r.users ?? '—')} / ${esc(r.workers ?? '—')}</dd>
  <dt>limit</dt><dd>${esc(r.limit ? describeLimit(r.limit) : '—')}</dd>
  <dt>window / resolution</dt><dd>${c.parameters.holdTicks} tick(s) / ${esc(c.parameters.resolutionOrdersPerMinute ?? '5 % of the climb’s stop')} orders/min</dd>
</dl>
<div class="charts">${byUsers}${knee}</div>
<table><thead><tr><th>level (orders/min)</th><th>ticks</th><th>delivered</th><th>users</th><th>workers</th><th>judged</th><th>limit</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}

interface XyChartOptions {
  readonly title: string;
  readonly xUnit: string;
  readonly yUnit: string;
  readonly points: readonly CurvePoint[];
  /** A point to circle (the capacity). */
  readonly mark: { readonly x: number; readonly y: number } | null;
  /** An x to draw a vertical line at (the capacity). */
  readonly vertical?: number | null;
}

/** A scatter of points joined in tick order, with value axes. */
function xyChart(o: XyChartOptions): string {
  const width = 560;
  const height = 240;
  const m = { left: 56, right: 16, top: 12, bottom: 40 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const xs = [...o.points.map((p) => p.x), o.mark?.x ?? 0, o.vertical ?? 0];
  const ys = [...o.points.map((p) => p.y), o.mark?.y ?? 0];
  const ticksX = niceTicks(0, Math.max(...xs, 1) * 1.05);
  const ticksY = niceTicks(0, Math.max(...ys, 1) * 1.05);
  const right = ticksX.at(-1) ?? 1;
  const top = ticksY.at(-1) ?? 1;
  const x = (v: number) => m.left + (v / right) * plotW;
  const y = (v: number) => m.top + plotH - (v / top) * plotH;
  const parts: string[] = [];
  for (const v of ticksY)
    parts.push(
      `<line class="grid" x1="${m.left}" x2="${m.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`,
      `<text class="axis" x="${m.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(Math.round(v))}</text>`,
    );
  for (const v of ticksX)
    parts.push(
      `<line class="grid" x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${m.top}" y2="${m.top + plotH}"/>`,
      `<text class="axis" x="${x(v).toFixed(1)}" y="${m.top + plotH + 16}" text-anchor="middle">${esc(Math.round(v))}</text>`,
    );
  parts.push(
    `<text class="axis unit" x="${m.left + plotW / 2}" y="${height - 4}" text-anchor="middle">${esc(o.xUnit)}</text>`,
    `<text class="axis unit" x="12" y="${m.top + plotH / 2}" transform="rotate(-90 12 ${m.top + plotH / 2})" text-anchor="middle">${esc(o.yUnit)}</text>`,
  );
  if (o.points.length > 1)
    parts.push(
      `<polyline class="series dashed" stroke="#9aa5b1" points="${o.points.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ')}"/>`,
    );
  for (const p of o.points)
    parts.push(
      `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="#1f6feb"><title>tick ${p.tick}: ${esc(Math.round(p.x))} ${esc(o.xUnit)}, ${esc(Math.round(p.y))} ${esc(o.yUnit)}</title></circle>`,
    );
  if (o.vertical != null)
    parts.push(
      `<line class="threshold" x1="${x(o.vertical).toFixed(1)}" x2="${x(o.vertical).toFixed(1)}" y1="${m.top}" y2="${m.top + plotH}" stroke="#2da44e"><title>capacity ${esc(o.vertical)} orders/min</title></line>`,
    );
  if (o.mark)
    parts.push(
      `<circle cx="${x(o.mark.x).toFixed(1)}" cy="${y(o.mark.y).toFixed(1)}" r="7" fill="none" stroke="#2da44e" stroke-width="2"><title>capacity</title></circle>`,
    );
  if (o.points.length === 0)
    parts.push(
      `<text class="nodata" x="${m.left + plotW / 2}" y="${m.top + plotH / 2}" text-anchor="middle">no data</text>`,
    );
  parts.push(`<rect class="frame" x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}"/>`);
  return `<figure class="chart"><figcaption>${esc(o.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(o.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg></figure>`;
}
