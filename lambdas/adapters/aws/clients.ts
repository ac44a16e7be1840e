import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EKSClient } from '@aws-sdk/client-eks';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { TransientError } from '../../core/errors';
import { apiRequestTimeoutMs, isTransientAwsError } from './transient';

/**
 * AWS clients per region and identity: the Lambda's own (test writes), or an assumed role (e.g. a
 * read-only role in the production account). The SDK reads `AWS_ENDPOINT_URL` itself (moto locally).
 */
export class AwsClients {
  private readonly ecs = new Map<string, ECSClient>();
  private readonly eks = new Map<string, EKSClient>();
  private readonly logs = new Map<string, CloudWatchLogsClient>();

  ecsFor(region: string | undefined, roleArn?: string): ECSClient {
    return cached(this.ecs, region, roleArn, (config) => new ECSClient(config));
  }

  eksFor(region: string | undefined, roleArn?: string): EKSClient {
    return cached(this.eks, region, roleArn, (config) => new EKSClient(config));
  }

  logsFor(region: string | undefined, roleArn?: string): CloudWatchLogsClient {
    return cached(this.logs, region, roleArn, (config) => new CloudWatchLogsClient(config));
  }
}

function cached<C>(
  map: Map<string, C>,
  region: string | undefined,
  roleArn: string | undefined,
  make: (config: {
    region?: string;
    credentials?: ReturnType<typeof fromTemporaryCredentials>;
    requestHandler: { requestTimeout: number; throwOnRequestTimeout: true };
  }) => C,
): C {
  const key = `${region ?? ''}|${roleArn ?? ''}`;
  let client = map.get(key);
  if (!client) {
    client = make({
      // A request the service never answers is a transient failure, not a step that hangs until its timeout.
      // (throwOnRequestTimeout: without it the SDK only logs a warning and keeps waiting.)
      requestHandler: { requestTimeout: apiRequestTimeoutMs(), throwOnRequestTimeout: true },
      ...(region ? { region } : {}),
      ...(roleArn
        ? {
            credentials: fromTemporaryCredentials({
              params: { RoleArn: roleArn, RoleSessionName: 'load-test-conductor' },
              clientConfig: region ? { region } : {},
            }),
          }
        : {}),
    });
    map.set(key, client);
  }
  return client;
}

/** Runs an AWS call; throttling, 5xx, network failures and timeouts become TransientError (retried by the state machine). */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const e = err as Error;
    if (isTransientAwsError(err)) throw new TransientError(`${what}: ${e.name}: ${e.message}`);
    const wrapped = new Error(`${what}: ${e.name}: ${e.message}`);
    wrapped.name = e.name && e.name !== 'Error' ? e.name : 'Error';
    throw wrapped;
  }
}
