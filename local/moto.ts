/**
 * A real moto server (AWS API emulator) on 127.0.0.1, from the project's virtual environment
 * (`scripts/setup-python.sh`, run by `npm run setup`, installs `moto[server]` into `.venv`).
 *
 * Clients need an endpoint, a region and credentials. moto accepts any credentials; use the fixed fake ones
 * below (never real ones), e.g.
 * `new SFNClient({ endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS })`, or for a child process
 * `{ ...process.env, ...motoEnv(endpoint) }` (the AWS SDK reads `AWS_ENDPOINT_URL` itself).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killWithThisProcess, REPO_ROOT } from './managed-process';
import { freePort } from './ports';

/** `<repo>/.venv/bin/moto_server`, or `LTC_MOTO_SERVER` when set. */
export function motoServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.LTC_MOTO_SERVER || join(REPO_ROOT, '.venv', 'bin', 'moto_server');
}

/** Fake credentials for moto. moto checks none of them; they only have to be present. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
/** moto's default account id, which it puts in every ARN. */
export const MOTO_ACCOUNT_ID = '123456789012';
export const MOTO_REGION = 'us-east-1';

/** Environment for a child process that should talk to moto with the fake credentials. */
export function motoEnv(endpoint: string, region: string = MOTO_REGION): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
  };
}

export interface Moto {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly endpoint: string;
  /** Kills the server (SIGTERM, SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
  /** Forgets every resource (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /**
   * From now on runs state machines' executions with moto's own interpreter (`execute_state_machine`)
   * instead of leaving them RUNNING. It keeps its own state machines: create them after this call.
   */
  executeStateMachines(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const GRACE_MS = 5_000;
const ATTEMPTS = 3;

/**
 * Starts `moto_server -H 127.0.0.1 -p <free port>` and waits until it answers. Throws, naming `npm run setup`,
 * when the binary is missing. The server is killed when this Node process exits.
 */
export async function startMoto(): Promise<Moto> {
  const bin = motoServerBinary();
  if (!existsSync(bin)) {
    throw new Error(
      `moto_server is not installed: ${bin} is missing. Run \`npm run setup\` once to create .venv.`,
    );
  }
  let lastError: unknown;
  // The free port can be taken between the probe and moto's bind: then try another one.
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const port = await freePort();
    try {
      return await launch(bin, port);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function launch(bin: string, port: number): Promise<Moto> {
  const endpoint = `http://127.0.0.1:${port}`;
  // Its own process group: a terminal's Ctrl-C is for this process, which still needs moto to clean up.
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  killWithThisProcess(child);
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((done) => {
    child.once('exit', () => {
      exited = true;
      done();
    });
  });
  // A spawn error (e.g. not executable) arrives as an 'error' event, and 'exit' may never follow.
  child.once('error', (err) => {
    exited = true;
    log += String(err);
  });

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const killed = await Promise.race([exit.then(() => true), sleep(GRACE_MS).then(() => false)]);
    if (!killed) {
      child.kill('SIGKILL');
      await exit;
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`moto_server exited before it answered on ${endpoint}:\n${log}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `moto_server did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s:\n${log}`,
      );
    }
    await sleep(100);
  }

  return {
    endpoint,
    stop,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    async executeStateMachines() {
      const res = await fetch(`${endpoint}/moto-api/config`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`moto config failed: HTTP ${res.status}`);
    },
  };
}

/**
 * A network for awsvpc tasks in moto: a VPC with DNS hostnames on (as Fargate VPCs have them; without, moto
 * 5.2.5 fails RunTask), one subnet and a security group. moto checks both and attaches an interface there.
 */
export async function createMotoTaskNetwork(
  endpoint: string,
): Promise<{ readonly subnet: string; readonly securityGroup: string }> {
  // An EC2 query API call (the project has no EC2 SDK client); returns the XML answer.
  const ec2 = async (params: Record<string, string>): Promise<string> => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20260101/${MOTO_REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams({ Version: '2016-11-15', ...params }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`EC2 ${params.Action}: ${res.status} ${text}`);
    return text;
  };
  const field = (xml: string, name: string) => xml.match(new RegExp(`<${name}>([^<]+)</${name}>`))?.[1] ?? '';
  const vpc = field(await ec2({ Action: 'CreateVpc', CidrBlock: '10.0.0.0/16' }), 'vpcId');
  await ec2({ Action: 'ModifyVpcAttribute', VpcId: vpc, 'EnableDnsHostnames.Value': 'true' });
  const subnet = field(
    await ec2({ Action: 'CreateSubnet', VpcId: vpc, CidrBlock: '10.0.1.0/24' }),
    'subnetId',
  );
  const securityGroup = field(
    await ec2({ Action: 'CreateSecurityGroup', GroupName: 'tasks', GroupDescription: 'tasks', VpcId: vpc }),
    'groupId',
  );
  return { subnet, securityGroup };
}
