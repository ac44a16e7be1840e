import type { CleanupAction } from '../core/config';
import { AwsClients } from './aws/clients';
import { runEcsTaskCleanup } from './ecs/task-cleanup';
import { type KubeConnector, kubeConnector } from './kubernetes/connection';
import { runKubernetesJobCleanup } from './kubernetes/job-cleanup';
import { describeSqlResults, runSqlCleanup, type SqlCleanupOptions } from './sql/sql-cleanup';

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

/** `sql` (PostgreSQL), `kubernetes-job` and `ecs-task` actions; `http` ones are the Cleanup step's own. */
export function defaultCleanupRunner(options: CleanupRunnerOptions = {}): CleanupRunner {
  let kube = options.kube;
  const aws = options.aws ?? new AwsClients();
  return async (action, context) => {
    switch (action.type) {
      case 'sql':
        return describeSqlResults(await runSqlCleanup(action, options));
      case 'kubernetes-job':
        kube ??= kubeConnector({ env: options.env });
        return runKubernetesJobCleanup(action, context.executionId, kube, options.pollMs);
      case 'ecs-task':
        return runEcsTaskCleanup(
          action,
          context.executionId,
          { ecs: aws.ecsFor(action.region), logs: aws.logsFor(action.region) },
          options.pollMs,
        );
      case 'http':
        throw new Error(`${action.name}: http actions are run by the Cleanup step itself`);
    }
  };
}
