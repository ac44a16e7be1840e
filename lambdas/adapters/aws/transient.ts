import { TransientError } from '../../core/errors';

/**
 * AWS SDK errors that may pass on their own (throttling, 5xx, network) become
 * TransientError, which the state machine retries; anything else is rethrown.
 */
export async function withTransientAws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isTransient(err)) throw new TransientError(`${what}: ${(err as Error).message}`);
    throw err;
  }
}

function isTransient(err: unknown): boolean {
  const e = err as {
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    name?: string;
    code?: string;
  };
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'TimeoutError'].includes(e?.code ?? e?.name ?? '');
}
