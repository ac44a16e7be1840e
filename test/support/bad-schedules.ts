/**
 * Crons EventBridge Scheduler refuses when the stack is created (issue 12), by schedule name, with the problem
 * the configuration check names.
 */
export const BAD_CRONS = {
  'both-day-fields': [
    'cron(0 2 * * MON-FRI *)',
    /day-of-month and day-of-week: exactly one of them must be '\?'/,
  ],
  'minute-99': ['cron(99 2 ? * MON-FRI *)', /minutes: 99 is out of range: minutes is 0-59/],
  'weekday-fry': ['cron(0 2 ? * MON-FRY *)', /day-of-week: 'FRY' is not a day-of-week/],
} as const;
