import { ApiException } from '@kubernetes/client-node';
import { TransientError } from '../../core/errors';

/** The API server refused the identity (RBAC): never retried. */
export class KubernetesForbiddenError extends Error {
  override readonly name = 'KubernetesForbiddenError';
}

/**
 * A Kubernetes API failure as the conductor's error: 403 → {@link KubernetesForbiddenError}, 409/429/5xx,
 * network failures and request timeouts → TransientError (retried by the state machine), the rest as they
 * are, each naming the application, what was done and on which cluster.
 */
export function kubernetesError(what: string, err: unknown): Error {
  if (err instanceof ApiException) {
    const detail = apiMessage(err);
    const message = `${what}: HTTP ${err.code}${detail ? ` ${detail}` : ''}`;
    if (err.code === 403) return new KubernetesForbiddenError(message);
    if (err.code === 409 || err.code === 429 || err.code >= 500) return new TransientError(message);
    return new Error(message);
  }
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (
    e instanceof TypeError ||
    e?.name === 'TimeoutError' ||
    e?.cause?.code ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket/i.test(e?.message)
  ) {
    return new TransientError(`${what}: ${e.message}${e.cause?.message ? ` (${e.cause.message})` : ''}`);
  }
  return e instanceof Error ? e : new Error(`${what}: ${String(err)}`);
}

function apiMessage(err: ApiException<unknown>): string {
  const body = err.body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 300);
    } catch {
      return body.slice(0, 300);
    }
  }
  if (body && typeof body === 'object' && 'message' in body)
    return String((body as { message: unknown }).message);
  return '';
}

/** Runs a Kubernetes call, translating its failure with {@link kubernetesError}. */
export async function kube<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw kubernetesError(what, err);
  }
}

/** Whether a Kubernetes call failed with 409 Conflict (someone else changed the object meanwhile). */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiException && err.code === 409;
}
