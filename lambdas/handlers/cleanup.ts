import { request } from 'undici';
import { readSecretString } from '../adapters/aws/secrets';
import type { HttpCleanupAction } from '../core/config';
import { TransientError } from '../core/errors';
import type { CleanupResult } from '../core/restore';
import type { RunState } from '../core/run-state';
import { cleanupActions } from '../runtime/providers/cleanup-actions';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';

/**
 * Removes the test data the run created: every cleanup action of the
 * environment runs, even when another failed; a failure is raised after all ran.
 */
export const handler = step(
  'Cleanup',
  { runs, cleanupActions },
  async (state: RunState, deps): Promise<CleanupResult> => {
    const configured = state.run.environment.cleanup;
    const settled = await Promise.allSettled(
      configured.map((action) =>
        action.type === 'http'
          ? runAction(action)
          : deps.cleanupActions(action, { executionId: state.run.executionId }),
      ),
    );
    const actions = settled.map((s, i) => ({
      name: configured[i]?.name ?? `action ${i}`,
      result: s.status === 'fulfilled' ? s.value : `failed: ${(s.reason as Error).message}`,
    }));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return { actions };
  },
);

/** Runs one action and returns what it reported (e.g. what it removed). */
async function runAction(action: HttpCleanupAction): Promise<string> {
  const token = action.tokenSecretArn
    ? await readSecretString(action.tokenSecretArn, `${action.name}: the token`)
    : undefined;
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(action.url, {
      method: action.method,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
  } catch (err) {
    throw new TransientError(
      `${action.name}: ${action.method} ${action.url} failed: ${(err as Error).message}`,
    );
  }
  const text = (await response.body.text()).slice(0, 500);
  if (response.statusCode >= 500) throw new TransientError(`${action.name}: answered ${response.statusCode}`);
  if (response.statusCode >= 400)
    throw new Error(`${action.name}: refused with ${response.statusCode}: ${text}`);
  return text || `HTTP ${response.statusCode}`;
}
