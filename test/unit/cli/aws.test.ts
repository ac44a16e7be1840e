/**
 * The real AWS SDK clients of the CLI against loopback sockets: one that accepts and never answers, a closed
 * port, one that answers with something that is not AWS, and no credentials at all.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main';
import { sdkS3 } from '../../../cli/s3';
import { sdkSfn } from '../../../cli/sfn';
import { EXEC_ARN, harness } from '../../support/cli-fakes';

const sockets = new Set<Socket>();
let silent: Server;
let silentUrl: string;
let notAws: HttpServer;
let notAwsUrl: string;
let closedUrl: string;

const listen = (server: Server | HttpServer) =>
  new Promise<string>((done) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      done(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    }),
  );

beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket); // accepted, never answered
  });
  silentUrl = await listen(silent);
  notAws = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>captive portal</html>');
  });
  notAwsUrl = await listen(notAws);
  const closed = createServer();
  closedUrl = await listen(closed);
  await new Promise((done) => closed.close(done));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((done) => silent.close(done));
  await new Promise((done) => notAws.close(done));
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function useEndpoint(url: string) {
  vi.stubEnv('AWS_ENDPOINT_URL', url);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
  vi.stubEnv('LTC_TIMEOUT_SECONDS', '0.5');
}

/** `ltc <args>` with the real SDK clients (the harness's streams). */
function realLtc(...argv: string[]) {
  const h = harness();
  const deps = {
    ...h.deps,
    env: process.env,
    sfn: (r: string) => sdkSfn(r, process.env),
    s3: (r: string) => sdkS3(r, process.env),
  };
  return main(argv, deps).then((code) => ({ code, stderr: h.stderr.text, stdout: h.stdout.text }));
}

describe('a network call that never gets an answer', () => {
  it('status times out, naming Step Functions and the endpoint, exit 5', async () => {
    useEndpoint(silentUrl);
    const started = Date.now();
    const res = await realLtc('status', EXEC_ARN);
    expect(res.code).toBe(5);
    expect(res.stderr).toBe(
      `ltc status: Step Functions (${silentUrl}) did not answer DescribeExecution within 0.5 s: check the network and the endpoint, or allow longer with LTC_TIMEOUT_SECONDS\n`,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('S3 GetObject times out too, naming S3', async () => {
    useEndpoint(silentUrl);
    await expect(sdkS3('eu-central-1', process.env).getObject('b', 'k')).rejects.toThrow(
      `S3 (${silentUrl}) did not answer GetObject s3://b/k within 0.5 s`,
    );
  });

  it('--json: the error document names the service, endpoint and code', async () => {
    useEndpoint(silentUrl);
    const res = await realLtc('stop', EXEC_ARN, '--json');
    expect(res.code).toBe(5);
    expect(JSON.parse(res.stderr)).toMatchObject({
      error: { kind: 'aws', service: 'Step Functions', endpoint: silentUrl, exitCode: 5 },
    });
  });
});

describe('connection and credential errors in one line with the fix', () => {
  it('a refused connection', async () => {
    useEndpoint(closedUrl);
    const res = await realLtc('status', EXEC_ARN);
    expect(res.code).toBe(5);
    expect(res.stderr).toBe(
      `ltc status: Step Functions (${closedUrl}) cannot be reached (ECONNREFUSED): check the network, --region, and AWS_ENDPOINT_URL if you set one\n`,
    );
  });

  it('an endpoint that is not AWS', async () => {
    useEndpoint(notAwsUrl);
    const res = await realLtc('status', EXEC_ARN);
    expect(res.code).toBe(5);
    expect(res.stderr).toMatch(
      new RegExp(`^ltc status: Step Functions \\(${notAwsUrl}\\) answered DescribeExecution with .*\\n$`),
    );
    expect(res.stderr).not.toMatch(/\$response|hidden field/);
    expect(res.stderr.split('\n')).toHaveLength(2);
  });

  it('no credentials anywhere', async () => {
    useEndpoint(silentUrl);
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ])
      vi.stubEnv(name, undefined);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const res = await realLtc('status', EXEC_ARN);
    expect(res.code).toBe(5);
    expect(res.stderr).toBe(
      `ltc status: Step Functions (${silentUrl}) was not called: no AWS credentials were found: set AWS_PROFILE (after \`aws sso login\`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run it again\n`,
    );
  });
});

describe('LTC_TIMEOUT_SECONDS', () => {
  it.each(['0', '-1', 'soon', '1e3'])('%j is a usage error naming it, before any call', async (value) => {
    useEndpoint(silentUrl);
    vi.stubEnv('LTC_TIMEOUT_SECONDS', value);
    const res = await realLtc('status', EXEC_ARN);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /^ltc status: LTC_TIMEOUT_SECONDS: .* must be a number of seconds greater than 0\n/,
    );
  });
});
