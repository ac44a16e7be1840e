import { createHash } from 'node:crypto';
import { ApiException, type V1Job, type V1JobSpec } from '@kubernetes/client-node';
import type { KubernetesJobCleanupAction } from '../../core/config';
import { RolloutFailedError, RolloutTimeoutError } from '../../core/errors';
import type { KubeConnector } from './connection';
import { kube } from './errors';

/**
 * Runs a `kubernetes-job` cleanup action: creates a Job in the test namespace from a CronJob's job template
 * (as `kubectl create job --from=cronjob/…`) or an inline JobSpec, waits for it to succeed and reports it,
 * with the termination messages its pods left (where a cleanup job writes what it removed). The Job's name
 * derives from the execution, so a retried step finds its Job instead of starting a second one.
 */
export async function runKubernetesJobCleanup(
  action: KubernetesJobCleanupAction,
  executionId: string,
  connect: KubeConnector,
  pollMs = 1000,
): Promise<string> {
  const apis = await connect(action.cluster);
  const where = `${action.name}: ${action.namespace} on ${apis.target}`;
  let spec: V1JobSpec;
  if (action.fromCronJob) {
    const cron = await kube(`${where}: read cronjob ${action.fromCronJob}`, () =>
      apis.batch.readNamespacedCronJob({ name: action.fromCronJob as string, namespace: action.namespace }),
    );
    const template = cron.spec?.jobTemplate.spec;
    if (!template) throw new Error(`${where}: cronjob ${action.fromCronJob} has no job template`);
    spec = template;
  } else {
    spec = action.jobSpec as unknown as V1JobSpec;
  }
  const name = jobName(action.name, executionId);
  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: action.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'load-test-conductor' },
      annotations: { 'load-test-conductor/execution': executionId.slice(-250) },
    },
    spec: { backoffLimit: 0, ttlSecondsAfterFinished: 86_400, ...spec },
  };
  try {
    await apis.batch.createNamespacedJob({ namespace: action.namespace, body: job });
  } catch (err) {
    if (!(err instanceof ApiException && err.code === 409)) {
      await kube(`${where}: create job ${name}`, () => Promise.reject(err));
    }
  }
  const deadline = Date.now() + action.timeoutSeconds * 1000;
  for (;;) {
    const j = await kube(`${where}: read job ${name}`, () =>
      apis.batch.readNamespacedJob({ name, namespace: action.namespace }),
    );
    const conditions = j.status?.conditions ?? [];
    const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
    if (failed)
      throw new RolloutFailedError(`${where}: job ${name} failed: ${failed.reason} ${failed.message ?? ''}`);
    if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) {
      const messages = await terminationMessages(apis, action.namespace, name);
      const succeeded = j.status?.succeeded ?? 0;
      return `job ${action.namespace}/${name} completed (${succeeded} pod${succeeded === 1 ? '' : 's'} succeeded)${messages ? `: ${messages}` : ''}`;
    }
    if (Date.now() >= deadline) {
      throw new RolloutTimeoutError(
        `${where}: job ${name} did not complete within ${action.timeoutSeconds} s (${j.status?.active ?? 0} active, ${j.status?.failed ?? 0} failed)`,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** `<action>-<hash of execution>`: a DNS label, the same for every retry of one execution's cleanup. */
export function jobName(action: string, executionId: string): string {
  const slug =
    action
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'cleanup';
  const hash = createHash('sha256').update(`${action}\n${executionId}`).digest('hex').slice(0, 10);
  return `ltc-${slug}-${hash}`.replace(/-+/g, '-');
}

async function terminationMessages(
  apis: Awaited<ReturnType<KubeConnector>>,
  namespace: string,
  job: string,
): Promise<string> {
  try {
    const pods = await apis.core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` });
    return pods.items
      .flatMap((p) => p.status?.containerStatuses ?? [])
      .map((c) => c.state?.terminated?.message?.trim())
      .filter((m): m is string => !!m)
      .join('; ')
      .slice(0, 500);
  } catch {
    return '';
  }
}
