import { describe, expect, it } from 'vitest';
import {
  isScheduleTimeZone,
  SCHEDULE_NAME_PATTERN,
  scheduleExpressionProblems,
} from '../../../../lambdas/core/schedule-expression';

/** EventBridge Scheduler's rules for cron and rate expressions, as its documentation states them. */
describe('accepted expressions', () => {
  it.each([
    'cron(0 2 ? * MON-FRI *)',
    'cron(0 2 ? * mon-fri *)',
    'cron(0/15 * * * ? *)',
    'cron(*/5 8-18 ? * 2-6 *)',
    'cron(0,30 9,12,17 ? JAN-MAR,OCT-DEC MON,WED,FRI 2026-2030)',
    'cron(0 0 1 * ? *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 LW * ? *)',
    'cron(0 0 15W * ? *)',
    'cron(0 0 ? * 6L *)',
    'cron(0 0 ? * L *)',
    'cron(0 0 ? * FRI#2 *)',
    'cron(0 0 ? * 3#5 *)',
    'cron(59 23 31 12 ? 2199)',
    'cron(0 0 1 1/3 ? 1970/10)',
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'rate(7 days)',
  ])('%s', (expression) => {
    expect(scheduleExpressionProblems(expression)).toEqual([]);
  });
});

describe('refused expressions, by the part that is wrong', () => {
  it.each([
    // The three of issue 12, which EventBridge Scheduler refuses at deploy time.
    [
      'cron(0 2 * * MON-FRI *)',
      'day-of-month and day-of-week',
      /exactly one of them must be '\?'.*'\*' and 'MON-FRI'/,
    ],
    ['cron(99 2 ? * MON-FRI *)', 'minutes', /99 is out of range: minutes is 0-59/],
    ['cron(0 2 ? * MON-FRY *)', 'day-of-week', /'FRY' is not a day-of-week \(1-7 or SUN-SAT\)/],
    ['cron(0 2 ? * ? *)', 'day-of-month and day-of-week', /exactly one/],
    ['cron(0 24 * * ? *)', 'hours', /24 is out of range: hours is 0-23/],
    ['cron(0 0 0 * ? *)', 'day-of-month', /0 is out of range: day-of-month is 1-31/],
    ['cron(0 0 32W * ? *)', 'day-of-month', /32W is out of range: day-of-month is 1-31/],
    ['cron(0 0 1 13 ? *)', 'month', /13 is out of range: month is 1-12/],
    ['cron(0 0 1 JANUARY ? *)', 'month', /'JANUARY' is not a month \(1-12 or JAN-DEC\)/],
    ['cron(0 0 ? * 8 *)', 'day-of-week', /8 is out of range: day-of-week is 1-7/],
    ['cron(0 0 ? * MON#6 *)', 'day-of-week', /week after '#' must be 1 to 5/],
    ['cron(0 0 ? * */2 *)', 'day-of-week', /'\/' is not allowed in day-of-week/],
    ['cron(0 0 1 * ? 1969)', 'year', /1969 is out of range: year is 1970-2199/],
    ['cron(0 0 1 * ? 2200)', 'year', /2200 is out of range/],
    ['cron(0 ? 1 * ? *)', 'hours', /'\?' is allowed in day-of-month and day-of-week only/],
    ['cron(0 0 L * L *)', 'day-of-month and day-of-week', /exactly one/],
    ['cron(0/0 * * * ? *)', 'minutes', /step must be a positive whole number/],
    ['cron(1/2/3 * * * ? *)', 'minutes', /more than one '\/'/],
    ['cron(0 18-6 * * ? *)', 'hours', /range '18-6' runs backwards/],
    ['cron(0 0 ? * FRI-MON *)', 'day-of-week', /range 'FRI-MON' runs backwards/],
    ['cron(0,61 0 * * ? *)', 'minutes', /in the list '0,61': 61 is out of range/],
    ['cron(0 0 1,L * ? *)', 'day-of-month', /'L' is not a number/],
    ['cron(1-2-3 0 * * ? *)', 'minutes', /not a range of two values/],
    ['cron(x 0 * * ? *)', 'minutes', /'X' is not a number/],
    ['cron(0 2 ? * MON-FRI)', 'expression', /needs six fields/],
    ['cron(0  2 ? * MON-FRI *)', 'expression', /needs six fields/],
    ['at(2026-12-24T20:00:00)', 'expression', /neither cron\(…\) nor rate\(…\)/],
    ['rate(0 minutes)', 'rate value', /'0' is not a positive whole number/],
    ['rate(1.5 hours)', 'rate value', /'1.5' is not a positive whole number/],
    ['rate(1 minutes)', 'rate unit', /must be 'minute' for 1/],
    ['rate(2 day)', 'rate unit', /must be 'days' for 2/],
    ['rate(2 weeks)', 'rate unit', /'weeks' is not one of minute, minutes, hour, hours, day, days/],
    ['rate(7days)', 'expression', /must be rate\(value unit\)/],
  ])('%s: %s', (expression, part, rule) => {
    const problems = scheduleExpressionProblems(expression);
    expect(problems).toContainEqual({ part, rule: expect.stringMatching(rule) });
  });

  it('lists every broken field, not only the first', () => {
    expect(scheduleExpressionProblems('cron(60 24 * 13 MON-FRY 1969)').map((p) => p.part)).toEqual([
      'minutes',
      'hours',
      'month',
      'day-of-week',
      'year',
      'day-of-month and day-of-week',
    ]);
  });
});

describe('time zones and names', () => {
  it('takes IANA zones (also those Intl knows by their CLDR name) and UTC, case-exact; not abbreviations', () => {
    for (const zone of [
      'Europe/Berlin',
      'America/New_York',
      'Asia/Kolkata',
      'Europe/Kyiv',
      'Etc/GMT+1',
      'UTC',
    ]) {
      expect(isScheduleTimeZone(zone), zone).toBe(true);
    }
    for (const zone of ['CET', 'utc', 'europe/berlin', 'Europe/Berlín', 'GMT+1', 'Mars/Olympus', '']) {
      expect(isScheduleTimeZone(zone), zone).toBe(false);
    }
  });

  it('names: 1 to 64 of [0-9a-zA-Z-_.]', () => {
    expect(SCHEDULE_NAME_PATTERN.test('nightly-soak_v2.1')).toBe(true);
    expect(SCHEDULE_NAME_PATTERN.test('a'.repeat(64))).toBe(true);
    for (const name of ['', 'a'.repeat(65), 'nightly soak', 'nächtlich']) {
      expect(SCHEDULE_NAME_PATTERN.test(name), name).toBe(false);
    }
  });
});
