/**
 * The run report: one self-contained HTML file (inline CSS and SVG, no script, no external resource), from
 * the run's JSON summary. Opens offline, in any browser, from S3 or a local folder.
 */

import { renderCapacitySection } from '../capacity/section';
import type { TickRecord } from '../records';
import { describeLeftover, describeRestore } from '../restore';
import { describeUserClasses } from '../scenario';
import type { AppChange } from '../shape';
import { AGGREGATED, type SloStatus } from '../slo';
import type { SliResult } from '../verdict';
import type { RunSummary } from './summary';
import { type Bar, esc, lineChart, type Series, type StripRow, stateStrip, timeline } from './svg';

const COLORS = {
  target: '#6b7280',
  orders: '#2563eb',
  users: '#7c3aed',
  workers: '#0891b2',
  p50: '#16a34a',
  p95: '#ea580c',
  p99: '#dc2626',
  failures: '#dc2626',
  rps: '#0d9488',
  threshold: '#b91c1c',
} as const;

const STATUS_LABEL: Record<SloStatus, string> = {
  ok: 'OK',
  grace: 'grace period',
  breaching: 'breaching (not yet counted)',
  breached: 'breached (counted)',
  'no-data': 'no data',
};

/** The KPI's unit ("bookings per minute"); summaries from before named KPIs counted orders. */
function kpiUnit(s: RunSummary): string {
  return s.scenario?.kpi.unit ?? 'orders per minute';
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "mixed: BrowseUser ×2, CheckoutUser ×1", or the scenario's name when it selected no classes. */
function scenarioFact(s: RunSummary): string {
  const classes = s.scenario?.userClasses;
  return classes ? `${s.request.scenario}: ${describeUserClasses(classes)}` : s.request.scenario;
}

export function renderReport(s: RunSummary): string {
  const verdict = s.verdict;
  const outcome = verdict?.outcome ?? (s.failure ? 'error' : 'unknown');
  const title = `Load test ${s.request.environment}/${s.request.scenario} — ${outcome.toUpperCase()}`;
  const times = timeRange(s);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${restoreBanner(s)}<header class="outcome-${esc(outcome)}">
  <h1>${esc(title)}</h1>
  <p class="summary">${esc(verdict?.summary ?? s.failure?.Cause ?? 'no verdict')}</p>
  <dl class="facts">
    ${fact('execution', s.execution.name)}
    ${fact('started', s.execution.startedAt)}
    ${fact('ended', s.execution.endedAt ?? '—')}
    ${fact('scenario', scenarioFact(s))}
    ${fact('target', `${s.request.targetOrdersPerMinute} ${kpiUnit(s)}`)}
    ${fact('ramp-up / plateau', `${s.request.rampUpMinutes} min / ${s.request.plateauMinutes} min, tick ${s.request.tickSeconds} s`)}
    ${fact('achieved (plateau)', verdict?.achievedOrdersPerMinute == null ? '—' : `${verdict.achievedOrdersPerMinute} ${kpiUnit(s)}`)}
    ${fact('cost', `$${s.cost.totalUsd.toFixed(4)}`)}
  </dl>
</header>
<main>
${verdictSection(s)}
${renderCapacitySection(s.capacity)}
${chartsSection(s, times)}
${sloSection(s, times)}
${timelineSection(s, times)}
${changesSection(s)}
${latencySection(s)}
${costSection(s)}
</main>
<footer>Written by ${esc(s.generator)} at ${esc(s.generatedAt)} · Load Test Conductor · summary schema v${s.schemaVersion} · this file has no scripts and loads nothing.</footer>
</body>
</html>
`;
}

interface Times {
  readonly start: number;
  readonly end: number;
  /** The load's time axis (first to last tick, or the run). */
  readonly loadStart: number;
  readonly loadEnd: number;
}

/**
 * Above everything else when the environment may not be back in its recorded shape: which restore steps
 * failed, with their errors, and what may be left (current and recorded shape).
 */
function restoreBanner(s: RunSummary): string {
  const restore = s.restore;
  if (!restore || restore.complete) return '';
  const errors = restore.errors
    .map((e) => `<li>${esc(e.step)} failed: ${esc(e.error)} <small>${esc(e.at)}</small></li>`)
    .join('');
  const left = restore.leftovers.map((l) => `<li>${esc(describeLeftover(l))}</li>`).join('');
  return `<section class="restore-incomplete" role="alert">
<h2>${esc(describeRestore(restore) ?? 'Restore incomplete')}</h2>
${errors ? `<ul class="restore-errors">${errors}</ul>` : ''}${left ? `<p>May be left out of its recorded shape:</p><ul class="leftovers">${left}</ul>` : ''}
</section>
`;
}

function timeRange(s: RunSummary): Times {
  const tickTimes = s.ticks.map((t) => Date.parse(t.at)).filter(Number.isFinite);
  const phaseTimes = s.phases
    .flatMap((p) => [Date.parse(p.startedAt), Date.parse(p.endedAt)])
    .filter(Number.isFinite);
  const runStart = Date.parse(s.execution.startedAt);
  const all = [runStart, ...tickTimes, ...phaseTimes].filter(Number.isFinite);
  const start = Math.min(...all);
  const end = Math.max(...all, s.execution.endedAt ? Date.parse(s.execution.endedAt) : start + 1);
  const loadPhase = s.phases.find((p) => p.name === 'Start load');
  const loadStart = loadPhase ? Date.parse(loadPhase.startedAt) : Math.min(...tickTimes, end);
  const loadEnd = tickTimes.length > 0 ? Math.max(...tickTimes) : end;
  return { start, end: Math.max(end, start + 1), loadStart, loadEnd: Math.max(loadEnd, loadStart + 1) };
}

function fact(label: string, value: string): string {
  return `<div><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`;
}

function num(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined) return '—';
  const text = Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
  return unit ? `${text} ${unit}` : text;
}

function verdictSection(s: RunSummary): string {
  const v = s.verdict;
  if (!v) {
    return `<section><h2>Verdict</h2><p class="error">No verdict: ${esc(s.failure?.Error ?? '')} ${esc(s.failure?.Cause ?? '')}</p></section>`;
  }
  const rows = v.slis.map(sliRow).join('');
  const abort = v.abort
    ? `<p class="abort"><strong>Aborted by policy.</strong> ${esc(v.abort.reason)}</p>`
    : '';
  const breaches = v.breaches.length
    ? `<h3>Breaches that counted</h3><ul>${v.breaches
        .map(
          (b) =>
            `<li><strong>${esc(b.label)}</strong> breached ${esc(b.threshold)} from tick ${b.from.tick} (${esc(b.from.at)}), counted at tick ${esc(b.countedAt?.tick ?? '—')} (${esc(b.countedAt?.at ?? '—')}), ${b.ticks} tick(s), worst ${esc(num(b.worst))}</li>`,
        )
        .join('')}</ul>`
    : '';
  const compared = v.slis.filter((x) => x.comparison);
  const comparisons = compared.length
    ? `<h3>Against the baseline runs</h3><table class="comparison"><thead><tr><th>SLI</th><th>baseline runs</th><th>baseline per tick (min · q1 · median · q3 · max)</th><th>this run per tick (median)</th><th>shift (95 % CI)</th><th>p</th><th>regression</th></tr></thead><tbody>${compared
        .map((x) => {
          const c = x.comparison as NonNullable<SliResult['comparison']>;
          const b = c.baseline;
          return `<tr class="${esc(x.status)}"><td>${esc(x.name)}</td><td class="n">${c.runs} (${b.n} ticks)</td><td class="n">${[b.min, b.q1, b.median, b.q3, b.max].map((n) => esc(num(n))).join(' · ')} ${esc(x.unit)}</td><td class="n">${esc(num(c.current.median, x.unit))} (${c.current.n} ticks)</td><td class="n">${esc(num(c.shift))} (${esc(num(c.shiftLow))} to ${esc(num(c.shiftHigh))}) ${esc(x.unit)}${c.shiftPercent === null ? '' : ` · ${c.shiftPercent > 0 ? '+' : ''}${c.shiftPercent} %`}</td><td class="n">${esc(String(c.pValue))}</td><td>${c.regression ? 'yes' : c.significant ? 'significant, within tolerance' : 'no'}</td></tr>`;
        })
        .join('')}</tbody></table>`
    : '';
  const notes = v.notes.length
    ? `<h3>Notes</h3><ul>${v.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`
    : '';
  const reasons =
    v.outcome !== 'pass' && v.reasons.length
      ? `<ul class="reasons">${v.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>`
      : '';
  return `<section><h2>Verdict: <span class="badge ${esc(v.outcome)}">${esc(v.outcome.toUpperCase())}</span></h2>
${abort}${reasons}
<p class="baseline">${esc(v.baselineNote)}</p>
<table class="verdict"><thead><tr><th>SLI</th><th>threshold</th><th>relative</th><th>observed</th><th>baseline</th><th>delta</th><th>status</th><th>why</th></tr></thead>
<tbody>${rows || '<tr><td colspan="8">no SLI was judged</td></tr>'}</tbody></table>
${comparisons}${breaches}${notes}</section>`;
}

function sliRow(sli: SliResult): string {
  const delta =
    sli.delta === null
      ? '—'
      : `${sli.delta > 0 ? '+' : ''}${num(sli.delta, sli.unit)}${sli.deltaPercent === null ? '' : ` (${sli.deltaPercent > 0 ? '+' : ''}${sli.deltaPercent} %)`}`;
  return `<tr class="${esc(sli.status)}"><td>${esc(sli.name)}</td><td>${esc(sli.threshold)}</td><td>${esc(sli.relative ?? '—')}</td><td class="n">${esc(num(sli.observed, sli.unit))}</td><td class="n">${esc(num(sli.baseline, sli.baseline === null ? '' : sli.unit))}</td><td class="n">${esc(delta)}</td><td><span class="badge ${esc(sli.status)}">${esc(sli.status)}</span></td><td>${esc(sli.why ?? '')}</td></tr>`;
}

function series(
  ticks: readonly TickRecord[],
  label: string,
  color: string,
  pick: (t: TickRecord) => number | null | undefined,
  dashed = false,
): Series {
  return { label, color, dashed, points: ticks.map((t) => [Date.parse(t.at), pick(t) ?? null] as const) };
}

function chartsSection(s: RunSummary, times: Times): string {
  const ticks = s.ticks;
  const axis = { start: times.loadStart, end: times.loadEnd };
  const charts: string[] = [
    lineChart({
      title: `${capitalized(kpiUnit(s))} against the target`,
      unit: kpiUnit(s),
      ...axis,
      series: [
        series(ticks, 'planned (target now)', COLORS.target, (t) => t.targetNow, true),
        series(ticks, 'measured', COLORS.orders, (t) => t.ordersPerMinute),
      ],
      thresholds: [
        {
          label: `target ${s.request.targetOrdersPerMinute}`,
          value: s.request.targetOrdersPerMinute,
          color: COLORS.target,
        },
      ],
    }),
    lineChart({
      title: 'Users',
      unit: 'users',
      ...axis,
      series: [series(ticks, 'users', COLORS.users, (t) => t.users)],
    }),
    lineChart({
      title: 'Workers (Locust)',
      unit: 'workers',
      ...axis,
      series: [series(ticks, 'workers', COLORS.workers, (t) => t.workers)],
    }),
    lineChart({
      title: 'Failures per tick',
      unit: '% of requests',
      ...axis,
      series: [series(ticks, 'failure ratio', COLORS.failures, (t) => t.failureRatio * 100)],
      thresholds: [
        {
          label: `SLO ≤ ${num(s.slos.maxFailureRatio * 100)} %`,
          value: s.slos.maxFailureRatio * 100,
          color: COLORS.threshold,
        },
      ],
    }),
    lineChart({
      title: 'Requests per second',
      unit: 'req/s',
      ...axis,
      series: [series(ticks, 'requests per second', COLORS.rps, (t) => t.rps)],
    }),
  ];
  const names = latencyChartNames(s);
  for (const name of names) {
    const slo = s.slos.requests.find((r) => r.name === name);
    const pick = (p: 'p50' | 'p95' | 'p99') => (t: TickRecord) =>
      t.requests?.find((r) => r.name === name)?.[p];
    const plateauP95 = s.verdict?.latency?.requests.find((r) => r.name === name)?.p95 ?? null;
    charts.push(
      lineChart({
        title: `Latency of "${name}" (every response of each tick)`,
        unit: 'ms',
        ...axis,
        series: [
          series(ticks, 'p50', COLORS.p50, pick('p50')),
          series(ticks, 'p95', COLORS.p95, pick('p95')),
          series(ticks, 'p99', COLORS.p99, pick('p99')),
        ],
        thresholds: [
          ...(slo?.p95Ms !== undefined
            ? [{ label: `p95 SLO ${slo.p95Ms} ms`, value: slo.p95Ms, color: COLORS.p95 }]
            : []),
          ...(slo?.p99Ms !== undefined
            ? [{ label: `p99 SLO ${slo.p99Ms} ms`, value: slo.p99Ms, color: COLORS.p99 }]
            : []),
          ...(plateauP95 !== null
            ? [{ label: `plateau p95 ${plateauP95} ms`, value: plateauP95, color: COLORS.target }]
            : []),
        ],
      }),
    );
  }
  return `<section><h2>The load</h2><div class="charts">${charts.join('')}</div></section>`;
}

/** Aggregated, every request with an SLO, then the busiest others: at most six charts. */
function latencyChartNames(s: RunSummary): string[] {
  const seen = new Set<string>();
  for (const t of s.ticks) for (const r of t.requests ?? []) seen.add(r.name);
  const names: string[] = [];
  const add = (n: string) => {
    if (seen.has(n) && !names.includes(n) && names.length < 6) names.push(n);
  };
  add(AGGREGATED);
  for (const r of s.slos.requests) add(r.name);
  const last = [...s.ticks].reverse().find((t) => t.requests?.length);
  for (const r of [...(last?.requests ?? [])].sort((a, b) => b.requests - a.requests)) add(r.name);
  return names;
}

function sloSection(s: RunSummary, times: Times): string {
  const ids: string[] = [];
  const labels = new Map<string, string>();
  for (const t of s.ticks) {
    for (const x of t.slo ?? []) {
      if (!labels.has(x.id)) ids.push(x.id);
      labels.set(x.id, x.label);
    }
  }
  const tickMs = s.request.tickSeconds * 1000;
  const rows: StripRow[] = ids.map((id) => ({
    label: labels.get(id) ?? id,
    cells: s.ticks.flatMap((t) => {
      const state = t.slo?.find((x) => x.id === id);
      if (!state) return [];
      const end = Date.parse(t.at);
      return [
        [
          end - tickMs,
          end,
          state.status,
          `tick ${t.tick} ${t.at}: ${STATUS_LABEL[state.status]}${state.observed === null ? '' : `, observed ${num(state.observed)}`}`,
        ] as const,
      ];
    }),
  }));
  const legend = (Object.keys(STATUS_LABEL) as SloStatus[])
    .map((k) => `<span class="key"><i class="cell ${k}"></i>${esc(STATUS_LABEL[k])}</span>`)
    .join('');
  return `<section><h2>SLO states over time</h2><p class="hint">Grace: ${s.slos.graceTicks} tick(s) after the load starts · a breach counts after ${s.slos.breachTicks} consecutive tick(s) · abort on breach: ${s.slos.abortOnBreach ? 'on' : 'off'}</p>
${
  rows.length > 0
    ? `${stateStrip('Each SLO at each tick', rows, times.loadStart - tickMs, times.loadEnd)}<div class="legend">${legend}</div>`
    : '<p>No SLO states were recorded: the ticks of this run did not go through the SLO watch.</p>'
}</section>`;
}

function timelineSection(s: RunSummary, times: Times): string {
  const bars: Bar[] = s.phases.map((p) => ({
    label: p.name,
    start: Date.parse(p.startedAt),
    end: Date.parse(p.endedAt),
    kind: p.name.startsWith('Wait') ? 'wait' : p.outcome,
    tip: `${p.name}: ${p.startedAt} → ${p.endedAt} (${((Date.parse(p.endedAt) - Date.parse(p.startedAt)) / 1000).toFixed(1)} s) ${p.outcome}${p.detail ? ` — ${p.detail}` : ''}`,
  }));
  const body =
    bars.length > 0
      ? timeline('Phases of the state machine', bars, times.start, times.end)
      : '<p>No phases were recorded for this run.</p>';
  return `<section><h2>Phase timeline</h2>${body}</section>`;
}

function changeRows(title: string, changes: readonly AppChange[] | undefined): string {
  if (!changes || changes.length === 0) return `<tr><th>${esc(title)}</th><td colspan="3">none</td></tr>`;
  return changes
    .map(
      (c, i) =>
        `<tr>${i === 0 ? `<th rowspan="${changes.length}">${esc(title)}</th>` : ''}<td>${esc(c.application)}</td><td>${esc(`${c.from.version} × ${c.from.replicas}`)}</td><td>${esc(`${c.to.version} × ${c.to.replicas}`)}</td></tr>`,
    )
    .join('');
}

function changesSection(s: RunSummary): string {
  const c = s.changes;
  const deploy = c.deploy?.skipped
    ? '<tr><th>Deploy</th><td colspan="3">skipped (tested what was deployed)</td></tr>'
    : changeRows('Deploy', c.deploy?.changes);
  const cleanup = (c.cleanup?.actions ?? []).map((a) => `<li>${esc(a.name)}: ${esc(a.result)}</li>`).join('');
  const drift = s.drift.length
    ? `<table><thead><tr><th>at</th><th>application</th><th>drift</th></tr></thead><tbody>${s.drift.map((d) => `<tr><td>${esc(d.at)}</td><td>${esc(d.application)}</td><td>${esc(d.message)}</td></tr>`).join('')}</tbody></table>`
    : '<p>No drift was detected.</p>';
  return `<section><h2>What was deployed and scaled</h2>
<table class="changes"><thead><tr><th>step</th><th>application</th><th>from</th><th>to</th></tr></thead><tbody>
${deploy}${changeRows('Scale', c.scale?.changes)}${changeRows('Teardown (restored)', c.teardown?.restored)}
</tbody></table>
<h3>Cleanup</h3>${cleanup ? `<ul class="cleanup">${cleanup}</ul>` : '<p>No cleanup actions ran (yet).</p>'}
<h3>Drift during the test</h3>${drift}</section>`;
}

function latencySection(s: RunSummary): string {
  const l = s.verdict?.latency;
  if (!l) return '';
  const rows = l.requests
    .map(
      (r) =>
        `<tr><td>${esc(r.name)}</td><td class="n">${r.requests}</td><td class="n">${r.failures}</td><td class="n">${esc(num(r.p50))}</td><td class="n">${esc(num(r.p95))}</td><td class="n">${esc(num(r.p99))}</td></tr>`,
    )
    .join('');
  const window = `${l.source === 'plateau' ? 'the plateau' : 'the whole load (no plateau tick had responses)'}: ticks ${l.fromTick}–${l.toTick}, ${l.ticks} with responses`;
  const names = s.slos.requests.map((r) => r.name).slice(0, 3);
  const head = names.map((n) => `<th colspan="3">${esc(n)} p50 / p95 / p99 ms</th>`).join('');
  const tickRows = l.perTick
    .map((t) => {
      const cells = names
        .map((n) => {
          const f = t.requests.find((r) => r.name === n);
          return `<td class="n">${esc(num(f?.p50))}</td><td class="n">${esc(num(f?.p95))}</td><td class="n">${esc(num(f?.p99))}</td>`;
        })
        .join('');
      return `<tr${t.plateau ? ' class="plateau"' : ''}><td class="n">${t.tick}</td><td>${t.plateau ? 'plateau' : 'ramp'}</td>${cells}</tr>`;
    })
    .join('');
  const perTick = names.length
    ? `<h3>Per tick</h3><table class="ticks"><thead><tr><th>tick</th><th>phase</th>${head}</tr></thead><tbody>${tickRows}</tbody></table>`
    : '';
  return `<section><h2>Latency of the plateau</h2><p class="hint">Percentiles of every response of ${esc(window)}, from the sum of the ticks' histograms (Locust's buckets, merged from all workers): never an average across workers or ticks.</p>
<table><thead><tr><th>request</th><th>requests</th><th>failures</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr></thead><tbody>${rows}</tbody></table>${perTick}</section>`;
}

function costSection(s: RunSummary): string {
  const c = s.cost;
  return `<section><h2>Cost of the run</h2>
<table class="cost"><tbody>
<tr><th>Step Functions</th><td>${c.stateTransitions} state transitions × $${(c.prices.stateTransitionUsd * 1000).toFixed(3)} / 1,000</td><td class="n">$${c.stepFunctionsUsd.toFixed(6)}</td></tr>
<tr><th>Lambda (arm64)</th><td>${c.lambdaInvocations} invocations, ${c.lambdaGbSeconds} GB-s × $${c.prices.lambdaArmGbSecondUsd} + requests × $0.20 / 1M</td><td class="n">$${c.lambdaUsd.toFixed(6)}</td></tr>
<tr class="total"><th>Total</th><td>${esc(c.basis)}: ${esc(c.note)}</td><td class="n">$${c.totalUsd.toFixed(6)}</td></tr>
</tbody></table><p class="hint">List prices (us-east-1). The load generators and the system under test run on your own infrastructure and are not included.</p></section>`;
}

const CSS = `
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--pass:#15803d;--warn:#b45309;--fail:#b91c1c;--error:#7f1d1d}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#f9fafb}
header{padding:20px 28px;border-bottom:4px solid var(--muted);background:#fff}
header.outcome-pass{border-color:var(--pass)}header.outcome-warn{border-color:var(--warn)}
header.outcome-fail{border-color:var(--fail)}header.outcome-error{border-color:var(--error)}
h1{margin:0 0 6px;font-size:22px}h2{font-size:18px;margin:0 0 10px}h3{font-size:15px;margin:14px 0 6px}
.summary{margin:0 0 10px;font-size:15px}
.facts{display:flex;flex-wrap:wrap;gap:6px 22px;margin:0}.facts dt{color:var(--muted);font-size:12px}.facts dd{margin:0;font-weight:600}
main{padding:16px 28px;display:grid;gap:16px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.fail td{background:#fef2f2}tr.warn td{background:#fffbeb}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;background:var(--muted)}
.badge.pass{background:var(--pass)}.badge.warn{background:var(--warn)}.badge.fail{background:var(--fail)}.badge.error{background:var(--error)}
.abort{background:#fef2f2;border-left:4px solid var(--fail);padding:8px 12px}
.error{color:var(--fail)}.baseline,.hint{color:var(--muted)}
ul.cleanup li{white-space:pre-wrap}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px}
figure.chart{margin:0}figure.chart svg{max-width:100%;height:auto;display:block}
figcaption{font-weight:600;margin-bottom:4px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:#374151;margin-top:4px}
.key i{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:5px}
.key i.th{height:0;border-top:2px dashed}.key i.cell{width:12px;height:12px}
svg .grid{stroke:#eef0f3;stroke-width:1}svg .frame{fill:none;stroke:#d1d5db}
svg .axis{font-size:11px;fill:#6b7280}svg .label{font-size:12px;fill:#111827}svg .nodata{font-size:13px;fill:#9ca3af}
svg .series{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}svg .series.dashed{stroke-dasharray:6 4;stroke-width:1.5}
svg .threshold{stroke-width:1.5;stroke-dasharray:3 3}
.cell.ok{fill:#22c55e;background:#22c55e}.cell.grace{fill:#d1d5db;background:#d1d5db}
.cell.breaching{fill:#f59e0b;background:#f59e0b}.cell.breached{fill:#dc2626;background:#dc2626}
.cell.no-data{fill:#f3f4f6;background:#f3f4f6;stroke:#e5e7eb}
.restore-incomplete{background:#fee2e2;border:2px solid #dc2626;padding:.5em 1em;margin-bottom:1em}.phase.succeeded{fill:#3b82f6}.phase.failed{fill:#dc2626}.phase.wait{fill:#cbd5e1}
footer{color:var(--muted);font-size:12px;padding:6px 28px 24px}
`;
