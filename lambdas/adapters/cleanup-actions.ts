import type { CleanupAction } from '../core/config';
import type { AwsClients } from './aws/clients';
import type { KubeConnector } from './kubernetes/connection';
import type { SqlCleanupOptions } from './sql/sql-cleanup';

export interface CleanupContext {
  readonly executionId: string;
}

/** Runs one cleanup action and returns what it reports (what it removed). */
export type CleanupRunner = (action: CleanupAction, context: CleanupContext) => Promise<string>;

export interface CleanupRunnerOptions extends SqlCleanupOptions {
  readonly kube?: KubeConnector;
  readonly aws?: AwsClients;
  readonly pollMs?: number;
}

/**
 * `sql` (PostgreSQL), `kubernetes-job` and `ecs-task` actions; `http` ones are the Cleanup step's own. Each
 * kind's module (and client: pg, the Kubernetes client, ECS) is imported when an action of that kind runs.
 */
export function defaultCleanupRunner(options: CleanupRunnerOptions = {}): CleanupRunner {
  let kube = options.kube;
  let aws = options.aws;
  return async (action, context) => {
    switch (action.type) {
      case 'sql': {
        const { describeSqlResults, runSqlCleanup } = await import('./sql/sql-cleanup');
        return describeSqlResults(await runSqlCleanup(action, options));
      }
      case 'kubernetes-job': {
        const [{ kubeConnector }, { runKubernetesJobCleanup }] = await Promise.all([
          import('./kubernetes/connection'),
          import('./kubernetes/job-cleanup'),
        ]);
        kube ??= kubeConnector({ env: options.env });
        return runKubernetesJobCleanup(action, context.executionId, kube, options.pollMs);
      }
      case 'ecs-task': {
        const [{ AwsClients }, { runEcsTaskCleanup }] = await Promise.all([
          import('./aws/clients'),
          import('./ecs/task-cleanup'),
        ]);
        aws ??= new AwsClients();
        return runEcsTaskCleanup(
          action,
          context.executionId,
          { ecs: aws.ecsFor(action.region), logs: aws.logsFor(action.region) },
          options.pollMs,
        );
      }
      case 'http':
        throw new Error(`${action.name}: http actions are run by the Cleanup step itself`);
    }
  };
}
