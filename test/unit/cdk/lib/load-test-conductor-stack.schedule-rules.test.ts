import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { LoadTestConductorStack } from '../../../../cdk/lib/load-test-conductor-stack';
import { loadConfigFile } from '../../../../lambdas/core/config-file';
import { ValidationError } from '../../../../lambdas/core/errors';
import { BAD_CRONS } from '../../../support/bad-schedules';

/**
 * A configuration built in code skips parseConfig: the pipeline construct checks its schedules by EventBridge
 * Scheduler's rules itself, so a bad one still fails the synth naming the schedule and the field. (The CLI
 * path, through the configuration file: test/e2e/cdk/schedule-rules.test.ts.)
 */
describe('the pipeline construct with a configuration that skipped parseConfig', () => {
  it.each(Object.entries(BAD_CRONS).map(([name, [cron, rule]]) => [name, cron, rule] as const))(
    '%s: %s throws a ValidationError at synth',
    (name, cron, rule) => {
      const config = loadConfigFile('config/example.json');
      const unchecked = {
        ...config,
        schedules: [{ ...(config.schedules[0] as (typeof config.schedules)[number]), name, cron }],
      };
      let error: unknown;
      try {
        new LoadTestConductorStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Bad', {
          config: unchecked,
          env: { account: '123456789012', region: 'eu-central-1' },
        });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems).toContainEqual({
        field: 'schedules[0].cron',
        rule: expect.stringMatching(new RegExp(`^schedule '${name}', ${rule.source}`)),
      });
    },
  );
});
