import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { retryTransient } from '../../../lambdas/adapters/aws/transient';
import { parseConfig } from '../../../lambdas/core/config';
import { TransientError } from '../../../lambdas/core/errors';
import type { RunState } from '../../../lambdas/core/run-state';
import type { AppChange } from '../../../lambdas/core/shape';
import { handler as deploy } from '../../../lambdas/handlers/deploy';
import { handler as scale } from '../../../lambdas/handlers/scale';
import { handler as teardown } from '../../../lambdas/handlers/teardown';
import { handler as validateInput } from '../../../lambdas/handlers/validate-input';
import { MOTO_ACCOUNT_ID, type Moto, startMoto } from '../../../local/moto';
import {
  awsAction,
  awsJsonError,
  kubernetesStatus,
  type ProxiedRequest,
} from '../../support/faults/fault-proxy';
import {
  FAULTY_APPS,
  type FaultyPlatforms,
  startFaultyPlatforms,
} from '../../support/faults/faulty-platforms';
import { useMotoAws } from '../../support/moto-aws';

/**
 * Kubernetes and ECS API faults — 5xx, 409 Conflict, a request never answered, ThrottlingException — injected
 * by a fault proxy in front of the real kube-apiserver and moto, while the real Deploy, Scale and Teardown
 * handlers prepare and restore a Deployment with its HPA and an ECS service. Every fault ends in a retry or
 * an error naming the application, and the environment ends restored field by field.
 */
let moto: Moto;
let platforms: FaultyPlatforms;
let run = 0;

beforeAll(async () => {
  moto = await startMoto();
  platforms = await startFaultyPlatforms({
    motoEndpoint: moto.endpoint,
    workDir: mkdtempSync(join(tmpdir(), 'ltc-api-faults-')),
  });
  const config = parseConfig({
    environments: {
      faulty: {
        maxOrdersPerMinute: 1000,
        scenarios: ['checkout'],
        defaultScenario: 'checkout',
        locust: { url: 'http://127.0.0.1:1' },
        applications: platforms.applications,
        restoreVersions: true,
      },
    },
  });
  await useMotoAws(moto.endpoint, config, {
    ...platforms.env,
    LTC_POLL_MS: '250',
    LTC_API_TIMEOUT_MS: '1500',
  });
});

afterEach(() => {
  platforms?.kubeProxy.clear();
  platforms?.ecsProxy.clear();
});

afterAll(async () => {
  await platforms?.stop();
  await moto?.stop();
});

async function start(): Promise<RunState> {
  run += 1;
  return validateInput({
    input: { environment: 'faulty', targetOrdersPerMinute: 100, rampUpMinutes: 1, plateauMinutes: 1 },
    execution: {
      id: `arn:aws:states:us-east-1:${MOTO_ACCOUNT_ID}:execution:LoadTestConductor:api-faults-${run}-${Date.now()}`,
      name: `api-faults-${run}`,
      startTime: new Date().toISOString(),
    },
  });
}

/** A step as the state machine runs it: retried on TransientError (statemachine/lambda-task.ts, 4 attempts). */
function asStepFunctionsRetries<T>(step: () => Promise<T>): Promise<T> {
  return retryTransient(step, { attempts: 4, baseDelayMs: 200 });
}

/** A prepare Map as the state machine runs it: the step once per application, each with its own retries. */
function eachApplication(
  state: RunState,
  step: (item: { state: RunState; application: string }) => Promise<AppChange>,
): Promise<AppChange[]> {
  return Promise.all(
    state.run.request.applications.map((application) =>
      asStepFunctionsRetries(() => step({ state, application })),
    ),
  );
}

const deploymentPatch = (r: ProxiedRequest) =>
  r.method === 'PATCH' && r.path.includes(`/deployments/${FAULTY_APPS.kubernetes}`);
const deploymentRead = (r: ProxiedRequest) =>
  r.method === 'GET' && r.path.includes(`/deployments/${FAULTY_APPS.kubernetes}`);

describe('Kubernetes and ECS API faults', () => {
  it('retries 5xx and throttling, re-applies after 409, times out a silent API server, and restores field by field', async () => {
    const before = await platforms.snapshot();
    const state = await start();

    const unavailable = platforms.kubeProxy.inject({
      match: deploymentPatch,
      response: kubernetesStatus(503, 'ServiceUnavailable', 'etcd leader changed'),
    });
    const throttledDeploy = platforms.ecsProxy.inject({
      match: awsAction('UpdateService'),
      response: awsJsonError('ThrottlingException', 'Rate exceeded'),
      times: 2,
    });
    const d = { skipped: false, changes: await eachApplication(state, deploy) };
    expect(unavailable.failed).toBe(1);
    expect(throttledDeploy.failed).toBe(2);

    const conflicts = platforms.kubeProxy.inject({
      match: deploymentPatch,
      response: kubernetesStatus(409, 'Conflict', 'the object has been modified; please apply your changes'),
      times: 2,
    });
    const deployed = { ...state, deploy: d };
    const s = { changes: await eachApplication(deployed, scale), nodeGroups: [] };
    expect(conflicts.failed).toBe(2);
    const scaled = await platforms.snapshot();
    expect(scaled.kubernetes.replicas).toBe(6);
    expect(scaled.kubernetes.hpa).toEqual({ minReplicas: 6, maxReplicas: 20 });
    expect(scaled.ecs.desiredCount).toBe(4);

    // Teardown in one invocation, through server errors, a request never answered and throttling past
    // the SDK's own three attempts: the restore retries in place instead of giving up.
    const serverErrors = platforms.kubeProxy.inject({
      match: deploymentRead,
      response: kubernetesStatus(500, 'InternalError', 'an error on the server'),
      times: 3,
    });
    const silent = platforms.kubeProxy.inject({ match: deploymentPatch, response: { hang: true } });
    const throttled = platforms.ecsProxy.inject({
      match: awsAction('UpdateService'),
      response: awsJsonError('ThrottlingException', 'Rate exceeded'),
      times: 5,
    });
    const silentEcs = platforms.ecsProxy.inject({
      match: awsAction('DescribeServices'),
      response: { hang: true },
    });
    const down = await teardown({ ...state, deploy: d, scale: s });
    expect([serverErrors.failed, silent.failed, throttled.failed, silentEcs.failed]).toEqual([3, 1, 5, 1]);
    expect(down.restored.map((r) => r.application).sort()).toEqual(
      [FAULTY_APPS.kubernetes, FAULTY_APPS.ecs].sort(),
    );
    expect(await platforms.snapshot()).toEqual(before);
  });

  it('gives a persistent failure a clear error naming the application, and Teardown still restores', async () => {
    const before = await platforms.snapshot();
    const state = await start();
    platforms.kubeProxy.inject({
      match: deploymentPatch,
      response: kubernetesStatus(503, 'ServiceUnavailable', 'etcd leader changed'),
      times: 1000,
    });
    const denied = platforms.ecsProxy.inject({
      match: awsAction('UpdateService'),
      response: awsJsonError('AccessDeniedException', 'not authorized to perform ecs:UpdateService'),
      times: 1000,
    });
    const failureOf = (application: string) =>
      scale({ state, application }).then(
        () => null,
        (err: Error) => err,
      );
    const [kubernetesFailure, ecsFailure] = await Promise.all([
      failureOf(FAULTY_APPS.kubernetes),
      failureOf(FAULTY_APPS.ecs),
    ]);
    expect(kubernetesFailure?.message).toMatch(new RegExp(`${FAULTY_APPS.kubernetes}.*HTTP 503`));
    expect(ecsFailure?.message).toMatch(new RegExp(`${FAULTY_APPS.ecs}.*AccessDeniedException`));
    // Access denied is never retried, by the SDK or the conductor.
    expect(denied.failed).toBe(1);

    platforms.kubeProxy.clear();
    platforms.ecsProxy.clear();
    await teardown({ ...state });
    expect(await platforms.snapshot()).toEqual(before);
  });

  it('raises a TransientError once a restore has used up its attempts, and keeps the record for the next try', async () => {
    const before = await platforms.snapshot();
    const state = await start();
    const s = { changes: await eachApplication(state, scale), nodeGroups: [] };
    platforms.kubeProxy.inject({
      match: deploymentRead,
      response: kubernetesStatus(503, 'ServiceUnavailable', 'etcd leader changed'),
      times: 1000,
    });
    const failure = await teardown({ ...state, scale: s }).then(
      () => null,
      (err: Error) => err,
    );
    expect(failure).toBeInstanceOf(TransientError);
    platforms.kubeProxy.clear();
    await teardown({ ...state, scale: s });
    expect(await platforms.snapshot()).toEqual(before);
  });
});
