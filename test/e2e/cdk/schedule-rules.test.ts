import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_CRONS } from '../../support/bad-schedules';

/**
 * `cdk synth` as a user runs it (the CLI, cdk.json's app) refuses a schedule EventBridge Scheduler would refuse
 * when the stack is created, naming the schedule and the field, before anything is built.
 */
const example = JSON.parse(readFileSync('config/example.json', 'utf8'));
const CDK = resolve('node_modules/aws-cdk/bin/cdk');

describe('cdk synth (the real CLI) with a schedule EventBridge Scheduler refuses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltc-schedules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const runs: Record<string, { code: number; stderr: string }> = {};

  beforeAll(async () => {
    await Promise.all(
      Object.entries(BAD_CRONS).map(async ([name, [cron]]) => {
        const config = structuredClone(example);
        config.schedules[0] = { ...config.schedules[0], name, cron };
        const file = join(dir, `${name}.json`);
        writeFileSync(file, JSON.stringify(config));
        runs[name] = await new Promise((done) =>
          execFile(
            process.execPath,
            [CDK, 'synth', '-q', '--no-notices', '-o', join(dir, `${name}.out`), '-c', `configFile=${file}`],
            { env: { ...process.env, CI: 'true' }, timeout: 120_000 },
            (err, _stdout, stderr) =>
              done({ code: err ? ((err.code as number | undefined) ?? -1) : 0, stderr }),
          ),
        );
      }),
    );
  }, 130_000);

  it.each(Object.entries(BAD_CRONS).map(([name, [cron, rule]]) => [name, cron, rule] as const))(
    '%s: %s fails, naming schedules[0].cron and the schedule',
    (name, _cron, rule) => {
      const run = runs[name];
      expect(run?.code).not.toBe(0);
      expect(run?.stderr).toMatch(
        new RegExp(`^ {2}schedules\\[0\\]\\.cron: schedule '${name}', ${rule.source}`, 'm'),
      );
    },
  );
});
