import { describe, expect, it } from 'vitest';
import { withSloDefaults } from '../../../../lambdas/core/config';
import { evaluateTick, type SloCheck, type SloWatchState } from '../../../../lambdas/core/slo';
import {
  type Baseline,
  baselineValues,
  judge,
  type LatencyFigures,
  type VerdictInput,
} from '../../../../lambdas/core/verdict';

const slos = withSloDefaults({
  maxFailureRatio: 0.01,
  targetTolerance: 0.1,
  requests: [{ name: 'checkout: place order', p95Ms: 800, p99Ms: 1500 }, { name: 'Aggregated' }],
  relative: { p95: 0.1, p99: 0.2, failureRatio: 0.5 },
  breachTicks: 2,
  graceTicks: 1,
});

const latency: LatencyFigures = {
  source: 'final',
  at: '2026-11-27T02:10:00.000Z',
  requests: [
    { name: 'checkout: place order', requests: 600, failures: 1, p50: 210, p95: 640, p99: 1100 },
    { name: 'Aggregated', requests: 9000, failures: 20, p50: 30, p95: 250, p99: 900 },
  ],
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

  it('takes the percentiles from the master figures it is given, unchanged', () => {
    const v = judge(input);
    expect(v.latency).toEqual(latency);
    expect(sli(v, 'request:checkout: place order:p99')?.observed).toBe(1100);
    expect(sli(v, 'request:Aggregated:p99')?.observed).toBe(900);
  });

  it('compares with the last passing run: value, delta and a warning past the relative criterion', () => {
    const v = judge({ ...input, baseline });
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

  it('fails on a relative criterion when its severity is fail', () => {
    const v = judge({
      ...input,
      baseline,
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
