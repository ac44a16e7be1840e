import configSchema from '../../schema/conductor-config.schema.json' with { type: 'json' };
import { type FieldProblem, ValidationError } from './errors';
import { validateRunInput } from './run-input';
import { isScheduleTimeZone, SCHEDULE_NAME_PATTERN, scheduleExpressionProblems } from './schedule-expression';
import { schemaChecker } from './schema-validation';

/** Where an application runs. `http`: it exposes the conductor agent API (GET/PUT /_conductor/shape). */
export interface HttpPlatform {
  readonly type: 'http';
  readonly url: string;
}

/**
 * How to reach a Kubernetes API server, and as whom. Either an EKS cluster (endpoint and CA from
 * DescribeCluster, a presigned-STS IAM token; `roleArn` is assumed first, e.g. the production read-only
 * role), or any API server by URL with a bearer token from an environment variable (local clusters, tests).
 */
export interface KubernetesCluster {
  readonly eks?: { readonly name: string; readonly region?: string; readonly roleArn?: string };
  readonly endpoint?: string;
  /** Base64 of the CA certificate (PEM) that signed the API server's certificate. */
  readonly caData?: string;
  /** Name of the environment variable that holds the bearer token (never the token itself). */
  readonly tokenEnv?: string;
}

/** A Kubernetes Deployment (and optionally its HPA) in one namespace. */
export interface KubernetesPlatform {
  readonly type: 'kubernetes';
  readonly cluster: KubernetesCluster;
  readonly namespace: string;
  readonly deployment: string;
  /** The HorizontalPodAutoscaler of the Deployment, if it has one: its min/max are scaled too. */
  readonly hpa?: string;
  /** Containers whose image and resources the conductor manages. Default: all of the pod template's. */
  readonly containers?: readonly string[];
}

/** An ECS service. `roleArn` is assumed first (e.g. a read-only role in the production account). */
export interface EcsPlatform {
  readonly type: 'ecs';
  readonly cluster: string;
  readonly service: string;
  readonly region?: string;
  readonly roleArn?: string;
  /** The roles the test service's task definition names: the only ones Deploy/Scale may pass to ECS. */
  readonly taskRoleArns?: readonly string[];
}

export type Platform = HttpPlatform | KubernetesPlatform | EcsPlatform;

/** An EKS managed node group. */
export interface EksNodeGroupRef {
  readonly cluster: string;
  readonly nodegroup: string;
  readonly region?: string;
  readonly roleArn?: string;
}

/**
 * A node group of the test cluster that is scaled with the applications: to the size of a production node
 * group (read only), or to a fixed size. Scaled before the applications, restored after them.
 */
export interface NodeGroupConfig {
  readonly name: string;
  readonly test: EksNodeGroupRef;
  readonly production?: EksNodeGroupRef;
  readonly size?: { readonly minSize: number; readonly maxSize: number; readonly desiredSize: number };
  readonly readinessTimeoutSeconds: number;
}

export interface ApplicationConfig {
  readonly name: string;
  /** Where it runs in the test environment: the conductor writes here. */
  readonly test: Platform;
  /** Where it runs in production: the conductor only reads here. */
  readonly production: Platform;
  readonly readinessTimeoutSeconds: number;
}

export interface LocustConfig {
  readonly url: string;
  readonly orderRequestName: string;
  readonly usersPerWorker: number;
  readonly maxUsers: number;
  readonly initialOrdersPerUserPerMinute: number;
  /**
   * How much later than a steady user's a new user's orders come (s): its journey before the first order minus
   * half its pacing (negative with long pacing). The ramp controller leads the plan by it. Default 3.
   */
  readonly orderDelaySeconds?: number;
  /** The worker fleet the conductor sizes to the users it needs; absent: the workers are what they are. */
  readonly workers?: LocustWorkersConfig;
  /** A Locust cluster the stack creates on ECS Fargate; `url` and `workers` then point at it. */
  readonly fargate?: LocustFargateConfig;
}

/** A Locust cluster of the stack's own on ECS Fargate, inside a VPC (cdk/lib/locust-fargate-cluster.ts). */
export interface LocustFargateConfig {
  /** The VPC the cluster runs in; the conductor's Lambdas join it, the only ones to reach the master. */
  readonly vpcId: string;
  /** Base URL of the system under test (Locust's `--host`). */
  readonly targetHost: string;
  /** Workers when idle, and the fewest the ramp asks for (default 1). */
  readonly minWorkers?: number;
  readonly maxWorkers?: number;
  /** Fargate size of one worker task (default 1024 CPU units, 2048 MiB). */
  readonly workerCpu?: number;
  readonly workerMemoryMiB?: number;
}

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
function fargateEndpoints(environment: string, fargate: LocustFargateConfig) {
  const names = locustFargateNames(environment);
  const workers: LocustWorkersConfig = {
    type: 'ecs',
    cluster: names.clusterName,
    service: names.workerServiceName,
    minWorkers: fargate.minWorkers ?? 1,
    maxWorkers: fargate.maxWorkers ?? 50,
  };
  return { url: names.url, workers };
}

/** A Fargate cluster sets `url` and `workers` itself: a different one given beside it is a mistake. */
function fargateProblems(input: RawConfig): FieldProblem[] {
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
    if ((fargate.minWorkers ?? 1) > (fargate.maxWorkers ?? 50)) {
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

/** Where the Locust workers run, for fleet sizing: the worker Deployment, the worker ECS service, or local processes. */
export type LocustWorkersConfig = (
  | {
      readonly type: 'kubernetes';
      readonly cluster: KubernetesCluster;
      readonly namespace: string;
      readonly deployment: string;
    }
  | {
      readonly type: 'ecs';
      readonly cluster: string;
      readonly service: string;
      readonly region?: string;
      readonly roleArn?: string;
    }
  | { readonly type: 'local'; readonly url: string }
) & {
  /** Never fewer workers than this (default 1). */
  readonly minWorkers?: number;
  /** Never more workers than this (default 50). */
  readonly maxWorkers?: number;
};

/** A team's own CloudWatch alarm(s) to watch during the test: one by name, or every alarm whose name starts with a prefix. */
export type AlarmSelector = { readonly name: string } | { readonly prefix: string };

/**
 * Thresholds on what Locust's master measures for one request name (`Aggregated` = all requests). Each
 * is checked on every tick and judged at the end; a percentile without an absolute threshold is still judged
 * by the relative criteria (`slos.relative`).
 */
export interface RequestSlo {
  readonly name: string;
  readonly p95Ms?: number;
  readonly p99Ms?: number;
  /** Failures / requests of this request name, 0..1. */
  readonly maxFailureRatio?: number;
}

/** Criteria against the last passing run of the same environment and scenario: the largest allowed increase, 0.1 = +10 %. */
export interface RelativeCriteria {
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  readonly failureRatio?: number;
  /** What missing a relative criterion makes of the verdict. Default: warn. */
  readonly severity: 'warn' | 'fail';
  /** How many of the last passing runs the plateau's per-tick values are compared with. Default: 5. */
  readonly baselineRuns: number;
  /** The Mann-Whitney U test's significance level: a larger value is a regression only when p < this. Default: 0.05. */
  readonly significance: number;
}

export interface SloConfig {
  /** Failures / requests, over the plateau (verdict) and over each tick's interval (watch). */
  readonly maxFailureRatio: number;
  /** How far the plateau's mean orders per minute may be from the target. */
  readonly targetTolerance: number;
  readonly alarms: readonly AlarmSelector[];
  readonly requests: readonly RequestSlo[];
  /** The KPI per tick during the plateau: measured orders per minute ÷ planned must stay at or above `minAttainment`. */
  readonly kpi?: { readonly minAttainment: number };
  readonly relative: RelativeCriteria;
  /** Latency SLOs are checked on the responses of the last this many ticks (a sliding window). Default: 3. */
  readonly windowTicks: number;
  /** Ticks after the load starts whose breaches do not count (the system warms up). */
  readonly graceTicks: number;
  /** A breach counts once it persists this many consecutive ticks. */
  readonly breachTicks: number;
  /** Stop the test early when a breach counts (it is teared down and cleaned up as always). */
  readonly abortOnBreach: boolean;
  /**
   * Stop the test once the system under test is down (no orders, ≥ 99 % of requests failing) for this many
   * consecutive ticks (core/dead-system.ts); 0 turns it off.
   */
  readonly deadSystemTicks: number;
}

/** Fills the SLO defaults (also for configurations written before SLOs had more than two fields). */
export function withSloDefaults(raw: RawSloConfig | undefined): SloConfig {
  return {
    maxFailureRatio: 0.01,
    targetTolerance: 0.1,
    alarms: [],
    requests: [],
    graceTicks: 2,
    breachTicks: 2,
    windowTicks: 3,
    abortOnBreach: false,
    deadSystemTicks: 3,
    ...raw,
    relative: { severity: 'warn', baselineRuns: 5, significance: 0.05, ...raw?.relative },
  };
}
export type RawSloConfig = Partial<Omit<SloConfig, 'relative'>> & { relative?: Partial<RelativeCriteria> };

export interface HttpCleanupAction {
  readonly type: 'http';
  readonly name: string;
  readonly method: 'POST' | 'DELETE';
  readonly url: string;
  /**
   * A Secrets Manager secret whose string is sent as `Authorization: Bearer <it>`; read by the Cleanup step
   * when it runs, so the token is never in the execution's input, state or output.
   */
  readonly tokenSecretArn?: string;
}

/**
 * SQL statements against the test database (PostgreSQL), in one transaction; reports the rows each removed.
 * The connection comes from a Secrets Manager secret (RDS JSON: host, port, username, password, dbname) in
 * AWS, or from an environment variable holding a connection URL locally: never from the execution input.
 */
export interface SqlCleanupAction {
  readonly type: 'sql';
  readonly name: string;
  readonly database: { readonly secretArn?: string; readonly urlEnv?: string };
  readonly statements: readonly string[];
  readonly timeoutSeconds: number;
}

/** A Kubernetes Job in the test cluster, from an inline Job spec or a CronJob's job template. */
export interface KubernetesJobCleanupAction {
  readonly type: 'kubernetes-job';
  readonly name: string;
  readonly cluster: KubernetesCluster;
  readonly namespace: string;
  readonly fromCronJob?: string;
  readonly jobSpec?: Readonly<Record<string, unknown>>;
  readonly timeoutSeconds: number;
}

/**
 * An ECS task in a test cluster, run from a task definition (its container overrides and network
 * configuration from here) and waited for until it stops; reports each container's exit code and reason.
 */
export interface EcsTaskCleanupAction {
  readonly type: 'ecs-task';
  readonly name: string;
  /** ECS cluster name or ARN, in this account. */
  readonly cluster: string;
  readonly region?: string;
  /** `family`, `family:revision` or the task definition's ARN. */
  readonly taskDefinition: string;
  /** The roles the task definition names: the only ones Cleanup may pass to ECS. */
  readonly taskRoleArns?: readonly string[];
  readonly launchType?: 'FARGATE' | 'EC2';
  /** Required by Fargate (awsvpc): where the task runs. */
  readonly networkConfiguration?: {
    readonly subnets: readonly string[];
    readonly securityGroups?: readonly string[];
    readonly assignPublicIp?: 'ENABLED' | 'DISABLED';
  };
  /** An ECS TaskOverride, e.g. `{ containerOverrides: [{ name, command, environment }] }`. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /**
   * The CloudWatch Logs group the task definition's containers log to (awslogs, with a stream prefix): their
   * last lines are reported. Named here so that the Cleanup role may read this group only.
   */
  readonly logGroup?: string;
  readonly timeoutSeconds: number;
}

export type CleanupAction =
  | HttpCleanupAction
  | SqlCleanupAction
  | KubernetesJobCleanupAction
  | EcsTaskCleanupAction;

/**
 * The most iterations an inline Map state runs at once in AWS Step Functions. Deploy and Scale are inline Maps
 * (statemachine/prepare-map.ts); a higher `MaxConcurrency` would not run more at once.
 */
export const INLINE_MAP_MAX_CONCURRENCY = 40;
/** Applications prepared at once by default: as many as an inline Map runs at once (`npm run bench:prepare`). */
export const DEFAULT_PREPARE_CONCURRENCY = INLINE_MAP_MAX_CONCURRENCY;

export interface EnvironmentConfig {
  readonly description?: string;
  readonly production: boolean;
  readonly loadTestTarget: boolean;
  readonly maxOrdersPerMinute: number;
  readonly scenarios: readonly string[];
  readonly defaultScenario: string;
  readonly locust: LocustConfig;
  readonly applications: readonly ApplicationConfig[];
  readonly slos: SloConfig;
  readonly cleanup: readonly CleanupAction[];
  /** EKS managed node groups scaled with the applications. */
  readonly nodeGroups: readonly NodeGroupConfig[];
  /** How many applications prepare at once (Deploy, Scale, Teardown). Default {@link DEFAULT_PREPARE_CONCURRENCY}. */
  readonly prepareConcurrency: number;
  /** Teardown also rolls the recorded versions back (default: the test environment keeps production's). */
  readonly restoreVersions: boolean;
}

export interface ScheduleConfig {
  readonly name: string;
  readonly description?: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly enabled: boolean;
  readonly input: Record<string, unknown>;
}

export interface ConductorConfig {
  readonly environments: Readonly<Record<string, EnvironmentConfig>>;
  readonly schedules: readonly ScheduleConfig[];
  /** The VPC the step functions and the janitor join; absent: none (or locust.fargate's). */
  readonly network?: NetworkConfig;
}

/** Where the conductor's functions run inside a VPC (cdk/lib/conductor-network.ts). */
export interface NetworkConfig {
  readonly vpcId: string;
  /** Given: no VPC lookup at synth. Absent: the looked-up VPC's private subnets. */
  readonly subnetIds?: readonly string[];
  /** Used instead of the security group the stack creates. */
  readonly securityGroupIds?: readonly string[];
  /** More outbound rules of the created security group. */
  readonly egress?: readonly NetworkEgressRule[];
  readonly endpoints?: {
    /** Interface endpoints for the AWS APIs the steps call (but S3 and DynamoDB). */
    readonly interface?: boolean;
    /** S3 and DynamoDB gateway endpoints. */
    readonly gateway?: boolean;
    /** The route tables of `subnetIds`, for the gateway endpoints. */
    readonly routeTableIds?: readonly string[];
  };
}

export interface NetworkEgressRule {
  readonly port: number;
  readonly cidr: string;
  readonly description: string;
}

const checkSchema = schemaChecker(configSchema);

/**
 * Validates a raw configuration (parsed JSON) and fills its defaults.
 * Throws a ValidationError listing every broken rule by field.
 */
export function parseConfig(raw: unknown): ConductorConfig {
  const problems = checkSchema(raw);
  if (problems.length > 0) throw new ValidationError(problems);
  const input = raw as RawConfig;
  const fargate = fargateProblems(input);
  if (fargate.length > 0) throw new ValidationError(fargate);
  const config: ConductorConfig = {
    environments: Object.fromEntries(
      Object.entries(input.environments).map(([name, env]) => [name, withEnvironmentDefaults(name, env)]),
    ),
    schedules: (input.schedules ?? []).map((s) => ({ ...s, enabled: s.enabled ?? true })),
    ...(input.network ? { network: input.network } : {}),
  };
  const semantic = [...checkSemantics(config), ...networkProblems(config)];
  if (semantic.length > 0) throw new ValidationError(semantic);
  return config;
}

function withEnvironmentDefaults(name: string, env: RawEnvironment): EnvironmentConfig {
  const production = env.production ?? false;
  return {
    ...env,
    production,
    loadTestTarget: env.loadTestTarget ?? !production,
    locust: {
      orderRequestName: 'checkout: place order',
      usersPerWorker: 500,
      maxUsers: 20_000,
      initialOrdersPerUserPerMinute: 1,
      ...env.locust,
      ...(env.locust.fargate
        ? fargateEndpoints(name, env.locust.fargate)
        : { url: env.locust.url as string }),
    },
    applications: env.applications.map((a) => ({ readinessTimeoutSeconds: 600, ...a })),
    slos: withSloDefaults(env.slos),
    cleanup: (env.cleanup ?? []).map(withCleanupDefaults),
    nodeGroups: (env.nodeGroups ?? []).map((g) => ({ readinessTimeoutSeconds: 900, ...g })),
    prepareConcurrency: env.prepareConcurrency ?? DEFAULT_PREPARE_CONCURRENCY,
    restoreVersions: env.restoreVersions ?? false,
  };
}

function withCleanupDefaults(c: RawCleanupAction): CleanupAction {
  switch (c.type) {
    case 'http':
      return { method: 'DELETE', ...c };
    case 'sql':
      return { timeoutSeconds: 300, ...c };
    case 'kubernetes-job':
    case 'ecs-task':
      return { timeoutSeconds: 600, ...c };
  }
}

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

function platformProblems(p: Platform, at: string): FieldProblem[] {
  return p.type === 'kubernetes' ? clusterProblems(p.cluster, `${at}.cluster`) : [];
}

function clusterProblems(c: KubernetesCluster, at: string): FieldProblem[] {
  if (!c.eks === !c.endpoint) return [{ field: at, rule: 'needs exactly one of eks or endpoint' }];
  if (c.endpoint && !c.tokenEnv) return [{ field: `${at}.tokenEnv`, rule: 'is required with endpoint' }];
  return [];
}

function checkSemantics(config: ConductorConfig): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const production = productionTargets(config);
  for (const [name, env] of Object.entries(config.environments)) {
    const at = `environments.${name}`;
    if (env.production && env.loadTestTarget) {
      problems.push({
        field: `${at}.loadTestTarget`,
        rule: 'a production environment can never be a load-test target (set loadTestTarget: false)',
      });
    }
    if (!env.scenarios.includes(env.defaultScenario)) {
      problems.push({
        field: `${at}.defaultScenario`,
        rule: `must be one of scenarios (${env.scenarios.join(', ')})`,
      });
    }
    if (env.loadTestTarget && env.applications.length === 0) {
      problems.push({
        field: `${at}.applications`,
        rule: 'a load-test target needs at least one application',
      });
    }
    env.applications.forEach((app, i) => {
      if (env.applications.findIndex((a) => a.name === app.name) !== i) {
        problems.push({ field: `${at}.applications[${i}].name`, rule: `'${app.name}' is listed twice` });
      }
      if (platformTarget(app.test) === platformTarget(app.production)) {
        problems.push({
          field: `${at}.applications[${i}].test`,
          rule: 'must differ from production: the conductor writes to the test platform',
        });
      } else if (env.loadTestTarget && production.has(platformTarget(app.test))) {
        problems.push({
          field: `${at}.applications[${i}].test`,
          rule: `${platformTarget(app.test)} is a production platform elsewhere in the configuration: the conductor never writes to it`,
        });
      }
      problems.push(...platformProblems(app.test, `${at}.applications[${i}].test`));
      problems.push(...platformProblems(app.production, `${at}.applications[${i}].production`));
    });
    const workers = env.locust.workers;
    if (workers?.type === 'kubernetes') {
      problems.push(...clusterProblems(workers.cluster, `${at}.locust.workers.cluster`));
    }
    if (workers && (workers.minWorkers ?? 1) > (workers.maxWorkers ?? 50)) {
      problems.push({ field: `${at}.locust.workers`, rule: 'needs minWorkers ≤ maxWorkers' });
    }
    env.nodeGroups.forEach((g, i) => {
      const ngAt = `${at}.nodeGroups[${i}]`;
      if (env.nodeGroups.findIndex((o) => o.name === g.name) !== i) {
        problems.push({ field: `${ngAt}.name`, rule: `'${g.name}' is listed twice` });
      }
      if (!g.production === !g.size) {
        problems.push({
          field: ngAt,
          rule: 'needs exactly one of production (a node group to copy) or size',
        });
      }
      if (env.loadTestTarget && production.has(nodeGroupTarget(g.test))) {
        problems.push({
          field: `${ngAt}.test`,
          rule: `${nodeGroupTarget(g.test)} is a production cluster: the conductor never writes to it`,
        });
      }
      if (g.size && !(g.size.minSize <= g.size.desiredSize && g.size.desiredSize <= g.size.maxSize)) {
        problems.push({ field: `${ngAt}.size`, rule: 'needs minSize ≤ desiredSize ≤ maxSize' });
      }
    });
    env.cleanup.forEach((c, i) => {
      const cAt = `${at}.cleanup[${i}]`;
      if (c.type === 'sql' && !c.database.secretArn === !c.database.urlEnv) {
        problems.push({ field: `${cAt}.database`, rule: 'needs exactly one of secretArn or urlEnv' });
      }
      if (c.type === 'kubernetes-job') {
        if (!c.fromCronJob === !c.jobSpec) {
          problems.push({ field: cAt, rule: 'needs exactly one of fromCronJob or jobSpec' });
        }
        problems.push(...clusterProblems(c.cluster, `${cAt}.cluster`));
        if (production.has(kubernetesClusterTarget(c.cluster))) {
          problems.push({
            field: `${cAt}.cluster`,
            rule: 'is a production cluster: the conductor never writes to it',
          });
        }
      }
      if (c.type === 'ecs-task') {
        if (production.has(ecsClusterTarget(c.cluster, c.region))) {
          problems.push({
            field: `${cAt}.cluster`,
            rule: 'is a production cluster: the conductor never writes to it',
          });
        }
        if (c.launchType === 'FARGATE' && !c.networkConfiguration) {
          problems.push({
            field: `${cAt}.networkConfiguration`,
            rule: 'is required with launchType FARGATE',
          });
        }
      }
    });
  }
  config.schedules.forEach((schedule, i) => {
    const at = `schedules[${i}]`;
    if (config.schedules.findIndex((s) => s.name === schedule.name) !== i) {
      problems.push({ field: `${at}.name`, rule: `'${schedule.name}' is used twice` });
    }
    problems.push(...scheduleProblems(schedule, at));
    const result = validateRunInput(schedule.input, config);
    if (!result.ok) {
      for (const p of result.problems) problems.push({ field: `${at}.input.${p.field}`, rule: p.rule });
    }
  });
  return problems;
}

/** What the schema cannot say about `network`: it and locust.fargate share one VPC; gateway endpoints need route tables. */
function networkProblems(config: ConductorConfig): FieldProblem[] {
  const network = config.network;
  if (!network) return [];
  const problems: FieldProblem[] = [];
  for (const [name, env] of Object.entries(config.environments)) {
    const fargate = env.locust.fargate;
    if (fargate && fargate.vpcId !== network.vpcId) {
      problems.push({
        field: `environments.${name}.locust.fargate.vpcId`,
        rule: `must be network.vpcId (${network.vpcId}): the conductor's Lambdas join one VPC`,
      });
    }
  }
  const endpoints = network.endpoints;
  if (endpoints?.routeTableIds && !network.subnetIds) {
    problems.push({
      field: 'network.endpoints.routeTableIds',
      rule: 'only with network.subnetIds (without, the route tables are looked up with the VPC)',
    });
  }
  if (endpoints?.gateway && network.subnetIds && !endpoints.routeTableIds) {
    problems.push({
      field: 'network.endpoints.routeTableIds',
      rule: "is required with gateway and network.subnetIds: the gateway endpoints' routes go into them",
    });
  }
  if (network.egress && network.securityGroupIds) {
    problems.push({
      field: 'network.egress',
      rule: 'only for the security group the stack creates: with securityGroupIds, their rules apply',
    });
  }
  network.egress?.forEach((rule, i) => {
    const [address = '', bits = ''] = rule.cidr.split('/');
    if (address.split('.').some((o) => Number(o) > 255) || Number(bits) > 32) {
      problems.push({ field: `network.egress[${i}].cidr`, rule: `'${rule.cidr}' is not an IPv4 CIDR` });
    }
  });
  return problems;
}

/**
 * What EventBridge Scheduler would refuse at deploy time in one schedule (`at` is its field path): its name, its
 * expression (by cron field) and its time zone. The stack checks it again when it creates the schedule.
 */
export function scheduleProblems(
  schedule: Pick<ScheduleConfig, 'name' | 'cron' | 'timeZone'>,
  at: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!SCHEDULE_NAME_PATTERN.test(schedule.name)) {
    problems.push({
      field: `${at}.name`,
      rule: `'${schedule.name}' must be 1 to 64 letters, digits, '-', '_' or '.'`,
    });
  }
  for (const p of scheduleExpressionProblems(schedule.cron)) {
    problems.push({ field: `${at}.cron`, rule: `schedule '${schedule.name}', ${p.part}: ${p.rule}` });
  }
  if (!isScheduleTimeZone(schedule.timeZone)) {
    problems.push({
      field: `${at}.timeZone`,
      rule: `schedule '${schedule.name}': '${schedule.timeZone}' is not an IANA time zone (e.g. Europe/Berlin) or UTC`,
    });
  }
  return problems;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type RawEnvironment = Omit<
  Mutable<EnvironmentConfig>,
  | 'production'
  | 'loadTestTarget'
  | 'locust'
  | 'applications'
  | 'slos'
  | 'cleanup'
  | 'nodeGroups'
  | 'prepareConcurrency'
  | 'restoreVersions'
> & {
  production?: boolean;
  loadTestTarget?: boolean;
  locust: Partial<LocustConfig>;
  applications: (Omit<ApplicationConfig, 'readinessTimeoutSeconds'> & { readinessTimeoutSeconds?: number })[];
  slos?: RawSloConfig;
  cleanup?: RawCleanupAction[];
  nodeGroups?: (Omit<NodeGroupConfig, 'readinessTimeoutSeconds'> & { readinessTimeoutSeconds?: number })[];
  prepareConcurrency?: number;
  restoreVersions?: boolean;
};
type RawCleanupAction =
  | (Omit<HttpCleanupAction, 'method'> & { method?: 'POST' | 'DELETE' })
  | (Omit<SqlCleanupAction, 'timeoutSeconds'> & { timeoutSeconds?: number })
  | (Omit<KubernetesJobCleanupAction, 'timeoutSeconds'> & { timeoutSeconds?: number })
  | (Omit<EcsTaskCleanupAction, 'timeoutSeconds'> & { timeoutSeconds?: number });
interface RawConfig {
  environments: Record<string, RawEnvironment>;
  schedules?: (Omit<ScheduleConfig, 'enabled'> & { enabled?: boolean })[];
  network?: NetworkConfig;
}
