import { describe, expect, it } from 'vitest';
import { type SloConfig, withSloDefaults } from '../../../../lambdas/core/config';
import {
  buildChecks,
  evaluateTick,
  MAX_EPISODES,
  type SloCheck,
  type SloWatchState,
  selects,
  type TickMeasurements,
} from '../../../../lambdas/core/slo';

const at = (tick: number) => ({ tick, at: new Date(Date.UTC(2026, 10, 27, 2, 0, tick * 10)).toISOString() });

function alarm(state: boolean | null): SloCheck {
  return {
    id: 'alarm:checkout-5xx',
    kind: 'alarm',
    label: 'alarm checkout-5xx',
    observed: state === null ? null : state ? 1 : 0,
    threshold: 'not in ALARM',
    breach: state,
  };
}

/** Runs the ticks' checks through the policy and returns every evaluation. */
function run(
  policy: Pick<SloConfig, 'graceTicks' | 'breachTicks' | 'abortOnBreach'>,
  ticks: (boolean | null)[],
) {
  let state: SloWatchState | null = null;
  return ticks.map((breach, i) => {
    const evaluation = evaluateTick(policy, state, [alarm(breach)], at(i + 1));
    state = evaluation.state;
    return evaluation;
  });
}

describe('evaluateTick', () => {
  const policy = { graceTicks: 2, breachTicks: 3, abortOnBreach: true };

  it('ignores breaches during the grace period after the load starts', () => {
    const result = run(policy, [true, true, false]);
    expect(result.map((r) => r.state.tracks[0]?.status)).toEqual(['grace', 'grace', 'ok']);
    expect(result.every((r) => r.abort === null)).toBe(true);
    expect(result.at(-1)?.state.episodes).toEqual([]);
  });

  it('counts a breach only once it persists breachTicks ticks, then aborts by policy with the SLO and the time', () => {
    const result = run(policy, [false, false, true, true, true, true]);
    expect(result.map((r) => r.state.tracks[0]?.status)).toEqual([
      'grace',
      'grace',
      'breaching',
      'breaching',
      'breached',
      'breached',
    ]);
    expect(result[3]?.abort).toBeNull();
    const abort = result[4]?.abort;
    expect(abort).toMatchObject({ sloId: 'alarm:checkout-5xx', tick: 5, at: at(5).at, since: at(3) });
    expect(abort?.reason).toContain('alarm checkout-5xx');
    expect(abort?.reason).toContain('tick 5');
    expect(result[4]?.counted.map((c) => c.id)).toEqual(['alarm:checkout-5xx']);
    // Counted and aborted once: the next tick neither notifies nor aborts again, but keeps the abort.
    expect(result[5]?.counted).toEqual([]);
    expect(result[5]?.abort).toBeNull();
    expect(result[5]?.state.abort).toEqual(abort);
  });

  it('does not abort on a breach shorter than breachTicks, and records it as transient', () => {
    const result = run(policy, [false, false, true, true, false, false]);
    expect(result.every((r) => r.abort === null && r.counted.length === 0)).toBe(true);
    const [episode] = result.at(-1)?.state.episodes ?? [];
    expect(episode).toMatchObject({ from: at(3), until: at(5), ticks: 2, countedAt: null });
    expect(result.at(-1)?.state.tracks[0]).toMatchObject({ status: 'ok', consecutive: 0, longest: 2 });
  });

  it('counts but goes on when the abort policy is off', () => {
    const result = run({ ...policy, abortOnBreach: false }, [false, false, true, true, true]);
    expect(result[4]?.counted).toHaveLength(1);
    expect(result[4]?.abort).toBeNull();
    expect(result[4]?.state.abort).toBeNull();
    expect(result[4]?.message).toContain('1 breached');
  });

  it('a tick without data neither ends nor extends a breach', () => {
    const result = run(policy, [false, false, true, null, true, true]);
    expect(result.map((r) => r.state.tracks[0]?.status)).toEqual([
      'grace',
      'grace',
      'breaching',
      'no-data',
      'breaching',
      'breached',
    ]);
    expect(result[5]?.abort?.since).toEqual(at(3));
  });

  it('breachTicks 1 counts the first breach after the grace period', () => {
    const result = run({ graceTicks: 0, breachTicks: 1, abortOnBreach: true }, [true]);
    expect(result[0]?.abort?.tick).toBe(1);
  });

  it('keeps at most MAX_EPISODES episodes, the counted ones first', () => {
    const ticks: boolean[] = [true, true, true];
    for (let i = 0; i < MAX_EPISODES + 10; i++) ticks.push(false, true);
    const result = run({ graceTicks: 0, breachTicks: 3, abortOnBreach: false }, ticks);
    const episodes = result.at(-1)?.state.episodes ?? [];
    expect(episodes).toHaveLength(MAX_EPISODES);
    expect(episodes[0]?.countedAt).toEqual(at(3));
  });
});

describe('buildChecks', () => {
  const slos = withSloDefaults({
    maxFailureRatio: 0.01,
    requests: [
      { name: 'checkout: place order', p95Ms: 800, p99Ms: 1500, maxFailureRatio: 0.02 },
      { name: 'missing', p95Ms: 100 },
    ],
    kpi: { minAttainment: 0.8 },
    alarms: [{ prefix: 'checkout-' }],
  });
  const measurements: TickMeasurements = {
    phase: 'plateau',
    ordersPerMinute: 450,
    targetNow: 600,
    interval: { requests: 1000, failures: 20 },
    requests: [
      { name: 'checkout: place order', requests: 100, failures: 1, p50: 120, p95: 900, p99: 1400 },
      { name: 'Aggregated', requests: 5000, failures: 30, p50: 40, p95: 300, p99: 700 },
    ],
    alarms: [
      { name: 'checkout-5xx', state: 'ALARM', reason: 'Threshold crossed' },
      { name: 'checkout-latency', state: 'INSUFFICIENT_DATA' },
    ],
  };

  it('checks every configured SLO on the master figures, the interval and the alarms', () => {
    const checks = buildChecks(slos, measurements);
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId['failure-ratio']).toMatchObject({ observed: 0.02, breach: true });
    expect(byId['kpi-attainment']).toMatchObject({ observed: 0.75, breach: true });
    expect(byId['request:checkout: place order:p95']).toMatchObject({ observed: 900, breach: true });
    expect(byId['request:checkout: place order:p99']).toMatchObject({ observed: 1400, breach: false });
    expect(byId['request:checkout: place order:failure-ratio']).toMatchObject({
      observed: 0.01,
      breach: false,
    });
    expect(byId['request:missing:p95']).toMatchObject({ observed: null, breach: null });
    expect(byId['alarm:checkout-5xx']).toMatchObject({ breach: true, detail: 'Threshold crossed' });
    expect(byId['alarm:checkout-latency']).toMatchObject({ breach: null });
  });

  it('judges the KPI on plateau ticks only', () => {
    const checks = buildChecks(slos, { ...measurements, phase: 'ramp-up' });
    expect(checks.find((c) => c.id === 'kpi-attainment')?.breach).toBeNull();
  });

  it("labels the KPI check with the environment's KPI", () => {
    const label = (kpiUnit?: string) =>
      buildChecks(slos, { ...measurements, ...(kpiUnit ? { kpiUnit } : {}) }).find(
        (c) => c.id === 'kpi-attainment',
      )?.label;
    expect(label('bookings per minute')).toBe('bookings per minute vs plan (plateau tick)');
    expect(label()).toBe('orders per minute vs plan (plateau tick)');
  });

  it('marks the watched alarms as no data when CloudWatch could not be asked', () => {
    const first = evaluateTick(slos, null, buildChecks(slos, measurements), at(1));
    const checks = buildChecks(slos, { ...measurements, alarms: null }, first.state);
    expect(checks.filter((c) => c.kind === 'alarm').map((c) => [c.id, c.breach])).toEqual([
      ['alarm:checkout-5xx', null],
      ['alarm:checkout-latency', null],
    ]);
  });

  it('selects alarms by name or prefix', () => {
    expect(selects([{ name: 'a' }, { prefix: 'checkout-' }], 'checkout-5xx')).toBe(true);
    expect(selects([{ name: 'a' }], 'ab')).toBe(false);
  });
});
