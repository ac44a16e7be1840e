import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../../lambdas/core/config';
import { validateRunInput } from '../../../../../lambdas/core/run-input';

/** Capacity mode's input, checked with the configuration: every refusal names its field. */
const environment = (slos: object) => ({
  maxOrdersPerMinute: 2000,
  scenarios: ['checkout'],
  defaultScenario: 'checkout',
  locust: { url: 'http://locust.internal:8089' },
  applications: [
    {
      name: 'shop',
      test: { type: 'http', url: 'http://shop.internal:8081' },
      production: { type: 'http', url: 'http://shop.production:8081' },
    },
  ],
  slos,
});
const config = parseConfig({
  environments: {
    shop: environment({ breachTicks: 2, requests: [{ name: 'checkout', p95Ms: 800 }] }),
    alarmed: environment({ alarms: [{ prefix: 'shop-' }] }),
    unjudged: environment({ maxFailureRatio: 0.01 }),
  },
});
const capacity = { environment: 'shop', mode: 'capacity', rampUpMinutes: 10, plateauMinutes: 30 } as const;

describe('mode capacity', () => {
  it('needs no target: the ceiling defaults to the environment maximum, the window to 3 ticks', () => {
    const result = validateRunInput(capacity, config);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.request).toMatchObject({
      mode: 'capacity',
      targetOrdersPerMinute: 2000,
      capacity: { maxOrdersPerMinute: 2000, holdTicks: 3, resolutionOrdersPerMinute: null },
    });
  });

  it('takes its parameters, and an alarm as an SLO to judge', () => {
    const input = {
      ...capacity,
      environment: 'alarmed',
      capacity: { maxOrdersPerMinute: 900, holdTicks: 4, resolutionOrdersPerMinute: 25 },
    };
    const result = validateRunInput(input, config);
    expect(result).toMatchObject({
      ok: true,
      request: { targetOrdersPerMinute: 900, capacity: input.capacity },
    });
  });

  it('is today’s target mode when absent or "target", which still needs a target', () => {
    const result = validateRunInput({ environment: 'shop', targetOrdersPerMinute: 100 }, config);
    expect(result).toMatchObject({ ok: true, request: { mode: 'target' } });
    expect(result.ok && 'capacity' in result.request).toBe(false);
    expect(validateRunInput({ environment: 'shop', mode: 'target' }, config)).toEqual({
      ok: false,
      problems: [{ field: 'targetOrdersPerMinute', rule: 'is required' }],
    });
  });

  /** [what is wrong, the input, the field named, the rule] */
  const INVALID: [string, object, string, RegExp][] = [
    [
      'no SLO to judge',
      { ...capacity, environment: 'unjudged' },
      'mode',
      /needs an SLO to judge.*'unjudged'/,
    ],
    [
      'a target beside it',
      { ...capacity, targetOrdersPerMinute: 500 },
      'targetOrdersPerMinute',
      /not with mode 'capacity'.*capacity\.maxOrdersPerMinute/,
    ],
    [
      'a plateau too short for one window',
      { ...capacity, plateauMinutes: 3 },
      'plateauMinutes',
      /at least one capacity window.*\(1 settling \+ 3 judged\) ticks × 60 s = 4 min/,
    ],
    [
      'a window shorter than a breach takes to count',
      { ...capacity, capacity: { holdTicks: 1 } },
      'capacity.holdTicks',
      /at least 2, the slos\.breachTicks/,
    ],
    ['no climb', { ...capacity, rampUpMinutes: 0 }, 'rampUpMinutes', /more than 0 in mode 'capacity'/],
    [
      'a ceiling above the environment maximum',
      { ...capacity, capacity: { maxOrdersPerMinute: 2001 } },
      'capacity.maxOrdersPerMinute',
      /at most 2000/,
    ],
    [
      'an unknown parameter',
      { ...capacity, capacity: { holdMinutes: 3 } },
      'capacity.holdMinutes',
      /not a known field/,
    ],
    ['a window of no ticks', { ...capacity, capacity: { holdTicks: 0 } }, 'capacity.holdTicks', /at least 1/],
    ['an unknown mode', { ...capacity, mode: 'breakpoint' }, 'mode', /one of target, capacity/],
    [
      'capacity parameters with a target run',
      { environment: 'shop', targetOrdersPerMinute: 100, capacity: { holdTicks: 3 } },
      'capacity',
      /only with mode 'capacity'/,
    ],
  ];

  it.each(INVALID)('refuses %s, naming the field', (_what, input, field, rule) => {
    const result = validateRunInput(input, config);
    expect(result.ok).toBe(false);
    const problem = !result.ok ? result.problems.find((p) => p.field === field) : undefined;
    expect(problem, JSON.stringify(result)).toBeDefined();
    expect(problem?.rule).toMatch(rule);
  });
});
