import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import {
  type ConductorConfig,
  DEFAULT_PREPARE_CONCURRENCY,
  INLINE_MAP_MAX_CONCURRENCY,
  parseConfig,
} from '../../../../../lambdas/core/config';
import { type FieldProblem, ValidationError } from '../../../../../lambdas/core/errors';
import { MAX_APPLICATIONS } from '../../../../../lambdas/core/history-budget';
import configSchema from '../../../../../schema/conductor-config.schema.json' with { type: 'json' };

/**
 * The configuration contract: schema/conductor-config.schema.json plus the
 * rules across fields. A broken rule is refused with the field named, before
 * anything is synthesized or run.
 */
const example = JSON.parse(readFileSync('config/example.json', 'utf8'));
// biome-ignore lint/suspicious/noExplicitAny: the cases edit raw JSON freely
type RawConfig = any;

function problemsOf(edit: (c: RawConfig) => void): readonly FieldProblem[] {
  const config = structuredClone(example);
  edit(config);
  try {
    parseConfig(config);
  } catch (err) {
    if (err instanceof ValidationError) return err.problems;
    throw err;
  }
  return [];
}

/** [what is wrong, the edit to config/example.json, the field named, the rule stated] */
const INVALID: [string, (c: RawConfig) => void, string, RegExp][] = [
  [
    'environments missing',
    (c) => {
      delete c.environments;
      delete c.schedules;
    },
    'environments',
    /is required/,
  ],
  [
    'no environment at all',
    (c) => {
      c.environments = {};
      c.schedules = [];
    },
    'environments',
    /fewer than 1/,
  ],
  [
    'environment name not a name',
    (c) => {
      c.environments['Staging EU'] = c.environments.staging;
      delete c.environments.staging;
      c.schedules = [];
    },
    'environments.Staging EU',
    /is not a valid name/,
  ],
  [
    'defaultScenario not one of the scenarios',
    (c) => {
      c.environments.staging.defaultScenario = 'soak';
    },
    'environments.staging.defaultScenario',
    /must be one of scenarios \(checkout, mixed\)/,
  ],
  [
    'two applications with one name',
    (c) => {
      c.environments.staging.applications[1].name = 'checkout';
    },
    'environments.staging.applications[1].name',
    /'checkout' is listed twice/,
  ],
  [
    'test platform is the production platform',
    (c) => {
      const app = c.environments.staging.applications[0];
      app.test.url = app.production.url;
    },
    'environments.staging.applications[0].test',
    /must differ from production/,
  ],
  [
    'unknown platform type',
    (c) => {
      c.environments.staging.applications[0].test.type = 'nomad';
    },
    'environments.staging.applications[0].test.type',
    /must be one of http, kubernetes, ecs/,
  ],
  [
    'Locust URL without a scheme',
    (c) => {
      c.environments.staging.locust.url = 'locust-master:8089';
    },
    'environments.staging.locust.url',
    /must match \^https\?:\/\//,
  ],
  [
    'Locust missing',
    (c) => {
      delete c.environments.staging.locust;
    },
    'environments.staging.locust',
    /is required/,
  ],
  [
    'maxOrdersPerMinute 0',
    (c) => {
      c.environments.staging.maxOrdersPerMinute = 0;
    },
    'environments.staging.maxOrdersPerMinute',
    /greater than 0/,
  ],
  [
    'a load-test target without applications',
    (c) => {
      c.environments.staging.applications = [];
    },
    'environments.staging.applications',
    /needs at least one application/,
  ],
  [
    'failure ratio above 1',
    (c) => {
      c.environments.staging.slos.maxFailureRatio = 2;
    },
    'environments.staging.slos.maxFailureRatio',
    /at most 1/,
  ],
  [
    'production and load-test target at once',
    (c) => {
      c.environments.staging.production = true;
      c.environments.staging.loadTestTarget = true;
    },
    'environments.staging.loadTestTarget',
    /a production environment can never be a load-test target/,
  ],
  [
    'schedule with a five-field cron',
    (c) => {
      c.schedules[0].cron = 'cron(0 2 * * MON-FRI)';
    },
    'schedules[0].cron',
    /^schedule 'nightly-rehearsal', expression: cron\(0 2 \* \* MON-FRI\) needs six fields/,
  ],
  [
    'schedule with neither a cron nor a rate',
    (c) => {
      c.schedules[0].cron = '0 2 * * MON-FRI';
    },
    'schedules[0].cron',
    /must match/,
  ],
  [
    'schedule with both day fields set (EventBridge Scheduler refuses it at deploy)',
    (c) => {
      c.schedules[0].cron = 'cron(0 2 * * MON-FRI *)';
    },
    'schedules[0].cron',
    /^schedule 'nightly-rehearsal', day-of-month and day-of-week: exactly one of them must be '\?'/,
  ],
  [
    'schedule with minute 99',
    (c) => {
      c.schedules[0].cron = 'cron(99 2 ? * MON-FRI *)';
    },
    'schedules[0].cron',
    /^schedule 'nightly-rehearsal', minutes: 99 is out of range: minutes is 0-59/,
  ],
  [
    'schedule with an unknown weekday name',
    (c) => {
      c.schedules[0].cron = 'cron(0 2 ? * MON-FRY *)';
    },
    'schedules[0].cron',
    /^schedule 'nightly-rehearsal', day-of-week: 'FRY' is not a day-of-week/,
  ],
  [
    'schedule with a plural unit for a rate of 1',
    (c) => {
      c.schedules[0].cron = 'rate(1 days)';
    },
    'schedules[0].cron',
    /^schedule 'nightly-rehearsal', rate unit: must be 'day' for 1/,
  ],
  [
    'schedule in an unknown time zone',
    (c) => {
      c.schedules[0].timeZone = 'Mars/Olympus_Mons';
    },
    'schedules[0].timeZone',
    /^schedule 'nightly-rehearsal': 'Mars\/Olympus_Mons' is not an IANA time zone/,
  ],
  [
    'schedule input with a target that is not a number',
    (c) => {
      c.schedules[0].input.targetOrdersPerMinute = 'many';
    },
    'schedules[0].input.targetOrdersPerMinute',
    /must be a number/,
  ],
  [
    'schedule input above the environment maximum',
    (c) => {
      c.schedules[0].input.targetOrdersPerMinute = 60_000;
    },
    'schedules[0].input.targetOrdersPerMinute',
    /at most 6000/,
  ],
  [
    'schedule input naming an unknown environment',
    (c) => {
      c.schedules[0].input.environment = 'qa';
    },
    'schedules[0].input.environment',
    /'qa' is not configured/,
  ],
  [
    'two schedules with one name',
    (c) => {
      c.schedules.push(structuredClone(c.schedules[0]));
    },
    'schedules[1].name',
    /'nightly-rehearsal' is used twice/,
  ],
  [
    'schedule name with a space',
    (c) => {
      c.schedules[0].name = 'nightly rehearsal';
    },
    'schedules[0].name',
    /must match/,
  ],
  [
    'more applications prepared at once than an inline Map runs (40)',
    (c) => {
      c.environments.staging.prepareConcurrency = 41;
    },
    'environments.staging.prepareConcurrency',
    /must be at most 40/,
  ],
  [
    'more applications than the history budget holds (200)',
    (c) => {
      const [app] = c.environments.staging.applications;
      c.environments.staging.applications = Array.from({ length: 201 }, (_, i) => ({
        ...app,
        name: `app-${i}`,
      }));
    },
    'environments.staging.applications',
    /must NOT have more than 200 items/,
  ],
  [
    'unknown top-level field',
    (c) => {
      c.schedule = [];
    },
    'schedule',
    /is not a known field/,
  ],
];

describe('parseConfig rejects', () => {
  it('at least 12 kinds of invalid configuration', () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(12);
  });

  it.each(INVALID)('%s → %s', (_what, edit, field, rule) => {
    const problems = problemsOf(edit);
    expect(problems, JSON.stringify(problems, null, 2)).toContainEqual({
      field,
      rule: expect.stringMatching(rule),
    });
  });

  it('lists every broken rule at once', () => {
    const fields = problemsOf((c) => {
      c.environments.staging.defaultScenario = 'soak';
      c.schedules[0].timeZone = 'Nowhere/Town';
    }).map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining(['environments.staging.defaultScenario', 'schedules[0].timeZone']),
    );
  });
});

/**
 * Tagged unions (cleanup actions, application platforms, the Locust worker fleet) choose their schema by
 * `type`: a wrong type is one problem naming the allowed types — not one per type, as a oneOf gave — and a
 * wrong field of a known type is named alone.
 */
describe('a tagged union’s type', () => {
  const CLEANUP = 'environments.staging.cleanup[0]';

  it.each([
    ['an unknown type', 'ftp'],
    ['a type of another kind of value', 3],
    ['a type of another union (a platform type)', 'kubernetes'],
  ])('%s of a cleanup action is one problem naming the field and the allowed types', (_what, type) => {
    const problems = problemsOf((c) => {
      c.environments.staging.cleanup[0].type = type;
    });
    expect(problems).toEqual([
      { field: `${CLEANUP}.type`, rule: 'must be one of http, sql, kubernetes-job, ecs-task' },
    ]);
  });

  it('missing from a cleanup action is one problem', () => {
    expect(
      problemsOf((c) => {
        delete c.environments.staging.cleanup[0].type;
      }),
    ).toEqual([{ field: `${CLEANUP}.type`, rule: 'is required' }]);
  });

  it('of a valid cleanup action lets its own wrong fields be named, and nothing of the other types', () => {
    const problems = problemsOf((c) => {
      c.environments.staging.cleanup[0] = { type: 'http', name: 'orders', url: 'ftp://x', retries: 3 };
    });
    expect(problems).toEqual([
      { field: `${CLEANUP}.retries`, rule: 'is not a known field' },
      { field: `${CLEANUP}.url`, rule: 'must match ^https?://' },
    ]);
    expect(
      problemsOf((c) => {
        c.environments.staging.cleanup[0] = {
          type: 'ecs-task',
          name: 'purge',
          cluster: 'staging',
          taskDefinition: 'purge',
          timeoutSeconds: 0,
        };
      }),
    ).toEqual([{ field: `${CLEANUP}.timeoutSeconds`, rule: 'must be at least 1' }]);
  });

  it('of an application platform or the worker fleet, when wrong, is one problem too', () => {
    expect(
      problemsOf((c) => {
        c.environments.staging.applications[0].test.type = 'nomad';
      }),
    ).toEqual([
      {
        field: 'environments.staging.applications[0].test.type',
        rule: 'must be one of http, kubernetes, ecs',
      },
    ]);
    expect(
      problemsOf((c) => {
        c.environments.staging.locust.workers = { type: 'lambda', url: 'http://127.0.0.1:1' };
      }),
    ).toEqual([
      { field: 'environments.staging.locust.workers.type', rule: 'must be one of kubernetes, ecs, local' },
    ]);
  });

  it('lists in its enum exactly the types its branches select (a new branch cannot be forgotten there)', () => {
    type Branch = { if: { properties: { type: { const: string } } } };
    const defs = configSchema.$defs as unknown as Record<
      string,
      { properties?: { type?: { enum?: string[] } }; allOf?: Branch[] }
    >;
    for (const name of ['cleanupAction', 'platform', 'locustWorkers']) {
      const def = defs[name];
      expect(def?.properties?.type?.enum, name).toEqual(def?.allOf?.map((b) => b.if.properties.type.const));
    }
  });
});

describe('parseConfig accepts', () => {
  it("fills the schema's defaults into a copy, leaving the caller's object as it was", () => {
    const raw = deepFreeze(structuredClone(example));
    const before = JSON.stringify(raw);
    const config = parseConfig(raw);
    expect(JSON.stringify(raw)).toBe(before);
    expect(config.environments.staging?.slos.relative.severity).toBe('warn');
  });

  it("refuses a bad value naming its field, and fills nothing into the caller's object", () => {
    const raw = structuredClone(example);
    raw.environments.staging.slos = { graceTicks: -1 };
    const before = JSON.stringify(raw);
    expect(() => parseConfig(raw)).toThrow(ValidationError);
    expect(problemsOf((c) => (c.environments.staging.slos = { graceTicks: -1 }))).toContainEqual({
      field: 'environments.staging.slos.graceTicks',
      rule: 'must be at least 0',
    });
    expect(JSON.stringify(raw)).toBe(before);
  });

  it("fills defaults inside each tagged union's branch: cleanup actions, node groups, the worker fleet", () => {
    const raw = structuredClone(example);
    const staging = raw.environments.staging;
    staging.cleanup = [
      { type: 'http', name: 'h', url: 'http://shop.test:9090/data' },
      { type: 'sql', name: 's', database: { urlEnv: 'DB' }, statements: ['DELETE FROM orders'] },
      { type: 'ecs-task', name: 'e', cluster: 'test', taskDefinition: 'wipe' },
      {
        type: 'kubernetes-job',
        name: 'k',
        cluster: { endpoint: 'https://k8s.test:6443', tokenEnv: 'T' },
        namespace: 'shop',
        fromCronJob: 'wipe',
      },
    ];
    staging.nodeGroups = [
      {
        name: 'n',
        test: { cluster: 'test', nodegroup: 'ng' },
        size: { minSize: 1, maxSize: 3, desiredSize: 2 },
      },
    ];
    staging.locust.workers = { type: 'local', url: 'http://127.0.0.1:9000' };
    const env = parseConfig(raw).environments.staging;
    expect(env?.cleanup.map((c) => ('method' in c ? c.method : c.timeoutSeconds))).toEqual([
      'DELETE',
      300,
      600,
      600,
    ]);
    expect(env?.nodeGroups[0]?.readinessTimeoutSeconds).toBe(900);
    expect(env?.locust.workers).toMatchObject({ minWorkers: 1, maxWorkers: 50 });
  });

  it('config/example.json as it is', () => {
    expect(problemsOf(() => {})).toEqual([]);
  });

  it('a production environment, which is then never a load-test target', () => {
    const config = structuredClone(example);
    config.environments.production = {
      production: true,
      maxOrdersPerMinute: 100_000,
      scenarios: ['checkout'],
      defaultScenario: 'checkout',
      locust: { url: 'http://locust.production.internal:8089' },
      applications: [],
    };
    expect(parseConfig(config).environments.production).toMatchObject({
      production: true,
      loadTestTarget: false,
    });
    expect(parseConfig(example).environments.staging).toMatchObject({
      production: false,
      loadTestTarget: true,
    });
  });

  it('a schedule by rate, and one in a zone Intl knows by its CLDR name (Asia/Kolkata)', () => {
    expect(
      problemsOf((c) => {
        c.schedules[0].cron = 'rate(7 days)';
        c.schedules.push({
          ...structuredClone(c.schedules[0]),
          name: 'weekly.india',
          timeZone: 'Asia/Kolkata',
        });
      }),
    ).toEqual([]);
  });

  it('leaves the raw configuration as it was', () => {
    const raw = structuredClone(example);
    parseConfig(raw);
    expect(raw).toEqual(example);
  });
});

describe('schema/conductor-config.schema.json', () => {
  const ajv = new Ajv2020({ strict: true });

  it('is a valid JSON Schema 2020-12 document', () => {
    expect(configSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(ajv.validateSchema(configSchema), JSON.stringify(ajv.errors)).toBe(true);
    expect(() => ajv.compile(configSchema)).not.toThrow();
  });

  it('bounds the applications by what the history budget holds', () => {
    expect(configSchema.$defs.environment.properties.applications.maxItems).toBe(MAX_APPLICATIONS);
  });

  it('caps prepareConcurrency at what an inline Map runs at once, the default', () => {
    const property = configSchema.$defs.environment.properties.prepareConcurrency;
    expect(property.maximum).toBe(INLINE_MAP_MAX_CONCURRENCY);
    expect(property.default).toBe(DEFAULT_PREPARE_CONCURRENCY);
    expect(DEFAULT_PREPARE_CONCURRENCY).toBe(40);
  });

  it('documents the defaults parseConfig fills in', () => {
    const minimal = {
      environments: {
        staging: {
          maxOrdersPerMinute: 100,
          scenarios: ['checkout'],
          defaultScenario: 'checkout',
          locust: { url: 'http://locust:8089' },
          applications: [
            {
              name: 'shop',
              test: { type: 'http', url: 'http://shop.test:9090' },
              production: { type: 'http', url: 'http://shop.production:9090' },
            },
          ],
          cleanup: [{ type: 'http', name: 'orders', url: 'http://shop.test:9090/_conductor/test-data' }],
        },
      },
      schedules: [
        {
          name: 'nightly',
          cron: 'cron(0 2 ? * MON-FRI *)',
          timeZone: 'Europe/Berlin',
          input: { environment: 'staging', targetOrdersPerMinute: 10 },
        },
      ],
    };
    const config: ConductorConfig = parseConfig(minimal);
    const env = config.environments.staging;
    // Where each definition of the schema ends up in the parsed configuration.
    const parsed: Record<string, unknown> = {
      environment: env,
      locust: env?.locust,
      application: env?.applications[0],
      slos: env?.slos,
      httpCleanup: env?.cleanup[0],
      schedule: config.schedules[0],
    };
    const given: Record<string, object | undefined> = {
      environment: minimal.environments.staging,
      locust: minimal.environments.staging.locust,
      httpCleanup: minimal.environments.staging.cleanup[0],
      schedule: minimal.schedules[0],
    };
    const defs = configSchema.$defs as Record<string, { properties?: Record<string, { default?: unknown }> }>;
    let checked = 0;
    for (const [def, value] of Object.entries(parsed)) {
      expect(defs[def], `$defs.${def}`).toBeDefined();
      for (const [name, property] of Object.entries(defs[def]?.properties ?? {})) {
        if (!('default' in property) || name in (given[def] ?? {})) continue;
        const filled = (value as Record<string, unknown>)[name];
        // An object's default ({}) is filled further with its own properties' defaults.
        if (isPlainObject(property.default))
          expect(filled, `$defs.${def}.${name}`).toMatchObject(property.default);
        else expect(filled, `$defs.${def}.${name}`).toEqual(property.default);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
