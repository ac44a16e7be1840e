import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { costFromEvents, estimateCost, PRICES, runCost } from '../../../../../lambdas/core/report/cost';
import { renderReport } from '../../../../../lambdas/core/report/html';
import { niceTicks } from '../../../../../lambdas/core/report/svg';
import { restoreOutcome } from '../../../../../lambdas/core/restore';
import { compareWithBaseline } from '../../../../../lambdas/core/verdict';
import schema from '../../../../../schema/run-summary.schema.json' with { type: 'json' };
import { sampleSummary } from '../../../../support/run-summary';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

describe('the JSON summary', () => {
  it('validates against schema/run-summary.schema.json', () => {
    const summary = JSON.parse(JSON.stringify(sampleSummary()));
    expect(validate(summary), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('is rejected when a required part is missing or mistyped', () => {
    const summary = JSON.parse(JSON.stringify(sampleSummary()));
    delete summary.cost;
    summary.verdict.outcome = 'maybe';
    expect(validate(summary)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    expect(paths.join('\n')).toContain("must have required property 'cost'");
    expect(paths.join('\n')).toContain('/verdict/outcome');
  });

  it('carries the abort: which SLO and when', () => {
    const summary = sampleSummary();
    expect(summary.abort).toMatchObject({ sloId: 'alarm:checkout-5xx', tick: 18, since: { tick: 17 } });
    expect(summary.verdict?.outcome).toBe('fail');
    expect(summary.verdict?.transientBreaches.map((b) => b.from.tick)).toEqual([12]);
  });
});

/** The summary of a run whose Teardown failed: what Release lock wrote (core/restore.ts). */
function incompleteRestore() {
  const restore = restoreOutcome(
    {
      teardown: {
        step: 'Teardown',
        Error: 'TransientError',
        Cause: 'shop: connect ECONNREFUSED 127.0.0.1:8080',
        at: '2026-11-27T02:30:00.000Z',
      },
    },
    [],
    [{ kind: 'application', name: 'shop', recorded: { version: '2.5.0', replicas: 1 } }],
  );
  return { ...sampleSummary(), restore };
}

describe('an incomplete restore', () => {
  it('is in summary.json as the schema says: every error, what is left', () => {
    const summary = JSON.parse(JSON.stringify(incompleteRestore()));
    expect(validate(summary), JSON.stringify(validate.errors, null, 2)).toBe(true);
    summary.restore.leftovers[0].kind = 'database';
    delete summary.restore.errors[0].at;
    expect(validate(summary)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => e.instancePath).join('\n');
    expect(paths).toContain('/restore/leftovers/0/kind');
    expect(paths).toContain('/restore/errors/0');
  });

  it('has one error per failed step, without an application: the leftovers name those', () => {
    const summary = JSON.parse(JSON.stringify(incompleteRestore()));
    expect(Object.keys(summary.restore.errors[0]).sort()).toEqual(['at', 'error', 'step']);
    summary.restore.errors[0].application = 'shop';
    expect(validate(summary)).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toContain(
      '/restore/errors/0 must NOT have additional properties',
    );
  });

  it('heads the report: which step failed with its error, and which application may be left', () => {
    const html = renderReport(incompleteRestore());
    const banner = html.indexOf('class="restore-incomplete"');
    expect(banner).toBeGreaterThan(-1);
    expect(banner).toBeLessThan(html.indexOf('<header'));
    expect(html).toContain(
      'Restore incomplete: Teardown failed; may be left: application shop (current unreadable, may still be as the run left it, recorded 1 replicas, version 2.5.0)',
    );
    expect(html).toContain('Teardown failed: TransientError: shop: connect ECONNREFUSED 127.0.0.1:8080');
  });

  it('is not shown when the restore is complete or not checked yet', () => {
    expect(renderReport(sampleSummary())).not.toContain('class="restore-incomplete"');
    const complete = { ...sampleSummary(), restore: restoreOutcome(undefined, [], []) };
    expect(renderReport(complete)).not.toContain('class="restore-incomplete"');
  });
});

describe('the HTML report', () => {
  const html = renderReport(sampleSummary());

  it('shows a cleanup action’s report line by line (an ecs-task reports its task’s last log lines)', () => {
    const summary = sampleSummary();
    const result = 'task 1f2e stopped: purge exited 0\npurge logged (last 1 lines):\n  removed 412 orders';
    const withLogs = renderReport({
      ...summary,
      changes: { ...summary.changes, cleanup: { actions: [{ name: 'purge', result }] } },
    });
    expect(withLogs).toContain(`<ul class="cleanup"><li>purge: ${result}</li></ul>`);
    expect(withLogs).toMatch(/ul\.cleanup li\{white-space:pre-wrap\}/);
  });

  it("shows a relative criterion's comparison with the baseline runs, and validates with it", () => {
    const summary = sampleSummary();
    const verdict = summary.verdict as NonNullable<typeof summary.verdict>;
    const p95 = 'request:checkout: place order:p95';
    const compared = compareWithBaseline(
      [700, 710, 690, 705, 695, 700],
      [
        {
          ref: {
            executionId: 'arn:1',
            executionName: 'run-0',
            endedAt: '2026-11-26T00:00:00.000Z',
            targetOrdersPerMinute: 600,
          },
          values: {},
          samples: { [p95]: [600, 610, 590, 605, 595, 600] },
        },
      ],
      p95,
      0.1,
      0.05,
    );
    const withComparison = {
      ...summary,
      verdict: {
        ...verdict,
        slis: verdict.slis.map((x) => (x.id === p95 ? { ...x, comparison: compared } : x)),
      },
    };
    expect(validate(JSON.parse(JSON.stringify(withComparison))), JSON.stringify(validate.errors)).toBe(true);
    const page = renderReport(withComparison);
    expect(page).toContain('Against the baseline runs');
    expect(page).toContain('590 · 596.25 · 600 · 603.75 · 610 ms');
    expect(page).toMatch(/100 \(\d+ to \d+\) ms · \+16\.7 %/);
  });

  it('is self-contained: no script, no external resource, a restrictive CSP', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    const urls = html.match(/https?:\/\/[^\s"'<)]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).toContain("default-src 'none'");
  });

  it('has every chart and section the issue asks for', () => {
    for (const title of [
      'Orders per minute against the target',
      'Users',
      'Workers (Locust)',
      'Failures per tick',
      'Requests per second',
      'Latency of &quot;checkout: place order&quot;',
      'Latency of &quot;Aggregated&quot;',
      'SLO states over time',
      'Phases of the state machine',
      'What was deployed and scaled',
      'Drift during the test',
      'Cost of the run',
      'Latency of the plateau',
      'Per tick',
    ]) {
      expect(html, title).toContain(title);
    }
    expect((html.match(/<polyline/g) ?? []).length).toBeGreaterThan(10);
    expect(html).toContain('class="cell breached"');
    expect(html).toContain('class="cell breaching"');
    expect(html).toContain('Aborted by policy.');
    expect(html).toContain('no baseline');
  });

  it('escapes what Locust and the configuration put in it', () => {
    const evil = renderReport(sampleSummary({ requestName: '<script>alert(1)</script>' }));
    expect(evil).not.toContain('<script>alert(1)</script>');
    expect(evil).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('the run cost', () => {
  it('prices state transitions and arm64 GB-seconds at list prices', () => {
    const cost = runCost({
      stateTransitions: 1000,
      invocations: [
        { step: 'a', durationMs: 1000, memoryMb: 1024 },
        { step: 'b', durationMs: 2000.2, memoryMb: 512 },
      ],
      basis: 'measured',
    });
    expect(cost.stepFunctionsUsd).toBe(0.025);
    // 1 s × 1 GB + ceil(2000.2 ms) = 2.001 s × 0.5 GB = 2.0005 GB-s.
    expect(cost.lambdaGbSeconds).toBeCloseTo(2.0005, 2);
    expect(cost.lambdaUsd).toBeCloseTo(2.0005 * PRICES.lambdaArmGbSecondUsd + 2 * PRICES.lambdaRequestUsd, 8);
    expect(cost.totalUsd).toBeCloseTo(cost.stepFunctionsUsd + cost.lambdaUsd, 6);
  });

  it('measures from execution events: states entered and retried, task states timed', () => {
    const input = costFromEvents(
      [
        { type: 'StateEntered', timestamp: 0, state: { name: 'Deploy' } },
        { type: 'StateRetried', timestamp: 100, state: { name: 'Deploy' } },
        { type: 'StateExited', timestamp: 1500, state: { name: 'Deploy' } },
        { type: 'StateEntered', timestamp: 1500, state: { name: 'Ramp finished?' } },
        { type: 'StateExited', timestamp: 1500, state: { name: 'Ramp finished?' } },
      ],
      new Set(['Deploy']),
    );
    expect(input.stateTransitions).toBe(3);
    expect(input.invocations).toEqual([{ step: 'Deploy', durationMs: 1500, memoryMb: 256 }]);
  });

  it('estimates from the records in AWS: the Maps once per application, 3 states per tick, recorded durations', () => {
    const phase = (name: string, seconds: number) => ({
      name,
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: `2026-01-01T00:00:0${seconds}.000Z`,
      outcome: 'succeeded' as const,
    });
    const input = estimateCost(
      [{ tick: 1 }, { tick: 2 }],
      [phase('Evaluate', 4), phase('Deploy production versions', 3), phase('Deploy production versions', 3)],
      { applications: 2, deployed: true, executions: 1 },
    );
    // Validate, lock, 2 deploys, node groups + 2 scales, start, stop, evaluate, teardown, cleanup, unlock.
    expect(input.invocations).toHaveLength(13 + 2);
    expect(input.stateTransitions).toBe(15 + 7 + 2 * 2);
    expect(input.invocations.find((i) => i.step === 'Evaluate')?.durationMs).toBe(4000);
    expect(
      input.invocations.filter((i) => i.step === 'Deploy production versions').map((i) => i.durationMs),
    ).toEqual([3000, 3000]);
  });

  it("counts a long soak's continuations: a Validate and three control states each", () => {
    const one = estimateCost([], [], { applications: 1, deployed: false, executions: 1 });
    const three = estimateCost([], [], { applications: 1, deployed: false, executions: 3 });
    expect(three.invocations.length - one.invocations.length).toBe(2);
    expect(three.stateTransitions - one.stateTransitions).toBe(2 * (1 + 3));
    expect(one.invocations.some((i) => i.step === 'Deploy production versions')).toBe(false);
  });

  it('axis ticks are round numbers covering the range', () => {
    expect(niceTicks(0, 640)).toEqual([0, 200, 400, 600, 800]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});

describe('a named KPI and a scenario of several classes', () => {
  const summary = {
    ...sampleSummary(),
    scenario: {
      name: 'mixed',
      userClasses: { BookingUser: 1, SearchUser: 4 },
      kpi: { name: 'bookings', unit: 'bookings per minute', requestName: 'book: confirm' },
    },
  };

  it('validates against the summary schema', () => {
    expect(validate(JSON.parse(JSON.stringify(summary))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('are what the report names: the classes and weights that ran, and the KPI unit', () => {
    const html = renderReport({ ...summary, request: { ...summary.request, scenario: 'mixed' } });
    expect(html).toContain('<dt>scenario</dt><dd>mixed: BookingUser ×1, SearchUser ×4</dd>');
    expect(html).toContain(`${summary.request.targetOrdersPerMinute} bookings per minute`);
    expect(html).toContain('Bookings per minute against the target');
  });
});
