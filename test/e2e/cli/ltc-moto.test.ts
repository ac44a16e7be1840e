/**
 * `ltc start | status | stop` as a user runs them (the real bin, in a child
 * process) against a real moto server. The CLI gets moto only through
 * AWS_ENDPOINT_URL, which the AWS SDK reads itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../lambdas/core/config-file';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS, type Moto, motoEnv, startMoto } from '../../../local/moto';
import { synthesizePipeline } from '../../../local/synth';
import { CONTROL_STATES } from '../../../statemachine/steps';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX_CLI = join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const LTC = join(REPO, 'cli', 'bin', 'ltc.ts');
/** The state machine lives here; the shell's AWS_REGION says otherwise, so the CLI must take the ARN's region. */
const REGION = 'eu-central-1';
const VALID = ['--environment', 'staging', '--target', '1200', '--ramp-up', '10', '--plateau', '20'];

let moto: Moto;
let sfn: SFNClient;
let stateMachineArn: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AWS_') && !k.startsWith('LTC_')) env[k] = v;
  }
  return { ...env, ...motoEnv(moto.endpoint, 'us-east-1'), ...extra };
}

/** Runs `ltc …`; `onStdout` sees the output as it arrives. */
function ltc(
  args: string[],
  extraEnv: Record<string, string> = {},
  onStdout?: (text: string) => void,
): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [TSX_CLI, LTC, ...args], { cwd: REPO, env: childEnv(extraEnv) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(stdout);
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

const field = (text: string, label: string) => text.match(new RegExp(`^${label} +(.+)$`, 'm'))?.[1];

async function executionCount(): Promise<number> {
  const res = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
  return res.executions?.length ?? 0;
}

beforeAll(async () => {
  // Throws "… Run `npm run setup` …" when .venv/bin/moto_server is missing.
  moto = await startMoto();
  sfn = new SFNClient({ region: REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'load-test-conductor',
      roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/fake-conductor-role`,
      definition: JSON.stringify({
        StartAt: 'Hold',
        States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } },
      }),
    }),
  );
  stateMachineArn = created.stateMachineArn as string;
});

afterAll(async () => {
  sfn?.destroy();
  await moto?.stop();
});

describe('ltc against moto', () => {
  it('start → status RUNNING → stop → ABORTED', async () => {
    const before = await executionCount();
    const started = await ltc([
      'start',
      '--state-machine-arn',
      stateMachineArn,
      ...VALID,
      '--name',
      'e2e-run-1',
    ]);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const executionArn = field(started.stdout, 'execution') as string;
    expect(executionArn).toBe(
      `arn:aws:states:${REGION}:${MOTO_ACCOUNT_ID}:execution:load-test-conductor:e2e-run-1`,
    );
    expect(field(started.stdout, 'console')).toBe(
      `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${executionArn}`,
    );
    expect(await executionCount()).toBe(before + 1);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(JSON.parse(described.input as string)).toEqual({
      environment: 'staging',
      targetOrdersPerMinute: 1200,
      rampUpMinutes: 10,
      plateauMinutes: 20,
    });

    const running = await ltc(['status', executionArn]);
    expect(running.code).toBe(0);
    expect(field(running.stdout, 'status')).toBe('RUNNING');
    expect(field(running.stdout, 'started')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(field(running.stdout, 'progress')).toBe('no ramp tick yet');

    const stopped = await ltc(['stop', executionArn, '--cause', 'e2e']);
    expect(stopped.code).toBe(0);
    expect(field(stopped.stdout, 'status')).toBe('stopped; the environment is restored by the cleanup path');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('ABORTED');

    const after = await ltc(['status', executionArn]);
    expect(field(after.stdout, 'status')).toBe('ABORTED');
    expect(field(after.stdout, 'stopped')).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('start with invalid input makes no StartExecution call', async () => {
    const before = await executionCount();
    const res = await ltc(['start', '--environment', 'staging', '--target', '999999'], {
      LTC_STATE_MACHINE_ARN: stateMachineArn,
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^ {2}targetOrdersPerMinute: must be at most 6000/m);
    expect(res.stdout).toBe('');
    expect(await executionCount()).toBe(before);
  });

  it('start with a malformed flag makes no StartExecution call', async () => {
    const before = await executionCount();
    const res = await ltc(['start', '--state-machine-arn', stateMachineArn, ...VALID, '--tick', 'fast']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--tick: 'fast' is not a number/);
    expect(await executionCount()).toBe(before);
  });

  it('start --wait follows the execution and exits 4 when it is aborted', async () => {
    let stopping: Promise<unknown> | undefined;
    const res = await ltc(
      ['start', '--state-machine-arn', stateMachineArn, ...VALID, '--wait', '--poll-seconds', '0.2'],
      {},
      (out) => {
        const arn = field(out, 'execution');
        if (arn && !stopping && /RUNNING/.test(out)) {
          stopping = sfn.send(
            new StopExecutionCommand({
              executionArn: arn,
              error: 'Operator',
              cause: 'stopped by the e2e test',
            }),
          );
        }
      },
    );
    await stopping;
    expect(res.code).toBe(4);
    expect(res.stdout).toMatch(/ RUNNING\n/);
    expect(res.stdout).toMatch(/ ABORTED\n/);
    // moto 5.2.5 does not keep StopExecution's error and cause (Step Functions does): only the row is there.
    expect(res.stderr).toMatch(/^error +\S/m);
  });

  it('status of an unknown execution reports the AWS error naming the service and endpoint, exit 5', async () => {
    const res = await ltc([
      'status',
      `arn:aws:states:${REGION}:${MOTO_ACCOUNT_ID}:execution:load-test-conductor:nope`,
    ]);
    expect(res.code).toBe(5);
    expect(res.stderr).toMatch(
      new RegExp(
        `^ltc status: Step Functions \\(${moto.endpoint}\\) answered DescribeExecution with ExecutionDoesNotExist: .+\\n$`,
      ),
    );
  });

  it('Ctrl-C during start --wait: says the execution continues and how to stop it; a second one stops following', async () => {
    const child = spawn(
      process.execPath,
      [
        TSX_CLI,
        LTC,
        'start',
        '--state-machine-arn',
        stateMachineArn,
        ...VALID,
        '--name',
        'e2e-ctrl-c',
        '--wait',
        '--poll-seconds',
        '0.2',
      ],
      { cwd: REPO, env: childEnv() },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const closed = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
    await expect.poll(() => stdout, { timeout: 20_000, interval: 100 }).toMatch(/ RUNNING\n/);
    const executionArn = field(stdout, 'execution') as string;
    child.kill('SIGINT');
    await expect.poll(() => stderr, { timeout: 10_000, interval: 100 }).toContain('Press Ctrl-C again');
    expect(stderr).toBe(
      `The execution continues on AWS: ${executionArn}\nTo stop it: ltc stop ${executionArn}\nPress Ctrl-C again to stop following it.\n`,
    );
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(stderr).toMatch(/Stopped following; the execution runs on: .*e2e-ctrl-c\n$/);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await sfn.send(new StopExecutionCommand({ executionArn }));
  }, 60_000);
});

/**
 * A long soak's chain of executions, run by moto's own Step Functions interpreter. moto 5.2.5's interpreter
 * cannot start an execution from a state (its `states:startExecution` and `aws-sdk:sfn:startExecution`
 * integrations fail with `States.Runtime` "'Input'"), so the hand-off is a stand-in: the test starts the
 * continuation `<name>-c2` itself, and the first execution ends at the real "Run continued" state (from the
 * synthesized definition) with the `{ executionArn, startDate }` that "Continue in new execution" would have
 * put there. Everything the CLI reads — statuses, outputs, StopExecution — is moto's.
 */
describe('ltc with a long soak continued in a new execution (moto runs the state machine)', () => {
  const MACHINE = 'load-test-conductor-soak';
  const machineArn = `arn:aws:states:${REGION}:${MOTO_ACCOUNT_ID}:stateMachine:${MACHINE}`;
  const executionArnOf = (name: string) =>
    `arn:aws:states:${REGION}:${MOTO_ACCOUNT_ID}:execution:${MACHINE}:${name}`;
  let soakMoto: Moto;
  let soakSfn: SFNClient;

  beforeAll(async () => {
    soakMoto = await startMoto();
    await soakMoto.executeStateMachines();
    soakSfn = new SFNClient({ region: REGION, endpoint: soakMoto.endpoint, credentials: MOTO_CREDENTIALS });
    const { definition } = synthesizePipeline(loadConfigFile(join(REPO, 'config', 'example.json')));
    const runContinued = (definition.States as Record<string, unknown>)[CONTROL_STATES.continued];
    await soakSfn.send(
      new CreateStateMachineCommand({
        name: MACHINE,
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/fake-conductor-role`,
        definition: JSON.stringify({
          StartAt: 'Continuation?',
          States: {
            'Continuation?': {
              Type: 'Choice',
              Choices: [{ Variable: '$.hold', IsPresent: true, Next: 'Ticks' }],
              Default: 'First ticks',
            },
            'First ticks': { Type: 'Wait', Seconds: 1, Next: 'Hand on (stand-in)' },
            'Hand on (stand-in)': {
              Type: 'Pass',
              Parameters: {
                continuedIn: {
                  'executionArn.$': "States.Format('{}-c2', $$.Execution.Id)",
                  // moto keeps $$.Execution.StartTime as a Python datetime, which it cannot put in an output.
                  startDate: '2026-11-27T12:00:00.000Z',
                },
              },
              Next: CONTROL_STATES.continued,
            },
            [CONTROL_STATES.continued]: runContinued,
            Ticks: { Type: 'Wait', SecondsPath: '$.hold', Next: 'Verdict' },
            Verdict: { Type: 'Pass', Result: { outcome: 'pass' }, End: true },
          },
        }),
      }),
    );
  }, 60_000);

  afterAll(async () => {
    soakSfn?.destroy();
    await soakMoto?.stop();
  });

  const soakEnv = () => ({ AWS_ENDPOINT_URL: soakMoto.endpoint });
  const statusOf = async (executionArn: string) =>
    (await soakSfn.send(new DescribeExecutionCommand({ executionArn }))).status;
  /** Starts the run `name`'s continuation, which ticks for `holdSeconds` and then passes. */
  const startContinuation = (name: string, holdSeconds: number) =>
    soakSfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn,
        name: `${name}-c2`,
        input: JSON.stringify({ hold: holdSeconds }),
      }),
    );
  const startArgs = (name: string) => ['start', '--state-machine-arn', machineArn, ...VALID, '--name', name];

  it('start --wait follows the run into its continuation to the verdict; status of the first shows it', async () => {
    const first = executionArnOf('e2e-soak');
    await startContinuation('e2e-soak', 3);
    const res = await ltc([...startArgs('e2e-soak'), '--wait', '--poll-seconds', '0.3'], soakEnv());
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.split('\n').map((l) => l.replace(/^\S+Z {2}/, ''));
    expect(lines.filter((l) => l.startsWith('continued in '))).toEqual([`continued in ${first}-c2`]);
    expect(lines.slice(-3)).toEqual(['SUCCEEDED', 'outcome  pass', '']);
    expect(await statusOf(first)).toBe('SUCCEEDED');

    const status = await ltc(['status', first], soakEnv());
    expect(status.code).toBe(0);
    expect(field(status.stdout, 'execution')).toBe(first);
    expect(field(status.stdout, 'current')).toBe(`${first}-c2`);
    expect(field(status.stdout, 'continued')).toBe('1 time');
    expect(field(status.stdout, 'status')).toBe('SUCCEEDED');
    expect(field(status.stdout, 'outcome')).toBe('pass');
  }, 60_000);

  it('status --json of a run that failed its verdict exits 1 and names the SLO; report downloads it from S3', async () => {
    const bucket = 'ltc-reports-e2e';
    const name = 'e2e-verdict-fail';
    const folder = `runs/staging/${name}/`;
    const verdict = {
      outcome: 'fail',
      summary: 'fail: checkout p95 latency 1200 ms > 800 ms',
      reasons: ['checkout p95 latency 1200 ms > 800 ms'],
      slis: [
        {
          id: 'latency-p95',
          name: 'checkout p95 latency',
          status: 'fail',
          threshold: '≤ 800 ms',
          observed: 1200,
          unit: 'ms',
          why: '1200 ms > 800 ms',
        },
      ],
      abort: null,
      report: `s3://${bucket}/${folder}report.html`,
    };
    await soakSfn.send(
      new CreateStateMachineCommand({
        name: 'load-test-conductor-verdict',
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/fake-conductor-role`,
        definition: JSON.stringify({
          StartAt: 'Verdict',
          States: { Verdict: { Type: 'Pass', Result: verdict, End: true } },
        }),
      }),
    );
    const s3 = new S3Client({
      region: REGION,
      endpoint: soakMoto.endpoint,
      credentials: MOTO_CREDENTIALS,
      forcePathStyle: true,
    });
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${folder}report.html`, Body: '<html>the report</html>' }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${folder}summary.json`,
        Body: '{"verdict":{"outcome":"fail"}}',
      }),
    );
    s3.destroy();
    const machine = `arn:aws:states:${REGION}:${MOTO_ACCOUNT_ID}:stateMachine:load-test-conductor-verdict`;
    const started = await ltc(
      ['start', '--state-machine-arn', machine, ...VALID, '--name', name, '--wait', '--poll-seconds', '0.3'],
      soakEnv(),
    );
    expect(started.code).toBe(1);
    expect(started.stdout).toMatch(
      /^failed SLO +checkout p95 latency: 1200 ms \(wanted ≤ 800 ms\) — 1200 ms > 800 ms$/m,
    );
    const executionArn = field(started.stdout, 'execution') as string;

    const status = await ltc(['status', executionArn, '--json'], soakEnv());
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({
      command: 'status',
      exitCode: 1,
      status: 'SUCCEEDED',
      outcome: 'fail',
      verdict: { failedSlos: [{ id: 'latency-p95', name: 'checkout p95 latency', observed: 1200 }] },
    });

    const out = mkdtempSync(join(tmpdir(), 'ltc-e2e-report-'));
    const report = await ltc(['report', executionArn, '--out', out, '--json'], soakEnv());
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const doc = JSON.parse(report.stdout);
    expect(doc).toMatchObject({
      location: `s3://${bucket}/${folder}`,
      report: join(out, name, 'report.html'),
    });
    expect(readFileSync(doc.report, 'utf8')).toBe('<html>the report</html>');
    expect(readFileSync(doc.summary, 'utf8')).toBe('{"verdict":{"outcome":"fail"}}');
  }, 60_000);

  it('status of a FAILED execution exits 4, with its error; report looks in --bucket and says the run wrote none', async () => {
    await soakSfn.send(
      new CreateStateMachineCommand({
        name: 'load-test-conductor-fails',
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/fake-conductor-role`,
        definition: JSON.stringify({
          StartAt: 'Run failed',
          States: { 'Run failed': { Type: 'Fail', Error: 'ScaleError', Cause: 'payments not ready' } },
        }),
      }),
    );
    const machine = `arn:aws:states:${REGION}:${MOTO_ACCOUNT_ID}:stateMachine:load-test-conductor-fails`;
    const started = await ltc(
      ['start', '--state-machine-arn', machine, ...VALID, '--wait', '--poll-seconds', '0.3', '--json'],
      soakEnv(),
    );
    expect(started.code).toBe(4);
    const executionArn = JSON.parse(started.stdout).executionArn as string;
    const status = await ltc(['status', executionArn, '--json'], soakEnv());
    expect(status.code).toBe(4);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'FAILED', error: 'ScaleError', exitCode: 4 });

    // No verdict names a report: looked up in --bucket, where the run wrote none.
    const s3 = new S3Client({
      region: REGION,
      endpoint: soakMoto.endpoint,
      credentials: MOTO_CREDENTIALS,
      forcePathStyle: true,
    });
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'ltc-reports-empty',
        CreateBucketConfiguration: { LocationConstraint: REGION },
      }),
    );
    s3.destroy();
    const report = await ltc(['report', executionArn, '--bucket', 'ltc-reports-empty'], soakEnv());
    expect(report.code).toBe(5);
    expect(report.stderr).toBe(
      `ltc report: S3 (${soakMoto.endpoint}) has no s3://ltc-reports-empty/runs/staging/${executionArn.split(':').at(-1)}/report.html: the run ended before Evaluate wrote a report\n`,
    );
  }, 60_000);

  it('stop given the first, finished execution stops the continuation running now', async () => {
    const first = executionArnOf('e2e-soak-stop');
    await startContinuation('e2e-soak-stop', 600);
    const started = await ltc(startArgs('e2e-soak-stop'), soakEnv());
    expect(started.code).toBe(0);
    await expect.poll(() => statusOf(first), { timeout: 20_000, interval: 200 }).toBe('SUCCEEDED');
    expect(await statusOf(`${first}-c2`)).toBe('RUNNING');

    const stopped = await ltc(['stop', first, '--cause', 'e2e'], soakEnv());
    expect(stopped.stderr).toBe('');
    expect(stopped.code).toBe(0);
    expect(field(stopped.stdout, 'current')).toBe(`${first}-c2`);
    expect(field(stopped.stdout, 'status')).toBe('stopped; the environment is restored by the cleanup path');
    expect(await statusOf(`${first}-c2`)).toBe('ABORTED');
    expect(await statusOf(first)).toBe('SUCCEEDED');

    const status = await ltc(['status', first], soakEnv());
    expect(field(status.stdout, 'current')).toBe(`${first}-c2`);
    expect(field(status.stdout, 'status')).toBe('ABORTED');
  }, 60_000);
});

describe('ltc on a Node older than package.json engines', () => {
  const systemNode = '/usr/bin/node';
  const major = Number(
    /^v(\d+)/.exec(spawnSync(systemNode, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1],
  );
  it.skipIf(!(major < 24))('refuses to run, saying how to run it', () => {
    const res = spawnSync(systemNode, [TSX_CLI, LTC, 'status', 'x'], { cwd: REPO, encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(
      /^ltc: needs Node 24 or newer \(package.json engines: ">=24"\); this is Node v\d+/,
    );
    expect(res.stderr).toContain('npm run ltc -- <command>');
    expect(res.stderr).toContain('node_modules/.bin/node');
  });
});

describe('ltc as a child process, no AWS', () => {
  const run = (args: string[], stdin?: string) =>
    spawnSync(process.execPath, [TSX_CLI, LTC, ...args], {
      cwd: REPO,
      encoding: 'utf8',
      input: stdin,
      env: { ...process.env, LTC_CONFIG_FILE: '' },
    });

  it('--input - reads standard input, a UTF-8 BOM included', () => {
    const res = run(
      ['validate', '--input', '-', '--json'],
      '\ufeff{"environment":"staging","targetOrdersPerMinute":100}',
    );
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout).request).toMatchObject({
      environment: 'staging',
      targetOrdersPerMinute: 100,
    });
  });

  it('local --dry-run plans without starting a server', () => {
    const res = run(['local', '--target', '600', '--dry-run', '--json']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      command: 'local',
      dryRun: true,
      request: { environment: 'local' },
    });
  });
});
