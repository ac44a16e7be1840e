import { TransientError } from '../../core/errors';

/**
 * AWS SDK errors that may pass on their own (throttling, 5xx, network, a request timeout) become
 * TransientError, which the state machine retries; anything else is rethrown.
 */
export async function withTransientAws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isTransientAwsError(err)) throw new TransientError(`${what}: ${(err as Error).message}`);
    throw err;
  }
}

/** Error codes AWS services use for "try again later", whatever the HTTP status they come with. */
const TRANSIENT_AWS_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'ServerException',
  'ServiceUnavailableException',
  'InternalFailure',
  'TooManyRequestsException',
  'ResourceInUseException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

/** Network failures and the client's own request timeout: the call may not have reached the service. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'TimeoutError']);

/** Whether an AWS SDK error may pass on its own: throttling, 5xx, 429, network, a request timeout. */
export function isTransientAwsError(err: unknown): boolean {
  const e = err as {
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    name?: string;
    code?: string;
  };
  if (e?.$retryable) return true;
  if (TRANSIENT_AWS_ERRORS.has(e?.name ?? '')) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return NETWORK_ERRORS.has(e?.code ?? '') || NETWORK_ERRORS.has(e?.name ?? '');
}

/**
 * How long one API request (Kubernetes, ECS, EKS) may take before it counts as a timeout (a transient
 * failure). Default 20 s; `LTC_API_TIMEOUT_MS` shortens it for local fault tests.
 */
export function apiRequestTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.LTC_API_TIMEOUT_MS);
  return fromEnv > 0 ? fromEnv : 20_000;
}

export interface RetryOptions {
  /** Attempts in all, the first included. Default 6. */
  readonly attempts?: number;
  /** Delay before the second attempt; doubled each time, with full jitter. Default 500 ms. */
  readonly baseDelayMs?: number;
  /** Longest delay between two attempts. Default 8 s. */
  readonly maxDelayMs?: number;
}

/**
 * Runs `call` again on a TransientError, with exponential backoff and full jitter, and rethrows the last
 * one when the attempts are used up. For work that must not give up on a passing fault in the middle of
 * a step (a restore), where a retry of the whole step would redo what already succeeded.
 */
export async function retryTransient<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 8000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof TransientError) || attempt >= attempts) throw err;
      const delay = Math.random() * Math.min(max, base * 2 ** (attempt - 1));
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
