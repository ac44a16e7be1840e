import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import type { ConductorConfig } from '../../../lambdas/core/config';
import { resetDeps } from '../../../lambdas/runtime/step';
import { type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally } from '../../../local/executor';
import { MOTO_CREDENTIALS, MOTO_REGION } from '../../../local/moto';
import { SHORT_LOCAL_RUN } from '../../support/faults/retry-faults';

/**
 * No secret in an execution: a cleanup action's bearer token is a Secrets Manager reference in the
 * configuration, read by the Cleanup step when it runs. A whole local execution (the synthesized state
 * machine, the real handlers, moto's Secrets Manager) sends the token where it belongs, and none of the
 * execution's events — what the console shows: inputs, outputs, errors of every state — contains it.
 */
let env: LocalEnvironment;
let receiver: Server;
const authorizations: string[] = [];
const TOKEN = `ltc-token-${randomUUID()}`;

beforeAll(async () => {
  env = await startLocalEnvironment({ workers: 1 });
  receiver = createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    res.end('{"deleted":{"documents":3}}');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const secrets = new SecretsManagerClient({
    endpoint: env.aws.endpoint,
    region: MOTO_REGION,
    credentials: MOTO_CREDENTIALS,
  });
  const { ARN } = await secrets.send(new CreateSecretCommand({ Name: 'search-token', SecretString: TOKEN }));
  const local = env.config.environments.local;
  if (!local || !ARN) throw new Error('fixture');
  const config: ConductorConfig = {
    ...env.config,
    environments: {
      ...env.config.environments,
      local: {
        ...local,
        cleanup: [
          ...local.cleanup,
          {
            type: 'http',
            name: 'search index',
            method: 'DELETE',
            url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/_test-data`,
            tokenSecretArn: ARN,
          },
        ],
      },
    },
  };
  process.env.LTC_CONFIG = JSON.stringify(config);
  resetDeps();
});
afterAll(async () => {
  receiver?.close();
  await env?.stop();
});

describe('secrets', () => {
  it('are read by the step that needs them and appear nowhere in the execution', async () => {
    const result = await executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN);
    expect(result.status).toBe('SUCCEEDED');
    expect(authorizations).toEqual([`Bearer ${TOKEN}`]);
    const history = JSON.stringify(result.events);
    expect(history).toContain('search index');
    expect(history).not.toContain(TOKEN);
    expect(JSON.stringify(result.output)).not.toContain(TOKEN);
    const runs = new RunStore(env.aws.RUNS_TABLE);
    expect(JSON.stringify(await runs.runMeta(result.executionArn))).not.toContain(TOKEN);
  });
});
