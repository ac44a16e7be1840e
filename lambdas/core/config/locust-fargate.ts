import type { FieldProblem } from '../errors';
import type { SchemaConfig } from './parse';
import type { LocustFargateConfig, LocustWorkersConfig } from './types';

/**
 * What the stack names an environment's Fargate Locust cluster, and so the master URL and worker fleet the
 * conductor uses: fixed strings (not CloudFormation tokens), since the configuration is inlined into the Lambdas.
 */
export function locustFargateNames(environment: string): {
  readonly clusterName: string;
  readonly workerServiceName: string;
  readonly namespace: string;
  readonly url: string;
} {
  const namespace = `${environment}.locust.internal`;
  return {
    clusterName: `ltc-locust-${environment}`,
    workerServiceName: 'locust-worker',
    namespace,
    url: `http://master.${namespace}:8089`,
  };
}

/** `url` and `workers` of an environment whose Locust runs on the stack's Fargate cluster. */
export function fargateEndpoints(environment: string, fargate: LocustFargateConfig) {
  const names = locustFargateNames(environment);
  const workers: LocustWorkersConfig = {
    type: 'ecs',
    cluster: names.clusterName,
    service: names.workerServiceName,
    minWorkers: fargate.minWorkers,
    maxWorkers: fargate.maxWorkers,
  };
  return { url: names.url, workers };
}

/** A Fargate cluster sets `url` and `workers` itself: a different one given beside it is a mistake. */
export function fargateProblems(input: SchemaConfig): FieldProblem[] {
  const problems: FieldProblem[] = [];
  let vpc: { id: string; at: string } | null = null;
  for (const [name, env] of Object.entries(input.environments)) {
    const { fargate, url, workers } = env.locust;
    const at = `environments.${name}.locust`;
    if (!fargate) {
      if (url == null) problems.push({ field: `${at}.url`, rule: 'is required (or locust.fargate)' });
      continue;
    }
    const own = fargateEndpoints(name, fargate);
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(name)) {
      problems.push({
        field: `${at}.fargate`,
        rule: `the environment name '${name}' names the Locust cluster and its DNS namespace: lower-case letters, digits, '-', at most 31`,
      });
    }
    if (url != null && url !== own.url) {
      problems.push({ field: `${at}.url`, rule: `leave it out: locust.fargate's master is at ${own.url}` });
    }
    if (workers != null && JSON.stringify(workers) !== JSON.stringify(own.workers)) {
      problems.push({
        field: `${at}.workers`,
        rule: 'leave it out: locust.fargate sizes its own worker service (minWorkers, maxWorkers there)',
      });
    }
    if (fargate.minWorkers > fargate.maxWorkers) {
      problems.push({ field: `${at}.fargate`, rule: 'needs minWorkers ≤ maxWorkers' });
    }
    if (vpc && vpc.id !== fargate.vpcId) {
      problems.push({
        field: `${at}.fargate.vpcId`,
        rule: `must be ${vpc.id} as in ${vpc.at}: the conductor's Lambdas join one VPC`,
      });
    }
    vpc ??= { id: fargate.vpcId, at: `${at}.fargate.vpcId` };
  }
  return problems;
}
