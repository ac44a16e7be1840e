import { readdirSync, readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../lambdas/core/config';
import { loadConfigFile } from '../../../../lambdas/core/config-file';
import { ValidationError } from '../../../../lambdas/core/errors';
import { historyTicks, TICKS_PER_EXECUTION } from '../../../../lambdas/core/history-budget';
import {
  continuationName,
  lockExpiresAt,
  MAX_TEST_MINUTES,
  plannedTicks,
  ticksPerExecution,
  validateRunInput,
} from '../../../../lambdas/core/run-input';
import runInputSchema from '../../../../schema/run-input.schema.json' with { type: 'json' };

/**
 * The execution input contract: schema/run-input.schema.json plus the rules
 * that need the configuration. Every rejection names the field and the rule.
 */
const raw = JSON.parse(readFileSync('config/example.json', 'utf8'));
// Two environments no test may ever run in, beside the example's staging.
raw.environments.production = {
  production: true,
  maxOrdersPerMinute: 100_000,
  scenarios: ['checkout'],
  defaultScenario: 'checkout',
  locust: { url: 'http://locust.production.internal:8089' },
  applications: [],
};
raw.environments.sandbox = {
  loadTestTarget: false,
  maxOrdersPerMinute: 100,
  scenarios: ['checkout'],
  defaultScenario: 'checkout',
  locust: { url: 'http://locust.sandbox.internal:8089' },
  applications: [],
};
// Staging with a latency SLO: what capacity mode needs to judge.
raw.environments.measured = {
  ...raw.environments.staging,
  slos: { ...raw.environments.staging.slos, requests: [{ name: 'Aggregated', p95Ms: 800 }] },
};
const config = deepFreeze(parseConfig(raw));
const ok = { environment: 'staging', targetOrdersPerMinute: 1200 } as const;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** [what is wrong, the input, the field the rejection names, the rule it states] */
const INVALID: [string, unknown, string, RegExp][] = [
  ['environment missing', { targetOrdersPerMinute: 100 }, 'environment', /is required/],
  [
    'environment unknown',
    { ...ok, environment: 'qa' },
    'environment',
    /'qa' is not configured \(known: staging/,
  ],
  [
    'environment is production',
    { ...ok, environment: 'production' },
    'environment',
    /production environment/,
  ],
  ['environment not a target', { ...ok, environment: 'sandbox' }, 'environment', /not a load-test target/],
  ['environment not a name', { ...ok, environment: 'Staging!' }, 'environment', /must match/],
  ['environment a number', { ...ok, environment: 7 }, 'environment', /must be a string/],
  ['target missing', { environment: 'staging' }, 'targetOrdersPerMinute', /is required/],
  ['target 0', { ...ok, targetOrdersPerMinute: 0 }, 'targetOrdersPerMinute', /greater than 0/],
  ['target negative', { ...ok, targetOrdersPerMinute: -5 }, 'targetOrdersPerMinute', /greater than 0/],
  ['target a string', { ...ok, targetOrdersPerMinute: '1200' }, 'targetOrdersPerMinute', /must be a number/],
  [
    'target above the environment maximum',
    { ...ok, targetOrdersPerMinute: 6001 },
    'targetOrdersPerMinute',
    /at most 6000, the maximum of environment 'staging'/,
  ],
  ['ramp-up negative', { ...ok, rampUpMinutes: -1 }, 'rampUpMinutes', /at least 0/],
  ['ramp-up over a day', { ...ok, rampUpMinutes: 1441 }, 'rampUpMinutes', /at most 1440/],
  [
    'ramp-up shorter than one tick',
    { ...ok, rampUpMinutes: 0.5 },
    'rampUpMinutes',
    /at least one tick \(60 s\)/,
  ],
  [
    'ramp-up shorter than one slow tick',
    { ...ok, rampUpMinutes: 2, tickSeconds: 300 },
    'rampUpMinutes',
    /at least one tick \(300 s\)/,
  ],
  ['plateau negative', { ...ok, plateauMinutes: -1 }, 'plateauMinutes', /at least 0/],
  ['plateau over 14 days', { ...ok, plateauMinutes: 20161 }, 'plateauMinutes', /at most 20160/],
  ['plateau a string', { ...ok, plateauMinutes: '60' }, 'plateauMinutes', /must be a number/],
  [
    'ramp-up and plateau both 0',
    { ...ok, rampUpMinutes: 0, plateauMinutes: 0 },
    'plateauMinutes',
    /both be 0/,
  ],
  [
    'ramp-up and plateau together over 14 days',
    { ...ok, rampUpMinutes: 1440, plateauMinutes: 20160 },
    'plateauMinutes',
    /last 21600 minutes, more than 20160 \(14 days\)/,
  ],
  ['tickSeconds not an integer', { ...ok, tickSeconds: 30.5 }, 'tickSeconds', /must be an integer/],
  ['tickSeconds too small', { ...ok, tickSeconds: 4 }, 'tickSeconds', /at least 5/],
  ['tickSeconds too large', { ...ok, tickSeconds: 301 }, 'tickSeconds', /at most 300/],
  ['tickSeconds a string', { ...ok, tickSeconds: '60' }, 'tickSeconds', /must be an integer/],
  ['scenario unknown', { ...ok, scenario: 'soak' }, 'scenario', /'soak' is not a scenario of 'staging'/],
  ['scenario not a name', { ...ok, scenario: 'Check out!' }, 'scenario', /must match/],
  ['applications empty', { ...ok, applications: [] }, 'applications', /fewer than 1/],
  [
    'applications listed twice',
    { ...ok, applications: ['checkout', 'checkout'] },
    'applications',
    /must not repeat an item/,
  ],
  [
    'application unknown',
    { ...ok, applications: ['checkout', 'ledger'] },
    'applications[1]',
    /'ledger' is not an application of 'staging' \(checkout, payments\)/,
  ],
  ['applications not a list', { ...ok, applications: 'checkout' }, 'applications', /must be an array/],
  ['application name empty', { ...ok, applications: [''] }, 'applications[0]', /fewer than 1 characters/],
  ['unknown extra field', { ...ok, targetRps: 20 }, 'targetRps', /is not a known field/],
  ['misspelt field', { ...ok, rampupMinutes: 10 }, 'rampupMinutes', /is not a known field/],
  ['dryRun not a boolean', { ...ok, dryRun: 'yes' }, 'dryRun', /must be a boolean/],
  [
    'deployProductionVersions not a boolean',
    { ...ok, deployProductionVersions: 'false' },
    'deployProductionVersions',
    /must be a boolean/,
  ],
  ['input a string', 'staging', '(input)', /must be an object/],
  ['input an array', [ok], '(input)', /must be an object/],
  ['input null', null, '(input)', /must be an object/],
  ['input a number', 1200, '(input)', /must be an object/],
];

describe('validateRunInput rejects', () => {
  it('at least 25 kinds of invalid input', () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(25);
  });

  it.each(INVALID)('%s → %s', (_what, input, field, rule) => {
    const before = structuredClone(input);
    const result = validateRunInput(deepFreeze(input), config);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toContainEqual({ field, rule: expect.stringMatching(rule) });
    // As the Validate step reports it: "field: rule".
    expect(new ValidationError(problems).message).toMatch(new RegExp(`(^|; )${escapeRegExp(field)}: `));
    // Pure: the input is left as it was (deepFreeze would also have made any write throw).
    expect(input).toEqual(before);
  });

  it('reports every broken rule at once, not only the first', () => {
    const result = validateRunInput(
      { ...ok, targetOrdersPerMinute: -1, tickSeconds: 1, dryRun: 'x' },
      config,
    );
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual([
      'targetOrdersPerMinute',
      'tickSeconds',
      'dryRun',
    ]);
  });

  it('leaves the configuration exactly as it was', () => {
    const before = structuredClone(config);
    for (const [, input] of INVALID) validateRunInput(input, config);
    validateRunInput({ ...ok, applications: ['payments'], dryRun: true }, config);
    expect(config).toEqual(before);
    expect(Object.isFrozen(config.environments.staging?.applications)).toBe(true);
  });
});

describe('valid input', () => {
  const examples = readdirSync('examples').filter((f) => f.endsWith('.json'));
  const exampleConfig = loadConfigFile('config/example.json');

  it('there are examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples)('examples/%s validates against config/example.json', (file) => {
    const input = JSON.parse(readFileSync(`examples/${file}`, 'utf8'));
    const result = validateRunInput(input, exampleConfig);
    expect(result.ok ? [] : result.problems).toEqual([]);
    // What the input says is what the request carries.
    expect(result.ok && result.request).toMatchObject(input);
  });

  it('the minimum is an environment and a target; the rest is filled in', () => {
    const result = validateRunInput(ok, config);
    expect(result).toEqual({
      ok: true,
      request: {
        environment: 'staging',
        targetOrdersPerMinute: 1200,
        rampUpMinutes: 30,
        plateauMinutes: 60,
        scenario: 'checkout',
        deployProductionVersions: true,
        applications: ['checkout', 'payments'],
        tickSeconds: 60,
        dryRun: false,
        mode: 'target',
      },
      environment: config.environments.staging,
    });
  });

  it('accepts the bounds: target at the maximum, no ramp-up, a 14-day soak at the fastest tick', () => {
    const atMax = { ...ok, targetOrdersPerMinute: 6000, rampUpMinutes: 0, plateauMinutes: 1, tickSeconds: 5 };
    expect(validateRunInput(atMax, config).ok).toBe(true);
    // Far more ticks than one execution holds: the run continues in new executions.
    const longest = { ...ok, rampUpMinutes: 60, plateauMinutes: MAX_TEST_MINUTES - 60, tickSeconds: 5 };
    expect(plannedTicks({ rampUpMinutes: 60, plateauMinutes: MAX_TEST_MINUTES - 60, tickSeconds: 5 })).toBe(
      241_921,
    );
    expect(validateRunInput(longest, config).ok).toBe(true);
  });
});

describe('one execution of a long run', () => {
  it('ticks what its history holds besides preparing its applications', () => {
    const budget = { ticks: TICKS_PER_EXECUTION, seconds: Number.POSITIVE_INFINITY };
    expect(ticksPerExecution(budget, 60, 0)).toBe(TICKS_PER_EXECUTION);
    expect(ticksPerExecution(budget, 60, 200)).toBe(historyTicks(200));
    expect(historyTicks(200)).toBeLessThan(TICKS_PER_EXECUTION);
  });

  it('stops ticking in time for its timeout, and ticks at least once', () => {
    const budget = { ticks: TICKS_PER_EXECUTION, seconds: 45 * 3600 };
    expect(ticksPerExecution(budget, 60, 1)).toBe(historyTicks(1));
    // 300 s ticks: the history's ticks would take 7.7 days, past a 2-day timeout.
    expect(ticksPerExecution(budget, 300, 1)).toBe(540);
    expect(ticksPerExecution({ ticks: 3, seconds: 10 }, 60, 1)).toBe(1);
  });

  it('names continuations after the run, within 80 characters', () => {
    expect(continuationName('nightly', 2)).toBe('nightly-c2');
    const long = 'x'.repeat(80);
    expect(continuationName(long, 107)).toHaveLength(80);
    expect(continuationName(long, 107).endsWith('-c107')).toBe(true);
  });

  it('keeps the lock until the planned end of the load plus a margin, renewed from now when later', () => {
    const start = new Date('2026-11-27T10:00:00Z');
    const request = { rampUpMinutes: 60, plateauMinutes: 7 * 1440 };
    expect(lockExpiresAt(request, start, start).toISOString()).toBe('2026-12-04T13:00:00.000Z');
    const late = new Date('2026-12-05T00:00:00Z');
    expect(lockExpiresAt(request, start, late).toISOString()).toBe('2026-12-05T02:00:00.000Z');
  });
});

describe('schema/run-input.schema.json', () => {
  const ajv = new Ajv2020({ strict: true });

  it('is a valid JSON Schema 2020-12 document', () => {
    expect(runInputSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(ajv.validateSchema(runInputSchema), JSON.stringify(ajv.errors)).toBe(true);
    expect(() => ajv.compile(runInputSchema)).not.toThrow();
  });

  it('requires exactly environment, and targetOrdersPerMinute unless the mode is capacity', () => {
    expect(runInputSchema.required).toEqual(['environment']);
    expect(runInputSchema.then.required).toEqual(['targetOrdersPerMinute']);
    expect(runInputSchema.if.not.properties.mode.const).toBe('capacity');
    expect(runInputSchema.additionalProperties).toBe(false);
  });

  it('documents the defaults validateRunInput fills in', () => {
    const result = validateRunInput(ok, config);
    if (!result.ok) throw new Error('the minimal input must be valid');
    const properties = runInputSchema.properties as Record<
      string,
      { default?: unknown; description?: string }
    >;
    const documented = Object.entries(properties).filter(([, p]) => 'default' in p);
    expect(documented.map(([name]) => name).sort()).toEqual(
      ['deployProductionVersions', 'dryRun', 'mode', 'plateauMinutes', 'rampUpMinutes', 'tickSeconds'].sort(),
    );
    for (const [name, p] of documented) {
      expect(result.request[name as keyof typeof result.request], name).toEqual(p.default);
    }
    // The two defaults that come from the configuration are described, not fixed.
    expect(properties.scenario?.description).toMatch(/defaultScenario/);
    expect(properties.applications?.description).toMatch(/Defaults to all/);
  });

  it('every field of the request is a field of the schema', () => {
    const result = validateRunInput({ environment: 'measured', mode: 'capacity' }, config);
    expect(Object.keys(result.ok ? result.request : {}).sort()).toEqual(
      Object.keys(runInputSchema.properties).sort(),
    );
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
