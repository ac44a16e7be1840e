import { describe, expect, it } from 'vitest';
import { withSloDefaults } from '../../../../lambdas/core/config';
import type { LatencyFigures } from '../../../../lambdas/core/latency-window';
import { evaluateTick, type SloCheck, type SloWatchState } from '../../../../lambdas/core/slo';
import {
  type Baseline,
  baselineValues,
  compareWithBaseline,
  judge,
  sliSamples,
  type VerdictInput,
} from '../../../../lambdas/core/verdict';
import { Rng } from '../../../support/schema-generator';

const slos = withSloDefaults({
  maxFailureRatio: 0.01,
  targetTolerance: 0.1,
  requests: [{ name: 'checkout: place order', p95Ms: 800, p99Ms: 1500 }, { name: 'Aggregated' }],
  relative: { p95: 0.1, p99: 0.2, failureRatio: 0.5 },
  breachTicks: 2,
  graceTicks: 1,
});

const latency: LatencyFigures = {
  source: 'plateau',
  fromTick: 7,
  toTick: 12,
  ticks: 6,
  requests: [
    { name: 'checkout: place order', requests: 600, failures: 1, p50: 210, p95: 640, p99: 1100 },
    { name: 'Aggregated', requests: 9000, failures: 20, p50: 30, p95: 250, p99: 900 },
  ],
  perTick: [],
};

const input: VerdictInput = {
  environment: 'staging',
  scenario: 'checkout',
  executionName: 'run-2',
  targetOrdersPerMinute: 600,
  slos,
  plateau: { ticks: 6, orders: 1190, minutes: 2, requests: 9000, failures: 20 },
  failure: null,
  latency,
};

const baseline: Baseline = {
  ref: {
    executionId: 'arn:run-1',
    executionName: 'run-1',
    endedAt: '2026-11-26T02:10:00.000Z',
    targetOrdersPerMinute: 600,
  },
  values: {
    'orders-per-minute': 601,
    'failure-ratio': 0.2,
    'request:checkout: place order:p95': 600,
    'request:checkout: place order:p99': 1000,
    'request:Aggregated:p95': 200,
    'request:Aggregated:p99': 880,
  },
};

const sli = (v: ReturnType<typeof judge>, id: string) => v.slis.find((s) => s.id === id);

describe('judge', () => {
  it('passes with every SLI explained, and the first run says it has no baseline', () => {
    const v = judge(input);
    expect(v.outcome).toBe('pass');
    expect(v.baseline).toBeNull();
    expect(v.baselineNote).toMatch(/^no baseline: no earlier passing run of staging\/checkout/);
    expect(v.summary).toContain('no baseline');
    expect(sli(v, 'orders-per-minute')).toMatchObject({ observed: 595, status: 'pass', baseline: null });
    expect(sli(v, 'request:checkout: place order:p95')).toMatchObject({
      observed: 640,
      threshold: '≤ 800 ms',
      relative: '≤ +10 % vs last pass (no baseline)',
      status: 'pass',
      delta: null,
    });
    // A request without absolute thresholds is judged by the relative criteria only.
    expect(sli(v, 'request:Aggregated:p95')).toMatchObject({ threshold: '—', observed: 250, status: 'pass' });
  });

  it("names the KPI as the environment counts it: a travel shop's bookings, not orders", () => {
    const kpi = { name: 'bookings', unit: 'bookings per minute' };
    const v = judge({
      ...input,
      kpi,
      slos: { ...slos, kpi: { minAttainment: 0.9 } },
      baselines: [{ ...baseline, ref: { ...baseline.ref, targetOrdersPerMinute: 500 } }],
    });
    expect(sli(v, 'orders-per-minute')).toMatchObject({
      name: 'bookings per minute (plateau mean)',
      unit: 'bookings/min',
    });
    expect(sli(v, 'kpi-attainment')?.name).toBe('bookings per minute vs plan (worst plateau tick)');
    expect(v.notes.join('\n')).toContain('the baseline ran at 500 bookings/min, this run at 600');
    expect(JSON.stringify(v)).not.toMatch(/orders per minute|orders\/min/);
    // Without a KPI, as before: orders.
    expect(sli(judge(input), 'orders-per-minute')).toMatchObject({ unit: 'orders/min' });
  });

  it('takes the percentiles from the window figures it is given, unchanged', () => {
    const v = judge(input);
    expect(v.latency).toEqual(latency);
    expect(sli(v, 'request:checkout: place order:p99')?.observed).toBe(1100);
    expect(sli(v, 'request:Aggregated:p99')?.observed).toBe(900);
  });

  it('compares value to value with a baseline stored without per-tick values: delta and a warning past the relative criterion', () => {
    const v = judge({ ...input, baselines: [baseline] });
    expect(v.baseline).toEqual(baseline.ref);
    expect(v.baselineNote).toContain('run-1');
    // Aggregated p95: 250 vs 200 = +25 % > +10 %: warn (default severity).
    expect(sli(v, 'request:Aggregated:p95')).toMatchObject({
      baseline: 200,
      delta: 50,
      deltaPercent: 25,
      status: 'warn',
    });
    // checkout p95: 640 vs 600 = +6.7 %: within.
    expect(sli(v, 'request:checkout: place order:p95')).toMatchObject({
      baseline: 600,
      delta: 40,
      status: 'pass',
    });
    expect(sli(v, 'orders-per-minute')).toMatchObject({ baseline: 601, delta: -6 });
    expect(v.outcome).toBe('warn');
    expect(v.reasons.join(' ')).toContain('+25 %');
  });

  it('a failed verdict gives its failures first and still says what it warns of', () => {
    const slowAndShort = judge({
      ...input,
      plateau: { ...input.plateau, orders: 600 } as VerdictInput['plateau'],
      baselines: [baseline],
      latency: {
        ...latency,
        requests: latency.requests.map((r) => (r.name === 'Aggregated' ? { ...r, p99: 1200 } : r)),
      },
    });
    expect(slowAndShort.outcome).toBe('fail');
    const failing = slowAndShort.slis.filter((s) => s.status === 'fail').map((s) => s.name);
    const warning = slowAndShort.slis.filter((s) => s.status === 'warn').map((s) => s.name);
    expect(failing.length).toBeGreaterThan(0);
    expect(warning.length).toBeGreaterThan(0);
    expect(slowAndShort.reasons.map((r) => r.split(':')[0])).toEqual([...failing, ...warning]);
    expect(slowAndShort.summary).toContain(warning[0] as string);
  });

  it('fails on a relative criterion when its severity is fail', () => {
    const v = judge({
      ...input,
      baselines: [baseline],
      slos: { ...slos, relative: { ...slos.relative, severity: 'fail' } },
    });
    expect(v.outcome).toBe('fail');
    expect(sli(v, 'request:Aggregated:p95')?.status).toBe('fail');
  });

  it('fails an absolute threshold regardless of the baseline', () => {
    const slow: LatencyFigures = {
      ...latency,
      requests: latency.requests.map((r) => (r.name === 'Aggregated' ? r : { ...r, p95: 950 })),
    };
    const v = judge({ ...input, latency: slow });
    expect(v.outcome).toBe('fail');
    expect(sli(v, 'request:checkout: place order:p95')).toMatchObject({ status: 'fail', passed: false });
    expect(v.summary).toMatch(/^FAIL — p95 of "checkout: place order": 950 ms, wanted ≤ 800 ms/);
  });

  it('fails with the abort reason when the policy stopped the test, naming the SLO and when', () => {
    let watch: SloWatchState | null = null;
    const check = (breach: boolean): SloCheck => ({
      id: 'alarm:checkout-5xx',
      kind: 'alarm',
      label: 'alarm checkout-5xx',
      observed: breach ? 1 : 0,
      threshold: 'not in ALARM',
      breach,
    });
    const policy = { ...slos, alarms: [{ name: 'checkout-5xx' }], abortOnBreach: true };
    for (const [i, b] of [false, true, true].entries()) {
      watch = evaluateTick(policy, watch, [check(b)], {
        tick: i + 1,
        at: `2026-11-27T02:0${i}:00.000Z`,
      }).state;
    }
    const v = judge({ ...input, slos: policy, watch, plateau: null });
    expect(v.outcome).toBe('fail');
    expect(v.abort).toMatchObject({ sloId: 'alarm:checkout-5xx', tick: 3, since: { tick: 2 } });
    expect(v.reasons[0]).toMatch(/^aborted at tick 3 \(2026-11-27T02:02:00.000Z\): alarm checkout-5xx/);
    expect(sli(v, 'alarm:checkout-5xx')).toMatchObject({
      status: 'fail',
      observed: 2,
      unit: 'ticks in ALARM',
    });
    expect(v.breaches).toHaveLength(1);
  });

  it('passes after a transient breach and notes it', () => {
    let watch: SloWatchState | null = null;
    for (const [i, b] of [false, true, false].entries()) {
      watch = evaluateTick(
        slos,
        watch,
        [
          {
            id: 'alarm:x',
            kind: 'alarm',
            label: 'alarm x',
            observed: b ? 1 : 0,
            threshold: 'not in ALARM',
            breach: b,
          },
        ],
        { tick: i + 1, at: `2026-11-27T02:0${i}:00.000Z` },
      ).state;
    }
    const v = judge({ ...input, slos: { ...slos, alarms: [{ name: 'x' }] }, watch });
    expect(v.outcome).toBe('pass');
    expect(v.transientBreaches).toHaveLength(1);
    expect(v.notes.join(' ')).toContain('not counted');
    expect(sli(v, 'alarm:x')).toMatchObject({ status: 'pass', observed: 1 });
  });

  it('explains an interrupted run instead of judging it', () => {
    const v = judge({ ...input, failure: { Error: 'InjectedFault', Cause: 'boom' } });
    expect(v.outcome).toBe('error');
    expect(v.summary).toBe('ERROR — run interrupted by InjectedFault: boom');
  });

  it('warns when no plateau was measured', () => {
    const v = judge({ ...input, plateau: null });
    expect(v.outcome).toBe('warn');
    expect(sli(v, 'orders-per-minute')).toMatchObject({ status: 'warn', why: 'not measured' });
  });

  it('keeps the observed SLIs (not the alarms) as the next baseline', () => {
    const values = baselineValues(judge(input));
    expect(values).toMatchObject({
      'orders-per-minute': 595,
      'request:checkout: place order:p95': 640,
      'request:Aggregated:p99': 900,
    });
  });
});

describe('relative criteria against the noise of the last passing runs', () => {
  const P95 = 'request:checkout: place order:p95';
  const rng = new Rng(3);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  /** Per-tick p95s of a steady plateau: 12 ticks around `center` ms with 8 % noise. */
  const ticks = (center: number, n = 12) =>
    Array.from({ length: n }, () => Math.round(center * (1 + 0.08 * normal())));
  const run = (i: number, center: number): Baseline => ({
    ...baseline,
    ref: { ...baseline.ref, executionName: `run-${i}` },
    samples: { [P95]: ticks(center) },
  });

  it('two runs of one build are not flagged; a shift larger than the tolerance is, with its size and CI (200 seeds)', () => {
    let falseFlags = 0;
    let detected = 0;
    const shifts: number[] = [];
    for (let seed = 0; seed < 200; seed++) {
      const baselines = [1, 2, 3, 4, 5].map((i) => run(i, 300));
      const same = compareWithBaseline(ticks(300), baselines, P95, 0.1, 0.05);
      if (same?.regression) falseFlags++;
      const slower = compareWithBaseline(ticks(400), baselines, P95, 0.1, 0.05);
      if (slower?.regression) detected++;
      shifts.push(slower?.shift ?? Number.NaN);
      expect(slower?.shiftLow).toBeLessThanOrEqual(slower?.shift as number);
      expect(slower?.shiftHigh).toBeGreaterThanOrEqual(slower?.shift as number);
    }
    // A/A: significance alone would flag ~5 %; the +10 % tolerance on top leaves almost none.
    expect(falseFlags).toBeLessThanOrEqual(2);
    // A/B (+100 ms on 300 ms, noise 24 ms per tick): flagged every time, measured shift close to 100 ms.
    expect(detected).toBe(200);
    const meanShift = shifts.reduce((a, b) => a + b, 0) / shifts.length;
    expect(meanShift).toBeGreaterThan(95);
    expect(meanShift).toBeLessThan(105);
  });

  it('a significant change within the tolerance is reported but not flagged', () => {
    const baselines = [1, 2, 3].map((i) => ({
      ...run(i, 0),
      samples: { [P95]: [300, 301, 299, 300, 302, 298] },
    }));
    const c = compareWithBaseline([312, 311, 313, 312, 314, 310], baselines, P95, 0.1, 0.05);
    expect(c).toMatchObject({ runs: 3, significant: true, regression: false, shift: 12, shiftPercent: 4 });
    expect(c?.baseline).toEqual({ n: 18, min: 298, q1: 299, median: 300, q3: 301, max: 302 });
  });

  it('needs at least 3 values on each side', () => {
    expect(compareWithBaseline([1, 2], [run(1, 300)], P95, 0.1, 0.05)).toBeNull();
    expect(
      compareWithBaseline([1, 2, 3], [{ ...baseline, samples: { [P95]: [1, 2] } }], P95, 0.1, 0.05),
    ).toBeNull();
  });

  /** Plateau ticks of 100 responses of one request name, with the given p95 per tick. */
  const plateauTicks = (p95s: readonly number[], request: { name: string; p50: number; p99: number }) =>
    p95s.map((p95, i) => ({
      tick: i + 1,
      at: `2026-12-06T08:00:${String(i).padStart(2, '0')}.000Z`,
      plateau: true,
      requests: [{ ...request, requests: 100, failures: 0, p95 }],
    }));
  /** Two passing runs whose plateau ticks gave `samples` for the SLI `id`. */
  const twoBaselines = (id: string, samples: readonly number[]) =>
    [1, 2].map((i) => ({
      ...baseline,
      ref: { ...baseline.ref, executionName: `run-${i}` },
      samples: { [id]: [...samples] },
    }));

  it("the verdict shows the baseline's distribution and the shift, and warns only on a regression", () => {
    const perTick = (p95s: readonly number[]) =>
      plateauTicks(p95s, { name: 'checkout: place order', p50: 200, p99: 700 });
    const baselines = twoBaselines(P95, [600, 610, 590, 605, 595, 600]);
    const slow = judge({
      ...input,
      latency: { ...latency, perTick: perTick([700, 710, 690, 705, 695, 700]) },
      baselines,
    });
    expect(slow.baselineNote).toMatch(/^compared with the last 2 passing runs, the latest run-1/);
    const s = slow.slis.find((x) => x.id === P95);
    expect(s).toMatchObject({ status: 'warn', baseline: 600, delta: 100, deltaPercent: 16.7 });
    expect(s?.relative).toBe('≤ +10 % vs 2 passing run(s) (Mann-Whitney U, p < 0.05)');
    expect(s?.comparison).toMatchObject({ runs: 2, regression: true, baseline: { n: 12, median: 600 } });
    expect(s?.why).toMatch(/per-tick values are 100 ms higher \(95 % CI \d+ to \d+, \+16\.7 %\)/);
    const same = judge({
      ...input,
      latency: { ...latency, perTick: perTick([600, 612, 588, 603, 597, 601]) },
      baselines,
    });
    expect(same.slis.find((x) => x.id === P95)).toMatchObject({
      status: 'pass',
      comparison: { regression: false },
    });
  });

  it('a latency shift below minLatencyShiftMs is never a regression, whatever its percentage; above it, it is', () => {
    const AGG_P95 = 'request:Aggregated:p95';
    const perTick = (p95s: readonly number[]) => plateauTicks(p95s, { name: 'Aggregated', p50: 1, p99: 40 });
    const baselines = twoBaselines(AGG_P95, [2, 1, 2, 2, 1, 2]);
    const verdictOf = (p95s: readonly number[], minLatencyShiftMs: number) =>
      judge({
        ...input,
        slos: { ...slos, relative: { ...slos.relative, minLatencyShiftMs } },
        latency: { ...latency, perTick: perTick(p95s) },
        baselines,
      }).slis.find((x) => x.id === AGG_P95);
    // 1–2 ms to 7–9 ms: +400 %, significant, and only ~6 ms (the default floor is 10 ms).
    const small = verdictOf([7, 8, 9, 7, 8, 8], slos.relative.minLatencyShiftMs);
    expect(slos.relative.minLatencyShiftMs).toBe(10);
    expect(small).toMatchObject({ status: 'pass', comparison: { significant: true, regression: false } });
    expect(verdictOf([7, 8, 9, 7, 8, 8], 0)).toMatchObject({
      status: 'warn',
      comparison: { regression: true },
    });
    expect(verdictOf([17, 18, 19, 17, 18, 18], 10)).toMatchObject({
      status: 'warn',
      comparison: { regression: true },
    });
    // Value to value (a baseline stored without per-tick values) uses the same floor.
    const valueOnly = [{ ...baseline, samples: undefined, values: { ...baseline.values, [AGG_P95]: 2 } }];
    const judged = (p95: number) =>
      judge({
        ...input,
        latency: { ...latency, requests: [{ ...latency.requests[1], p95 } as never] },
        baselines: valueOnly,
      }).slis.find((x) => x.id === AGG_P95);
    expect(judged(8)?.status).toBe('pass');
    expect(judged(20)?.status).toBe('warn');
  });

  it("a passing run leaves the plateau's per-tick values as samples (not the ramp's)", () => {
    const samples = sliSamples({
      ...latency,
      perTick: [
        {
          tick: 1,
          at: 'a',
          plateau: false,
          requests: [{ name: 'Aggregated', requests: 10, failures: 5, p50: 1, p95: 2, p99: 3 }],
        },
        {
          tick: 2,
          at: 'b',
          plateau: true,
          requests: [{ name: 'Aggregated', requests: 10, failures: 1, p50: 4, p95: 5, p99: 6 }],
        },
        { tick: 3, at: 'c', plateau: true, requests: [] },
      ],
    });
    expect(samples).toEqual({
      'request:Aggregated:p50': [4],
      'request:Aggregated:p95': [5],
      'request:Aggregated:p99': [6],
      'failure-ratio': [10],
    });
  });
});
