import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../../../../bench/systems';
import {
  capacityNotification,
  capacitySummary,
  capacityVerdictScope,
  renderCapacitySection,
} from '../../../../../lambdas/core/capacity/section';
import { withSloDefaults } from '../../../../../lambdas/core/config';
import type { TickHistograms } from '../../../../../lambdas/core/latency-window';
import { estimateCost, runCost } from '../../../../../lambdas/core/report/cost';
import { renderReport } from '../../../../../lambdas/core/report/html';
import { buildRunSummary } from '../../../../../lambdas/core/report/summary';
import type { RunState } from '../../../../../lambdas/core/run-state';
import { judge } from '../../../../../lambdas/core/verdict';
import schema from '../../../../../schema/run-summary.schema.json' with { type: 'json' };
import { runCapacitySearch, SCENARIO } from '../../../../support/capacity-simulated-run';

/** A capacity run's outputs, from a search run on the simulated "hard limit 50 %" system. */
const system = SYSTEMS.find((s) => s.name === 'hard limit 50 %');
if (!system) throw new Error('no such system');
const search = runCapacitySearch(system, 7);
const slos = withSloDefaults({ maxFailureRatio: 0.01, requests: [{ name: 'Aggregated', p95Ms: 800 }] });
const state: RunState = {
  run: {
    executionId: 'arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:capacity-1',
    executionName: 'capacity-1',
    startedAt: '2026-12-06T06:00:00.000Z',
    request: {
      environment: 'staging',
      targetOrdersPerMinute: SCENARIO.ceiling,
      rampUpMinutes: SCENARIO.rampUpSeconds / 60,
      plateauMinutes: SCENARIO.plateauSeconds / 60,
      scenario: 'checkout',
      deployProductionVersions: true,
      applications: ['shop'],
      tickSeconds: SCENARIO.tickSeconds,
      dryRun: false,
      mode: 'capacity',
      capacity: { maxOrdersPerMinute: SCENARIO.ceiling, ...SCENARIO.capacity },
    },
    environment: { slos } as RunState['run']['environment'],
    maxTicks: 50,
  },
  ramp: { capacity: search.state, slo: search.watch ?? undefined } as RunState['ramp'],
};
/** Ticks as the run store holds them; the p95 is made up (the simulation has no latency): 200 ms + 0.1 ms per order/min. */
const ticks = search.records.map((r, i) => ({
  ...r,
  at: new Date(Date.parse(state.run.startedAt) + (i + 1) * 60_000).toISOString(),
  phase: 'plateau',
  targetNow: 0,
  workers: 4,
  failureRatio: 0,
  message: '',
  requests:
    r.ordersPerMinute === null
      ? []
      : [
          {
            name: 'Aggregated',
            requests: 1,
            failures: 0,
            p50: 100,
            p95: 200 + r.ordersPerMinute / 10,
            p99: 900,
          },
        ],
}));

/** Each tick's responses as the watch stores them: 20 at its made-up p95 (all in one bucket), none on a new baseline. */
const histograms: TickHistograms[] = ticks.map((t) => ({
  tick: t.tick,
  at: t.at,
  plateau: true,
  interval:
    t.ordersPerMinute === null
      ? null
      : [{ name: 'Aggregated', requests: 20, failures: 0, histogram: { [String(t.requests[0]?.p95)]: 20 } }],
}));

describe("a capacity run's summary, report and notification", () => {
  const summary = buildRunSummary({
    state,
    verdict: null,
    ticks,
    phases: [],
    cost: runCost(estimateCost(ticks, [], { applications: 1, deployed: true, executions: 1 })),
    generator: 'evaluate',
    generatedAt: '2026-12-06T07:00:00.000Z',
    endedAt: null,
  });

  it('carries the result, every level and both curves, as the schema says', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const json = JSON.parse(JSON.stringify(summary));
    expect(validate(json), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(summary.capacity?.result).toEqual(search.result);
    expect(summary.capacity?.levels.length).toBe(search.state.levels.length);
    // One point per tick with a rate, against the users commanded at the tick before.
    expect(summary.capacity?.curves.ordersByUsers.length).toBe(
      ticks.filter((t) => t.ordersPerMinute).length - 1,
    );
    expect(summary.capacity?.curves.latencyByThroughput.length).toBe(
      ticks.filter((t) => t.ordersPerMinute).length,
    );
    expect(summary.capacity?.curves.latencyRequest).toBe('Aggregated');
  });

  it('is null in mode target', () => {
    const target = {
      ...state,
      run: { ...state.run, request: { ...state.run.request, mode: 'target' as const } },
    };
    expect(capacitySummary(target, ticks)).toBeNull();
    expect(capacityNotification(target)).toBeNull();
    expect(capacityVerdictScope(target, histograms)).toBeNull();
    expect(renderCapacitySection(null)).toBe('');
  });

  it('shows the capacity, its range, the limit and the curves in the report', () => {
    const html = renderReport(summary);
    const result = search.result;
    expect(html).toContain(`<h2>Capacity: ${result.ordersPerMinute} orders/min</h2>`);
    expect(html).toContain(`${result.range.low} – ${result.range.high} orders/min`);
    expect(html).toContain('Orders per minute against users');
    expect(html).toContain('Latency against throughput: p95 of &quot;Aggregated&quot;');
    expect(html.match(/<tr><td>/g)?.length).toBeGreaterThanOrEqual(search.state.levels.length);
  });

  it('notifies the capacity with its range, users, workers and limit', () => {
    expect(capacityNotification(state)).toMatchObject({
      ordersPerMinute: search.result.ordersPerMinute,
      range: search.result.range,
      users: search.result.users,
      workers: search.result.workers,
      end: search.result.end,
    });
  });

  it('lets the verdict judge the window of the highest level met, which passes', () => {
    const scope = capacityVerdictScope(state, histograms);
    const met = search.state.met;
    expect(scope?.targetOrdersPerMinute).toBe(met?.level);
    expect(scope?.plateau.minutes).toBeCloseTo(met?.window.minutes ?? 0);
    // The met window's responses alone: none of the ticks outside it.
    expect(scope?.latency?.fromTick).toBeGreaterThanOrEqual(met?.window.fromTick ?? Number.NaN);
    expect(scope?.latency?.toTick).toBeLessThanOrEqual(met?.window.toTick ?? Number.NaN);
    const inWindow = histograms.filter(
      (h) => h.interval && h.tick >= (met?.window.fromTick ?? 0) && h.tick <= (met?.window.toTick ?? 0),
    );
    expect(scope?.latency?.requests[0]?.requests).toBe(20 * inWindow.length);
    const verdict = judge({
      environment: 'staging',
      scenario: 'checkout',
      executionName: 'capacity-1',
      targetOrdersPerMinute: SCENARIO.ceiling,
      slos,
      plateau: null,
      failure: null,
      watch: search.watch,
      ...scope,
    });
    // Over the whole search the failure ratio breached (above the capacity); within the met window it did not.
    expect(search.watch?.episodes.some((e) => e.countedAt)).toBe(true);
    expect(verdict.outcome, verdict.summary).toBe('pass');
  });

  it('keeps a breach episode exactly when it breached in the met window: `until` is its first tick without', () => {
    const met = search.state.met;
    if (!met || !search.watch) throw new Error('the simulated search met no level');
    const { fromTick, toTick } = met.window;
    const episode = (from: number, until: number | null) => ({
      id: 'request:Aggregated:p95',
      kind: 'request' as const,
      label: 'p95 of Aggregated',
      threshold: '≤ 800 ms',
      from: { tick: from, at: '2026-12-06T10:00:00.000Z' },
      countedAt: { tick: from + 1, at: '2026-12-06T10:00:10.000Z' },
      until: until === null ? null : { tick: until, at: '2026-12-06T10:01:00.000Z' },
      ticks: 2,
      worst: 3900,
    });
    const kept = (from: number, until: number | null) =>
      capacityVerdictScope(
        {
          ...state,
          ramp: { ...state.ramp, slo: { ...search.watch, episodes: [episode(from, until)] } },
        } as never,
        histograms,
      )?.watch?.episodes.length;
    // Over on the level's first judged tick (began on the climb): not in the window.
    expect(kept(fromTick - 3, fromTick)).toBe(0);
    // Still breaching on that tick, or from inside, or never over: in it.
    expect(kept(fromTick - 3, fromTick + 1)).toBe(1);
    expect(kept(toTick, null)).toBe(1);
    expect(kept(fromTick - 3, null)).toBe(1);
    // Began after the window: not in it.
    expect(kept(toTick + 1, null)).toBe(0);
  });
});
