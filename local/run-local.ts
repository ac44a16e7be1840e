import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Verdict } from '../lambdas/core/verdict';
import { startLocalEnvironment } from './environment';
import { executeLocally } from './executor';
import { REPO_ROOT } from './managed-process';
import { MOTO_CREDENTIALS, MOTO_REGION } from './moto';
import { progressLine } from './progress';

export interface LocalRunOptions {
  /** The execution input; `environment` defaults to `local`. */
  readonly input: Record<string, unknown>;
  /** Locust worker processes. Default: 2. */
  readonly workers?: number;
  /** Where the run's report is written. Default: `reports/` in the repository. */
  readonly reportDir?: string;
  readonly out?: NodeJS.WritableStream;
}

export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause?: string };
  readonly executionName: string;
  /** The report folder of this run, when one was written. */
  readonly reportPath?: string;
}

/**
 * A whole load test on this machine: starts the local environment, runs the
 * synthesized state machine with the real handlers, prints progress, writes
 * the report and stops everything.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const out = options.out ?? process.stdout;
  const print = (line: string) => out.write(`${line}\n`);
  const input: Record<string, unknown> = { environment: 'local', ...options.input };
  print('Starting the local environment: AWS emulator, demo shop, Hoverfly, Locust …');
  const env = await startLocalEnvironment({
    workers: options.workers,
    scenario: typeof input.scenario === 'string' ? input.scenario : undefined,
  });
  try {
    print(`  shop ${env.shop.url}  Locust ${env.locust.url}  (logs in ${env.workDir})`);
    const result = await executeLocally(env.pipeline.definition, input, {
      onEvent: (event) => {
        const line = progressLine(event);
        if (line) print(line);
      },
    });
    const reportPath = await downloadReport(
      env.aws.endpoint,
      result.output as Verdict | undefined,
      options.reportDir,
      result.executionName,
    );
    if (result.status === 'SUCCEEDED') {
      const verdict = result.output as Partial<Verdict>;
      print(`\n${result.status}: ${verdict.summary ?? JSON.stringify(result.output)}`);
    } else {
      print(`\n${result.status}: ${result.error?.Error ?? ''} ${result.error?.Cause ?? ''}`);
    }
    if (reportPath) print(`Report: ${reportPath}`);
    return {
      status: result.status,
      output: result.output,
      error: result.error,
      executionName: result.executionName,
      reportPath,
    };
  } finally {
    await env.stop();
  }
}

/** Copies the run's summary from the emulated bucket to a folder a person can open. */
async function downloadReport(
  endpoint: string,
  verdict: Verdict | undefined,
  reportDir: string | undefined,
  executionName: string,
): Promise<string | undefined> {
  const location = verdict?.report;
  if (!location) return undefined;
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(location) ?? [];
  if (!bucket || !key) return undefined;
  const s3 = new S3Client({
    endpoint,
    region: MOTO_REGION,
    credentials: MOTO_CREDENTIALS,
    forcePathStyle: true,
  });
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const folder = resolve(reportDir ?? join(REPO_ROOT, 'reports'), executionName);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, key.split('/').pop() ?? 'summary.json');
  writeFileSync(file, (await object.Body?.transformToString()) ?? '');
  return file;
}
