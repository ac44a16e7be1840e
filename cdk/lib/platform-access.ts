import { Aws, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CONDUCTOR_GROUP, PRODUCTION_READER_GROUP } from '../../lambdas/contracts';
import {
  type ConductorConfig,
  type EcsTaskCleanupAction,
  type EksNodeGroupRef,
  ecsClusterName,
  type KubernetesCluster,
  type LocustWorkersConfig,
  type Platform,
} from '../../lambdas/core/config';
import type { StepId } from '../../statemachine/steps';

/** How the conductor's identities are authorized inside EKS clusters. */
export type EksAuthorization =
  /** EKS access policies, namespace-scoped: AmazonEKSEditPolicy on test, AmazonEKSViewPolicy on production. */
  | 'access-policies'
  /**
   * Kubernetes groups only (`load-test-conductor`, `load-test-conductor-readers`), bound by the conductor's
   * own Roles — least privilege (lambdas/adapters/kubernetes/rbac.ts); the Roles must be applied to the clusters.
   */
  | 'kubernetes-groups';

export interface PlatformAccessOptions {
  /** Default: 'access-policies' (works without applying anything to the clusters). */
  readonly eksAuthorization?: EksAuthorization;
  /** Create EKS access entries for clusters referenced without a roleArn (this account). Default: true. */
  readonly eksAccessEntries?: boolean;
}

export interface PlatformAccessProps extends PlatformAccessOptions {
  readonly config: ConductorConfig;
  /** The step functions (StepHandlerFunction): findings are acknowledged on them, where their roles are. */
  readonly functions: Readonly<Record<StepId, Construct & { readonly function: lambda.IFunction }>>;
}

/** Steps that write to test platforms (Deploy, Scale, the drift guard of Ramp tick, Teardown). */
const WRITERS: readonly StepId[] = ['deploy', 'scale', 'ramp-tick', 'teardown'];
/** Steps that read test platforms only (Release lock: what a failed Teardown left, against its record). */
const TEST_READERS: readonly StepId[] = ['plan-dry-run', 'release-lock'];
/** Steps that read production platforms (versions and sizes to copy). */
const PRODUCTION_READERS: readonly StepId[] = ['plan-dry-run', 'deploy', 'scale'];
/** Steps that read and write node groups (Ramp tick: its drift guard re-applies the prepared size). */
const NODE_GROUP_WRITERS: readonly StepId[] = ['scale', 'ramp-tick', 'teardown'];
const NODE_GROUP_READERS: readonly StepId[] = ['plan-dry-run', 'scale'];
/** Steps that size the Locust worker fleet: Start load and the ticks scale it, Stop load scales it back. */
const FLEET_SCALERS: readonly StepId[] = ['start-load', 'ramp-tick', 'stop-load'];
/** Release lock reads the fleet's size when Stop load failed to scale it back. */
const FLEET_READERS: readonly StepId[] = ['release-lock'];

const EDIT_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy';
const VIEW_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';

interface AccessEntrySpec {
  readonly cluster: string;
  readonly step: StepId;
  access: 'write' | 'read';
  readonly namespaces: Set<string>;
}

/**
 * What the step functions may do on the platforms of the configuration, and nothing more: write to test
 * platforms, read production ones.
 *
 * - EKS (no `roleArn`: a cluster of this account): `eks:DescribeCluster` on the cluster, and an access entry
 *   per function role — namespace-scoped edit (test) or view (production), or the conductor's Kubernetes
 *   groups. With a `roleArn` (another account, or a separate read-only identity): only `sts:AssumeRole` on
 *   it; that account gives the role its access entry.
 * - ECS: Describe/UpdateService on the test service, RegisterTaskDefinition of task definitions in its region,
 *   PassRole of its `taskRoleArns` only (else of this account's roles), only to ECS tasks; Describe on
 *   production services; or `sts:AssumeRole` on its `roleArn`.
 * - EKS node groups: Describe/UpdateNodegroupConfig on the test node group (also the dry run's read and the
 *   drift guard's re-apply in Ramp tick), Describe on production's.
 * - Cleanup: `secretsmanager:GetSecretValue` on the `sql` actions' secrets and the `http` actions' token
 *   secrets; Kubernetes Jobs as a writer; `ecs-task` actions: RunTask of their task definition in their
 *   cluster only (passing its `taskRoleArns`), its tasks described, and with a `logGroup` the log streams of
 *   that group read (GetLogEvents) and the task definition described (where its containers log).
 * - The Locust worker fleet (`locust.workers`, unless the stack's own Fargate cluster grants it): its ECS
 *   service described and updated, or its Kubernetes namespace written (an access entry; with
 *   `kubernetes-groups`, the Role of `locustWorkersRbac` must be applied there), by the steps that size it.
 */
export class PlatformAccess extends Construct {
  private readonly entries = new Map<string, AccessEntrySpec>();
  private readonly statements = new Map<StepId, iam.PolicyStatement[]>();
  /** Wildcard findings acknowledged per step, so `grantLike` can carry their reasons over. */
  private readonly acknowledged = new Map<StepId, { id: string; reason: string }[]>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: PlatformAccessProps,
  ) {
    super(scope, id);
    for (const env of Object.values(props.config.environments)) {
      if (!env.loadTestTarget) continue;
      for (const app of env.applications) {
        this.platform(app.test, 'write');
        this.platform(app.production, 'read');
      }
      for (const g of env.nodeGroups) {
        this.nodeGroup(g.test, 'write');
        if (g.production) this.nodeGroup(g.production, 'read');
      }
      for (const c of env.cleanup) {
        if (c.type === 'sql' && c.database.secretArn) {
          this.allow(['cleanup'], ['secretsmanager:GetSecretValue'], [c.database.secretArn]);
        }
        if (c.type === 'http' && c.tokenSecretArn) {
          this.allow(['cleanup'], ['secretsmanager:GetSecretValue'], [c.tokenSecretArn]);
        }
        if (c.type === 'kubernetes-job') this.cluster(c.cluster, ['cleanup'], 'write', c.namespace);
        if (c.type === 'ecs-task') this.ecsTask(c);
      }
      if (env.locust.workers && !env.locust.fargate) this.workerFleet(env.locust.workers);
    }
    for (const [step, statements] of this.statements) {
      const fn = props.functions[step].function;
      for (const s of statements) fn.addToRolePolicy(s);
    }
    if (props.eksAccessEntries !== false) this.createAccessEntries();
  }

  private platform(p: Platform, access: 'write' | 'read'): void {
    const steps = access === 'write' ? [...WRITERS, ...TEST_READERS] : PRODUCTION_READERS;
    if (p.type === 'kubernetes') {
      this.cluster(p.cluster, access === 'write' ? WRITERS : PRODUCTION_READERS, access, p.namespace);
      if (access === 'write') this.cluster(p.cluster, TEST_READERS, 'read', p.namespace);
    } else if (p.type === 'ecs') {
      if (p.roleArn) {
        this.allow(steps, ['sts:AssumeRole'], [p.roleArn]);
        return;
      }
      const region = p.region ?? Aws.REGION;
      const cluster = ecsClusterName(p.cluster);
      const service = `arn:${Aws.PARTITION}:ecs:${region}:${Aws.ACCOUNT_ID}:service/${cluster}/${p.service}`;
      this.allow(steps, ['ecs:DescribeServices'], [service]);
      this.allow(
        steps,
        ['ecs:DescribeTaskDefinition'],
        ['*'],
        'DescribeTaskDefinition has no resource-level permissions.',
      );
      if (access === 'write') {
        this.allow(WRITERS, ['ecs:UpdateService'], [service]);
        this.allow(
          WRITERS,
          ['ecs:RegisterTaskDefinition'],
          [`arn:${Aws.PARTITION}:ecs:${region}:${Aws.ACCOUNT_ID}:task-definition/*`],
          'New revisions of the test service’s family, which is read from the service at run time.',
        );
        this.passRoles(WRITERS, p.taskRoleArns);
      }
    }
  }

  /** The worker Deployment or service whose size the ramp sets (lambdas/adapters/locust/fleet.ts). */
  private workerFleet(workers: LocustWorkersConfig): void {
    if (workers.type === 'kubernetes') {
      this.cluster(workers.cluster, FLEET_SCALERS, 'write', workers.namespace);
      this.cluster(workers.cluster, FLEET_READERS, 'read', workers.namespace);
    } else if (workers.type === 'ecs') {
      if (workers.roleArn) {
        this.allow([...FLEET_SCALERS, ...FLEET_READERS], ['sts:AssumeRole'], [workers.roleArn]);
        return;
      }
      const region = workers.region ?? Aws.REGION;
      const cluster = ecsClusterName(workers.cluster);
      const service = `arn:${Aws.PARTITION}:ecs:${region}:${Aws.ACCOUNT_ID}:service/${cluster}/${workers.service}`;
      this.allow(FLEET_SCALERS, ['ecs:DescribeServices', 'ecs:UpdateService'], [service]);
      this.allow(FLEET_READERS, ['ecs:DescribeServices'], [service]);
    }
  }

  /** An `ecs-task` cleanup action: run its task definition in its cluster, and follow that task. */
  private ecsTask(c: EcsTaskCleanupAction): void {
    const region = c.region ?? Aws.REGION;
    const arn = (resource: string) => `arn:${Aws.PARTITION}:ecs:${region}:${Aws.ACCOUNT_ID}:${resource}`;
    const cluster = ecsClusterName(c.cluster);
    const inCluster = { ArnEquals: { 'ecs:cluster': arn(`cluster/${cluster}`) } };
    const family = c.taskDefinition.replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:task-definition\//, '');
    const revisions = family.includes(':') ? family : `${family}:*`;
    this.allow(
      ['cleanup'],
      ['ecs:RunTask'],
      [arn(`task-definition/${revisions}`)],
      'Every revision of the configured task definition family.',
      inCluster,
    );
    this.allow(
      ['cleanup'],
      ['ecs:DescribeTasks'],
      [arn(`task/${cluster}/*`)],
      'Task ids are assigned by ECS.',
    );
    this.allow(
      ['cleanup'],
      ['ecs:ListTasks'],
      ['*'],
      'ListTasks has no task resource; it is limited to the cluster by condition.',
      inCluster,
    );
    this.passRoles(['cleanup'], c.taskRoleArns);
    if (!c.logGroup) return;
    // The task's last log lines for the report: its containers' streams (awslogs) in that group, read only.
    this.allow(
      ['cleanup'],
      ['logs:GetLogEvents'],
      [`arn:${Aws.PARTITION}:logs:${region}:${Aws.ACCOUNT_ID}:log-group:${c.logGroup}:log-stream:*`],
      'Stream names end in the task id, assigned by ECS.',
    );
    this.allow(
      ['cleanup'],
      ['ecs:DescribeTaskDefinition'],
      ['*'],
      'DescribeTaskDefinition has no resource-level permissions; it names the streams the task logged to.',
    );
  }

  /**
   * The roles a task definition names, passed to ECS tasks only: the configured `taskRoleArns`, or without
   * them any role of this account.
   */
  private passRoles(steps: readonly StepId[], roles: readonly string[] | undefined): void {
    this.allow(
      steps,
      ['iam:PassRole'],
      roles ? [...roles] : [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`],
      roles ? undefined : 'No taskRoleArns configured: any role of this account, to ECS tasks only.',
      { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    );
  }

  private cluster(
    c: KubernetesCluster,
    steps: readonly StepId[],
    access: 'write' | 'read',
    namespace: string,
  ): void {
    if (!c.eks) return; // an API server by URL: its token comes from the environment, not from IAM
    if (c.eks.roleArn) {
      this.allow(steps, ['sts:AssumeRole'], [c.eks.roleArn]);
      return;
    }
    const region = c.eks.region ?? Aws.REGION;
    this.allow(
      steps,
      ['eks:DescribeCluster'],
      [`arn:${Aws.PARTITION}:eks:${region}:${Aws.ACCOUNT_ID}:cluster/${c.eks.name}`],
    );
    for (const step of steps) {
      const key = `${c.eks.name}|${step}`;
      const entry = this.entries.get(key);
      if (entry) {
        entry.namespaces.add(namespace);
        if (access === 'write') entry.access = 'write';
      } else {
        this.entries.set(key, { cluster: c.eks.name, step, access, namespaces: new Set([namespace]) });
      }
    }
  }

  private nodeGroup(g: EksNodeGroupRef, access: 'write' | 'read'): void {
    // The dry run reads the test node group too, to plan its scaling.
    const steps = access === 'write' ? [...NODE_GROUP_WRITERS, ...TEST_READERS] : NODE_GROUP_READERS;
    if (g.roleArn) {
      this.allow(steps, ['sts:AssumeRole'], [g.roleArn]);
      return;
    }
    const region = g.region ?? Aws.REGION;
    const arn = `arn:${Aws.PARTITION}:eks:${region}:${Aws.ACCOUNT_ID}:nodegroup/${g.cluster}/${g.nodegroup}/*`;
    this.allow(
      steps,
      ['eks:DescribeNodegroup'],
      [arn],
      'A node group ARN ends in an id EKS assigns at creation.',
    );
    if (access === 'write') {
      this.allow(
        NODE_GROUP_WRITERS,
        ['eks:UpdateNodegroupConfig'],
        [arn],
        'A node group ARN ends in an id EKS assigns at creation.',
      );
    }
  }

  private allow(
    steps: readonly StepId[],
    actions: string[],
    resources: string[],
    wildcardReason?: string,
    conditions?: Record<string, Record<string, string>>,
  ): void {
    for (const step of steps) {
      const list = this.statements.get(step) ?? [];
      const same = list.find((s) => s.actions.join() === actions.join() && !conditions && !s.conditions);
      if (same) same.addResources(...resources.filter((r) => !same.resources.includes(r)));
      else list.push(new iam.PolicyStatement({ actions, resources, conditions }));
      this.statements.set(step, list);
      if (wildcardReason) {
        // cdk-nag names a wildcard finding by the resource, with CloudFormation pseudo parameters as <AWS::…>.
        const fn = this.props.functions[step];
        for (const r of resources.filter((x) => x.includes('*'))) {
          const id = `AwsSolutions-IAM5[Resource::${nagResource(r)}]`;
          Validations.of(fn).acknowledge({ id, reason: wildcardReason });
          this.acknowledged.set(step, [
            ...(this.acknowledged.get(step) ?? []),
            { id, reason: wildcardReason },
          ]);
        }
      }
    }
  }

  /**
   * Gives another function exactly what some steps may do on the platforms — their statements and EKS access
   * entries — e.g. the janitor, which restores with Teardown's code and scales the fleet back as Stop load
   * does (cdk/lib/janitor.ts). EKS allows one access entry per role and cluster: the steps' are merged.
   */
  grantLike(
    steps: readonly StepId[],
    other: Construct & { readonly function: lambda.IFunction },
    name: string,
  ): void {
    for (const step of steps) {
      for (const s of this.statements.get(step) ?? []) other.function.addToRolePolicy(s);
      for (const ack of this.acknowledged.get(step) ?? []) Validations.of(other).acknowledge(ack);
    }
    const role = other.function.role;
    if (!role || this.props.eksAccessEntries === false) return;
    const merged = new Map<string, AccessEntrySpec>();
    for (const entry of this.entries.values()) {
      if (!steps.includes(entry.step)) continue;
      const into = merged.get(entry.cluster);
      if (!into) merged.set(entry.cluster, { ...entry, namespaces: new Set(entry.namespaces) });
      else {
        for (const n of entry.namespaces) into.namespaces.add(n);
        if (entry.access === 'write') into.access = 'write';
      }
    }
    for (const entry of merged.values())
      this.accessEntry(`AccessEntry-${entry.cluster}-${name}`, entry, role);
  }

  private createAccessEntries(): void {
    for (const entry of this.entries.values()) {
      const role = this.props.functions[entry.step].function.role;
      if (role) this.accessEntry(`AccessEntry-${entry.cluster}-${entry.step}`, entry, role);
    }
  }

  private accessEntry(id: string, { cluster, access, namespaces }: AccessEntrySpec, role: iam.IRole): void {
    const groupsOnly = this.props.eksAuthorization === 'kubernetes-groups';
    new eks.CfnAccessEntry(this, id, {
      clusterName: cluster,
      principalArn: role.roleArn,
      type: 'STANDARD',
      ...(groupsOnly
        ? { kubernetesGroups: [access === 'write' ? CONDUCTOR_GROUP : PRODUCTION_READER_GROUP] }
        : {
            accessPolicies: [
              {
                policyArn: access === 'write' ? EDIT_POLICY : VIEW_POLICY,
                accessScope: { type: 'namespace', namespaces: [...namespaces].sort() },
              },
            ],
          }),
    });
  }
}

function nagResource(arn: string): string {
  return arn
    .replace(Aws.PARTITION, '<AWS::Partition>')
    .replace(Aws.REGION, '<AWS::Region>')
    .replace(Aws.ACCOUNT_ID, '<AWS::AccountId>');
}
