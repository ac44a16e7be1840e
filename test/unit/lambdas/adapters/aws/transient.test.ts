import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { aws } from '../../../../../lambdas/adapters/aws/clients';
import { janitorRecheckQueue } from '../../../../../lambdas/adapters/aws/janitor-recheck';
import { isTransientAwsError, retryTransient } from '../../../../../lambdas/adapters/aws/transient';
import { isConflict, kubernetesError } from '../../../../../lambdas/adapters/kubernetes/errors';
import { TransientError } from '../../../../../lambdas/core/errors';

/** What is retried and what is not, for the AWS SDK's and the Kubernetes client's errors. */
const awsError = (name: string, status: number, extra: object = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('transient AWS errors', () => {
  it.each([
    ['ThrottlingException', 400],
    ['TooManyRequestsException', 429],
    ['ServiceUnavailableException', 503],
    ['InternalFailure', 500],
    ['ProvisionedThroughputExceededException', 400],
    ['TimeoutError', 0],
  ])('%s (HTTP %i) is transient', (name, status) => {
    expect(isTransientAwsError(awsError(name, status))).toBe(true);
  });

  it.each([
    ['AccessDeniedException', 400],
    ['ValidationException', 400],
    ['ServiceNotFoundException', 400],
  ])('%s (HTTP %i) is not', (name, status) => {
    expect(isTransientAwsError(awsError(name, status))).toBe(false);
  });

  it('a network failure is transient', () => {
    expect(isTransientAwsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      true,
    );
  });

  it('ECS calls: throttling becomes a TransientError naming the call, access denied keeps its name', async () => {
    const throttled = aws('orders: update ECS service orders', () =>
      Promise.reject(awsError('ThrottlingException', 400)),
    );
    await expect(throttled).rejects.toBeInstanceOf(TransientError);
    await expect(throttled).rejects.toThrow(/orders: update ECS service orders: ThrottlingException/);
    const denied = aws('orders: update', () => Promise.reject(awsError('AccessDeniedException', 400)));
    await expect(denied).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('Kubernetes errors', () => {
  const api = (code: number) => new ApiException(code, 'failed', { message: `HTTP ${code} body` }, {});

  it.each([409, 429, 500, 503])('HTTP %i is transient', (code) => {
    expect(kubernetesError('catalog: patch', api(code))).toBeInstanceOf(TransientError);
  });

  it('a request timeout is transient and names what timed out', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const err = kubernetesError('catalog: read deployment shop/catalog', timeout);
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/^catalog: read deployment shop\/catalog: The operation was aborted/);
  });

  it('403 and 422 are not retried; 409 is told apart for a re-read', () => {
    expect(kubernetesError('x', api(403)).name).toBe('KubernetesForbiddenError');
    expect(kubernetesError('x', api(422))).not.toBeInstanceOf(TransientError);
    expect([isConflict(api(409)), isConflict(api(500)), isConflict(new Error('409'))]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('retryTransient', () => {
  it('retries a TransientError until it passes', async () => {
    let calls = 0;
    const result = await retryTransient(
      async () => {
        calls += 1;
        if (calls < 3) throw new TransientError('not yet');
        return 'done';
      },
      { baseDelayMs: 1 },
    );
    expect([result, calls]).toEqual(['done', 3]);
  });

  it('gives up after its attempts with the last error, and never retries another error', async () => {
    let calls = 0;
    const always = retryTransient(
      async () => {
        calls += 1;
        throw new TransientError(`attempt ${calls}`);
      },
      { attempts: 4, baseDelayMs: 1 },
    );
    await expect(always).rejects.toThrow('attempt 4');
    let other = 0;
    const refused = retryTransient(async () => {
      other += 1;
      throw new Error('refused');
    });
    await expect(refused).rejects.toThrow('refused');
    expect(other).toBe(1);
  });
});

describe('janitorRecheckQueue', () => {
  it('is configured by the queue URL and a delay of 0…900 s', () => {
    expect(janitorRecheckQueue({})).toBeNull();
    expect(janitorRecheckQueue({ JANITOR_RECHECK_QUEUE_URL: 'https://sqs/q' })?.delaySeconds).toBe(900);
    expect(
      janitorRecheckQueue({ JANITOR_RECHECK_QUEUE_URL: 'https://sqs/q', JANITOR_RECHECK_DELAY_SECONDS: '0' })
        ?.delaySeconds,
    ).toBe(0);
    expect(() =>
      janitorRecheckQueue({
        JANITOR_RECHECK_QUEUE_URL: 'https://sqs/q',
        JANITOR_RECHECK_DELAY_SECONDS: '901',
      }),
    ).toThrow(/JANITOR_RECHECK_DELAY_SECONDS must be an integer 0…900, got '901'/);
  });
});
