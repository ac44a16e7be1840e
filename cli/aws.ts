import { ServiceError, UsageError } from './errors';
import { shown } from './output';

/** How long one AWS call may take before it is given up, unless `LTC_TIMEOUT_SECONDS` says otherwise. */
export const DEFAULT_TIMEOUT_SECONDS = 20;

/** The client settings every AWS client of the CLI gets: a connect and a response timeout, few retries. */
export function clientSettings(region: string, env: Readonly<Record<string, string | undefined>>) {
  const timeoutMs = timeoutSeconds(env) * 1000;
  return {
    region,
    maxAttempts: 2,
    // Without throwOnRequestTimeout the SDK only logs a warning and waits on (for ever, on a silent socket).
    requestHandler: {
      connectionTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: timeoutMs,
    },
  };
}

export function timeoutSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.LTC_TIMEOUT_SECONDS;
  if (text === undefined || text === '') return DEFAULT_TIMEOUT_SECONDS;
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(n > 0))
    throw new UsageError(`LTC_TIMEOUT_SECONDS: ${shown(text)} must be a number of seconds greater than 0`);
  return n;
}

/** Services the CLI calls: their name in messages and their endpoint prefix. */
export const SERVICES = {
  sfn: { name: 'Step Functions', host: 'states', envSuffix: 'SFN' },
  s3: { name: 'S3', host: 's3', envSuffix: 'S3' },
} as const;
export type ServiceId = keyof typeof SERVICES;

/** Where the SDK sends a service's calls: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, or AWS's own. */
export function endpointOf(
  service: ServiceId,
  region: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const { host, envSuffix } = SERVICES[service];
  return (
    env[`AWS_ENDPOINT_URL_${envSuffix}`] || env.AWS_ENDPOINT_URL || `https://${host}.${region}.amazonaws.com`
  );
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
]);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'IncompleteSignature',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

const CREDENTIALS_FIX =
  'set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run it again';

/**
 * An SDK error as one line that says which service and endpoint, what happened and what to do. The SDK's own
 * wording ("inspect the hidden field {error}.$response") is not for the people running `ltc`.
 */
export function explainAwsError(
  err: unknown,
  service: ServiceId,
  region: string,
  env: Readonly<Record<string, string | undefined>>,
  operation: string,
): ServiceError {
  const name = SERVICES[service].name;
  const endpoint = endpointOf(service, region, env);
  const e = (err ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const code = e.code ?? '';
  const errName = e.name ?? 'Error';
  const make = (what: string, fix: string) => new ServiceError(name, endpoint, what, fix, code || errName);
  if (CONNECTION_CODES.has(code)) {
    return make(
      `cannot be reached (${code})`,
      'check the network, --region, and AWS_ENDPOINT_URL if you set one',
    );
  }
  if (errName === 'TimeoutError' || code === 'ETIMEDOUT' || errName === 'AbortError') {
    return make(
      `did not answer ${operation} within ${timeoutSeconds(env)} s`,
      'check the network and the endpoint, or allow longer with LTC_TIMEOUT_SECONDS',
    );
  }
  if (errName === 'CredentialsProviderError' || /credential/i.test(errName)) {
    return make('was not called: no AWS credentials were found', CREDENTIALS_FIX);
  }
  if (EXPIRED.has(errName)) return make('rejected the credentials: they have expired', CREDENTIALS_FIX);
  if (BAD_CREDENTIALS.has(errName)) return make(`rejected the credentials (${errName})`, CREDENTIALS_FIX);
  if (ACCESS_DENIED.has(errName)) {
    return make(
      `denied ${operation}`,
      'use a role or profile allowed to call it (see the README, "Permissions the CLI needs")',
    );
  }
  const message = (e.message ?? '')
    .replace(/\s*Deserialization error:.*$/s, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (
    /\$response|Deserialization error/.test(e.message ?? '') ||
    errName === 'Unknown' ||
    errName === 'UnknownError'
  ) {
    const status = e.$metadata?.httpStatusCode;
    return make(
      `answered ${operation} with something that is not an AWS response${status ? ` (HTTP ${status})` : ''}`,
      'check that the endpoint is the AWS service (AWS_ENDPOINT_URL)',
    );
  }
  return make(`answered ${operation} with ${errName}${message ? `: ${message}` : ''}`, '');
}

/** Runs one AWS call; its failure comes back as a {@link ServiceError}. */
export async function callAws<T>(
  service: ServiceId,
  region: string,
  env: Readonly<Record<string, string | undefined>>,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw explainAwsError(err, service, region, env, operation);
  }
}
