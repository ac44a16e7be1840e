/**
 * EventBridge Scheduler's rules for recurring schedule expressions, checked before deploy (Scheduler itself only
 * refuses a bad expression when the stack is created):
 *
 *   cron(minutes hours day-of-month month day-of-week year)   rate(value unit)
 *
 * Fields and what each accepts (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
 *   minutes 0-59, hours 0-23: `,` `-` `*` `/`
 *   day-of-month 1-31: `,` `-` `*` `?` `/` `L` `W` (`L`, `LW`, `15W`)
 *   month 1-12 or JAN-DEC: `,` `-` `*` `/`
 *   day-of-week 1-7 or SUN-SAT: `,` `-` `*` `?` `L` `#` (`L`, `6L`, `FRI#2`)
 *   year 1970-2199: `,` `-` `*` `/`
 * Exactly one of day-of-month and day-of-week is `?`. Ranges ascend (a descending range is refused rather than
 * guessed at). `rate`: a positive whole number and minute(s), hour(s) or day(s), singular for 1 only.
 */

/** What is wrong with one part of an expression: `part` names the cron field (or `expression`, `rate value`…). */
export interface ExpressionProblem {
  readonly part: string;
  readonly rule: string;
}

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** `/` steps. */
  readonly steps: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const MINUTES: CronField = { name: 'minutes', min: 0, max: 59, steps: true };
const HOURS: CronField = { name: 'hours', min: 0, max: 23, steps: true };
const DAY_OF_MONTH: CronField = { name: 'day-of-month', min: 1, max: 31, steps: true };
const MONTH: CronField = { name: 'month', min: 1, max: 12, names: MONTHS, steps: true };
const DAY_OF_WEEK: CronField = { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, steps: false };
const YEAR: CronField = { name: 'year', min: 1970, max: 2199, steps: true };
const CRON_FIELDS = [MINUTES, HOURS, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR] as const;

const RATE_UNITS = ['minute', 'hour', 'day'] as const;

/** Every rule a recurring schedule expression breaks; none when EventBridge Scheduler accepts it. */
export function scheduleExpressionProblems(expression: string): ExpressionProblem[] {
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return cronProblems(cron[1] as string);
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) return rateProblems(rate[1] as string);
  return [{ part: 'expression', rule: `'${expression}' is neither cron(…) nor rate(…)` }];
}

function cronProblems(body: string): ExpressionProblem[] {
  const values = body.split(' ');
  if (values.length !== CRON_FIELDS.length || values.some((v) => v === '')) {
    return [
      {
        part: 'expression',
        rule: `cron(${body}) needs six fields separated by single spaces: minutes hours day-of-month month day-of-week year`,
      },
    ];
  }
  const problems: ExpressionProblem[] = [];
  CRON_FIELDS.forEach((field, i) => {
    const rule = fieldProblem(field, values[i] as string);
    if (rule) problems.push({ part: field.name, rule });
  });
  const dayOfMonth = values[2] as string;
  const dayOfWeek = values[4] as string;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    problems.push({
      part: 'day-of-month and day-of-week',
      rule: `exactly one of them must be '?' (got '${dayOfMonth}' and '${dayOfWeek}')`,
    });
  }
  return problems;
}

/** Why one field's value is refused, or undefined. */
function fieldProblem(field: CronField, value: string): string | undefined {
  const upper = value.toUpperCase();
  if (value === '?') {
    return field === DAY_OF_MONTH || field === DAY_OF_WEEK
      ? undefined
      : `'?' is allowed in day-of-month and day-of-week only`;
  }
  if (field === DAY_OF_MONTH && /^(L|LW|\d+W)$/.test(upper)) {
    return upper.endsWith('W') && upper !== 'LW'
      ? rangeProblem(field, Number(upper.slice(0, -1)), value)
      : undefined;
  }
  if (field === DAY_OF_WEEK && (upper === 'L' || /^[^,#]+(L|#\d+)$/.test(upper))) {
    if (upper === 'L') return undefined;
    const hash = upper.indexOf('#');
    const day = hash >= 0 ? upper.slice(0, hash) : upper.slice(0, -1);
    const dayProblem = valueProblem(field, day);
    if (dayProblem) return dayProblem;
    const nth = hash >= 0 ? Number(upper.slice(hash + 1)) : 1;
    return nth >= 1 && nth <= 5 ? undefined : `'${value}': the week after '#' must be 1 to 5`;
  }
  for (const item of upper.split(',')) {
    const problem = itemProblem(field, item);
    if (problem) return value.includes(',') ? `in the list '${value}': ${problem}` : problem;
  }
  return undefined;
}

/** One element of a list: `*`, a value, a range, each optionally with a step. */
function itemProblem(field: CronField, item: string): string | undefined {
  const [base, step, ...rest] = item.split('/');
  if (rest.length > 0 || base === undefined) return `'${item}' has more than one '/'`;
  if (step !== undefined) {
    if (!field.steps) return `'/' is not allowed in ${field.name}`;
    if (!/^\d+$/.test(step) || Number(step) < 1) return `'${item}': the step must be a positive whole number`;
  }
  if (base === '*') return undefined;
  const bounds = base.split('-');
  if (bounds.length > 2) return `'${base}' is not a range of two values`;
  for (const bound of bounds) {
    const problem = valueProblem(field, bound);
    if (problem) return problem;
  }
  if (bounds.length === 2) {
    const [from, to] = bounds.map((b) => numberOf(field, b)) as [number, number];
    if (from > to) return `the range '${base}' runs backwards: write it as a list`;
  }
  return undefined;
}

function valueProblem(field: CronField, value: string): string | undefined {
  if (value === '') return `an empty value in ${field.name}`;
  if (/^\d+$/.test(value)) return rangeProblem(field, Number(value), value);
  if (field.names?.includes(value)) return undefined;
  return field.names
    ? `'${value}' is not a ${field.name} (${field.min}-${field.max} or ${field.names[0]}-${field.names.at(-1)})`
    : `'${value}' is not a number`;
}

function rangeProblem(field: CronField, n: number, written: string): string | undefined {
  return n >= field.min && n <= field.max
    ? undefined
    : `${written} is out of range: ${field.name} is ${field.min}-${field.max}`;
}

function numberOf(field: CronField, value: string): number {
  const named = field.names?.indexOf(value) ?? -1;
  return named >= 0 ? named + 1 : Number(value);
}

function rateProblems(body: string): ExpressionProblem[] {
  const match = /^(\S+) (\S+)$/.exec(body);
  if (!match)
    return [{ part: 'expression', rule: `rate(${body}) must be rate(value unit), e.g. rate(7 days)` }];
  const valueText = match[1] as string;
  const unit = match[2] as string;
  const problems: ExpressionProblem[] = [];
  const value = /^\d+$/.test(valueText) ? Number(valueText) : Number.NaN;
  if (!(value >= 1))
    problems.push({ part: 'rate value', rule: `'${valueText}' is not a positive whole number` });
  const singular = RATE_UNITS.find((u) => unit === u || unit === `${u}s`);
  if (!singular) {
    problems.push({
      part: 'rate unit',
      rule: `'${unit}' is not one of ${RATE_UNITS.flatMap((u) => [u, `${u}s`]).join(', ')}`,
    });
  } else if (value >= 1 && (value === 1) !== (unit === singular)) {
    problems.push({
      part: 'rate unit',
      rule: value === 1 ? `must be '${singular}' for 1` : `must be '${singular}s' for ${value}`,
    });
  }
  return problems;
}

/**
 * Time zones a schedule may name: UTC and the IANA Area/Location zones this runtime knows, written with their
 * exact case (Scheduler's are case-sensitive; Intl's are not). Intl lists CLDR's names (Asia/Calcutta), so an
 * IANA name it resolves to one of them (Asia/Kolkata) is accepted too.
 */
export function isScheduleTimeZone(zone: string): boolean {
  if (zone === 'UTC' || TIME_ZONES.has(zone)) return true;
  if (!AREA_LOCATION.test(zone)) return false;
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    return TIME_ZONES.has(resolved) || resolved === zone;
  } catch {
    return false;
  }
}
const TIME_ZONES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('timeZone'));
const AREA_LOCATION = /^[A-Z][A-Za-z]*(\/[A-Z][A-Za-z0-9_+-]*)+$/;

/** EventBridge Scheduler's rule for schedule names. */
export const SCHEDULE_NAME_PATTERN = /^[0-9A-Za-z_.-]{1,64}$/;
