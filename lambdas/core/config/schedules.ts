import type { FieldProblem } from '../errors';
import {
  isScheduleTimeZone,
  SCHEDULE_NAME_PATTERN,
  scheduleExpressionProblems,
} from '../schedule-expression';
import type { ScheduleConfig } from './types';

/**
 * What EventBridge Scheduler would refuse at deploy time in one schedule (`at` is its field path): its name, its
 * expression (by cron field) and its time zone. The stack checks it again when it creates the schedule.
 */
export function scheduleProblems(
  schedule: Pick<ScheduleConfig, 'name' | 'cron' | 'timeZone'>,
  at: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!SCHEDULE_NAME_PATTERN.test(schedule.name)) {
    problems.push({
      field: `${at}.name`,
      rule: `'${schedule.name}' must be 1 to 64 letters, digits, '-', '_' or '.'`,
    });
  }
  for (const p of scheduleExpressionProblems(schedule.cron)) {
    problems.push({ field: `${at}.cron`, rule: `schedule '${schedule.name}', ${p.part}: ${p.rule}` });
  }
  if (!isScheduleTimeZone(schedule.timeZone)) {
    problems.push({
      field: `${at}.timeZone`,
      rule: `schedule '${schedule.name}': '${schedule.timeZone}' is not an IANA time zone (e.g. Europe/Berlin) or UTC`,
    });
  }
  return problems;
}
