import type { FieldProblem } from '../errors';
import type {
  ConductorConfig,
  EksNodeGroupRef,
  EnvironmentConfig,
  KubernetesCluster,
  Platform,
} from './types';

/**
 * What a platform writes to, for the rule that a test platform never is a production one: the agent's URL,
 * the Kubernetes cluster (not the namespace: a production cluster is never written to), the ECS cluster.
 */
export function platformTarget(p: Platform): string {
  switch (p.type) {
    case 'http':
      return `http:${p.url}`;
    case 'kubernetes':
      return kubernetesClusterTarget(p.cluster);
    case 'ecs':
      return ecsClusterTarget(p.cluster, p.region, p.roleArn);
  }
}

export function ecsClusterTarget(cluster: string, region?: string, roleArn?: string): string {
  return `ecs:${account(roleArn)}${region ?? '(default region)'}/${ecsClusterName(cluster)}`;
}

export function kubernetesClusterTarget(c: KubernetesCluster): string {
  if (c.eks) return `eks:${account(c.eks.roleArn)}${c.eks.region ?? '(default region)'}/${c.eks.name}`;
  return `kubernetes:${(c.endpoint ?? '').replace(/\/+$/, '')}`;
}

export function nodeGroupTarget(g: EksNodeGroupRef): string {
  return `eks:${account(g.roleArn)}${g.region ?? '(default region)'}/${g.cluster}`;
}

/** `123456789012:` for a role in another account (same names in two accounts are two clusters), else ''. */
function account(roleArn: string | undefined): string {
  const id = roleArn?.split(':')[4];
  return id ? `${id}:` : '';
}

/** `arn:aws:ecs:…:cluster/name` and `name` name the same cluster. */
export function ecsClusterName(cluster: string): string {
  return cluster.replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\//, '');
}

/** Every target that production platforms of the configuration use: never written to. */
export function productionTargets(config: Pick<ConductorConfig, 'environments'>): Set<string> {
  const out = new Set<string>();
  for (const env of Object.values(config.environments)) {
    for (const app of env.applications) {
      out.add(platformTarget(app.production));
      if (env.production) out.add(platformTarget(app.test));
    }
    for (const g of env.nodeGroups) {
      if (g.production) out.add(nodeGroupTarget(g.production));
      if (env.production) out.add(nodeGroupTarget(g.test));
    }
  }
  return out;
}

/** The same for one environment's snapshot (what later steps have): its production platforms. */
export function environmentProductionTargets(env: EnvironmentConfig): Set<string> {
  return productionTargets({ environments: { env } });
}

export function platformProblems(p: Platform, at: string): FieldProblem[] {
  return p.type === 'kubernetes' ? clusterProblems(p.cluster, `${at}.cluster`) : [];
}

export function clusterProblems(c: KubernetesCluster, at: string): FieldProblem[] {
  if (!c.eks === !c.endpoint) return [{ field: at, rule: 'needs exactly one of eks or endpoint' }];
  if (c.endpoint && !c.tokenEnv) return [{ field: `${at}.tokenEnv`, rule: 'is required with endpoint' }];
  return [];
}
