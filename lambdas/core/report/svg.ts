/**
 * Inline SVG charts for the run report: no scripts, no external resources, readable offline and in a mail
 * client's preview. Every text is escaped.
 */

export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface Series {
  readonly label: string;
  readonly color: string;
  /** [epoch ms, value]; null breaks the line. */
  readonly points: readonly (readonly [number, number | null])[];
  readonly dashed?: boolean;
}

export interface Threshold {
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

export interface LineChartOptions {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
  readonly thresholds?: readonly Threshold[];
  /** The time axis, epoch ms (labels are minutes:seconds since `start`). */
  readonly start: number;
  readonly end: number;
  readonly width?: number;
  readonly height?: number;
}

const M = { left: 58, right: 14, top: 12, bottom: 30 };

/** Round numbers for an axis from 0 (or the lowest value) to at least `max`. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function formatValue(v: number): string {
  if (Math.abs(v) >= 10_000) return `${Math.round(v / 1000)}k`;
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

function timeTicks(start: number, end: number): number[] {
  const span = Math.max(1, end - start);
  const steps = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200].map((s) => s * 1000);
  const step = steps.find((s) => span / s <= 8) ?? 14_400_000;
  const ticks: number[] = [];
  for (let t = 0; t <= span; t += step) ticks.push(start + t);
  return ticks;
}

/** A line chart with a time axis, gridlines, optional threshold lines and a legend. */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 220;
  const plotW = width - M.left - M.right;
  const plotH = height - M.top - M.bottom;
  const values = [
    ...o.series.flatMap((s) => s.points.map((p) => p[1]).filter((v): v is number => v !== null)),
    ...(o.thresholds ?? []).map((t) => t.value),
  ];
  const hasData = o.series.some((s) => s.points.some((p) => p[1] !== null));
  const yMax = values.length > 0 ? Math.max(...values, 0) : 1;
  const ticksY = niceTicks(0, yMax * 1.05 || 1);
  const top = ticksY.at(-1) ?? 1;
  const span = Math.max(1, o.end - o.start);
  const x = (t: number) => M.left + ((t - o.start) / span) * plotW;
  const y = (v: number) => M.top + plotH - (v / top) * plotH;

  const parts: string[] = [];
  for (const v of ticksY) {
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${M.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`,
      `<text class="axis" x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(formatValue(v))}</text>`,
    );
  }
  for (const t of timeTicks(o.start, o.end)) {
    parts.push(
      `<line class="grid" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${M.top}" y2="${M.top + plotH}"/>`,
      `<text class="axis" x="${x(t).toFixed(1)}" y="${height - 10}" text-anchor="middle">${clock(t - o.start)}</text>`,
    );
  }
  parts.push(
    `<text class="axis unit" x="12" y="${M.top + plotH / 2}" transform="rotate(-90 12 ${M.top + plotH / 2})" text-anchor="middle">${esc(o.unit)}</text>`,
  );
  for (const th of o.thresholds ?? []) {
    parts.push(
      `<line class="threshold" x1="${M.left}" x2="${M.left + plotW}" y1="${y(th.value).toFixed(1)}" y2="${y(th.value).toFixed(1)}" stroke="${esc(th.color)}"><title>${esc(th.label)}</title></line>`,
    );
  }
  for (const s of o.series) {
    const segments: string[][] = [[]];
    for (const [t, v] of s.points) {
      if (v === null) {
        if ((segments.at(-1) ?? []).length > 0) segments.push([]);
        continue;
      }
      segments.at(-1)?.push(`${x(t).toFixed(1)},${y(v).toFixed(1)}`);
    }
    for (const seg of segments) {
      if (seg.length === 0) continue;
      if (seg.length === 1) {
        const [cx, cy] = (seg[0] ?? '0,0').split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${esc(s.color)}"/>`);
        continue;
      }
      parts.push(
        `<polyline class="series${s.dashed ? ' dashed' : ''}" stroke="${esc(s.color)}" points="${seg.join(' ')}"><title>${esc(s.label)}</title></polyline>`,
      );
    }
  }
  if (!hasData) {
    parts.push(
      `<text class="nodata" x="${M.left + plotW / 2}" y="${M.top + plotH / 2}" text-anchor="middle">no data</text>`,
    );
  }
  parts.push(`<rect class="frame" x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}"/>`);
  const legend = [
    ...o.series.map(
      (s) =>
        `<span class="key"><i style="background:${esc(s.color)}"${s.dashed ? ' class="dashed"' : ''}></i>${esc(s.label)}</span>`,
    ),
    ...(o.thresholds ?? []).map(
      (t) =>
        `<span class="key"><i class="th" style="border-color:${esc(t.color)}"></i>${esc(t.label)}</span>`,
    ),
  ].join('');
  return `<figure class="chart"><figcaption>${esc(o.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(o.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg><div class="legend">${legend}</div></figure>`;
}

export interface StripRow {
  readonly label: string;
  /** Cells over time: [from ms, to ms, css class, tooltip]. */
  readonly cells: readonly (readonly [number, number, string, string])[];
}

/** Rows of colored cells over time: the SLO states, one row per SLO. */
export function stateStrip(title: string, rows: readonly StripRow[], start: number, end: number): string {
  const width = 1140;
  const labelW = 300;
  const rowH = 20;
  const height = M.top + rows.length * rowH + M.bottom;
  const plotW = width - labelW - M.right;
  const span = Math.max(1, end - start);
  const x = (t: number) => labelW + ((t - start) / span) * plotW;
  const parts: string[] = [];
  rows.forEach((row, i) => {
    const top = M.top + i * rowH;
    parts.push(
      `<text class="label" x="${labelW - 8}" y="${top + rowH / 2 + 4}" text-anchor="end">${esc(truncate(row.label, 46))}<title>${esc(row.label)}</title></text>`,
    );
    for (const [from, to, cls, tip] of row.cells) {
      const x0 = x(from);
      const w = Math.max(1, x(to) - x0);
      parts.push(
        `<rect class="cell ${esc(cls)}" x="${x0.toFixed(1)}" y="${top + 2}" width="${w.toFixed(1)}" height="${rowH - 4}"><title>${esc(tip)}</title></rect>`,
      );
    }
  });
  for (const t of timeTicks(start, end)) {
    parts.push(
      `<line class="grid" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${M.top}" y2="${height - M.bottom}"/>`,
      `<text class="axis" x="${x(t).toFixed(1)}" y="${height - 10}" text-anchor="middle">${clock(t - start)}</text>`,
    );
  }
  if (rows.length === 0) {
    parts.push(
      `<text class="nodata" x="${width / 2}" y="${M.top + 14}" text-anchor="middle">no SLO was watched</text>`,
    );
  }
  const svgH = Math.max(height, M.top + 24 + M.bottom);
  return `<figure class="chart wide"><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${svgH}" width="${width}" height="${svgH}">${parts.join('')}</svg></figure>`;
}

export interface Bar {
  readonly label: string;
  readonly start: number;
  readonly end: number;
  /** CSS class: e.g. `succeeded`, `failed`, `wait`. */
  readonly kind: string;
  readonly tip: string;
}

/** A Gantt chart of the run's phases. */
export function timeline(title: string, bars: readonly Bar[], start: number, end: number): string {
  const rows = new Map<string, Bar[]>();
  for (const b of bars) rows.set(b.label, [...(rows.get(b.label) ?? []), b]);
  return stateStrip(
    title,
    [...rows.entries()].map(([label, list]) => ({
      label,
      cells: list.map((b) => [b.start, Math.max(b.end, b.start + 1), `phase ${b.kind}`, b.tip] as const),
    })),
    start,
    end,
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
