import type configSchema from '../../../schema/conductor-config.schema.json';

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
  /** Workers when idle, and the fewest the ramp asks for. */
  readonly minWorkers: number;
  readonly maxWorkers: number;
  /** Fargate size of one worker task: CPU units and MiB. */
  readonly workerCpu: number;
  readonly workerMemoryMiB: number;
}

/** Where the Locust workers run, for fleet sizing: the worker Deployment, the worker ECS service, or local processes. */
export type LocustWorkersLocation =
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
  | { readonly type: 'local'; readonly url: string };

/** The worker fleet the conductor sizes, and its bounds. */
export type LocustWorkersConfig = LocustWorkersLocation & {
  /** Never fewer workers than this. */
  readonly minWorkers: number;
  /** Never more workers than this. */
  readonly maxWorkers: number;
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
  /** What missing a relative criterion makes of the verdict. */
  readonly severity: 'warn' | 'fail';
  /** How many of the last passing runs the plateau's per-tick values are compared with. */
  readonly baselineRuns: number;
  /** The Mann-Whitney U test's significance level: a larger value is a regression only when p < this. */
  readonly significance: number;
  /** Smallest latency increase (ms) that can be a regression, whatever its percentage. */
  readonly minLatencyShiftMs: number;
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
  /** Latency SLOs are checked on the responses of the last this many ticks (a sliding window). */
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

export interface EnvironmentConfig {
  readonly description?: string;
  readonly production: boolean;
  readonly loadTestTarget: boolean;
  readonly maxOrdersPerMinute: number;
  readonly scenarios: readonly string[];
  readonly defaultScenario: string;
  /** Per scenario, the Locust User classes it runs and their weights; a scenario not listed selects none. */
  readonly userClasses: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly kpi: KpiConfig;
  readonly locust: LocustConfig;
  readonly applications: readonly ApplicationConfig[];
  readonly slos: SloConfig;
  readonly cleanup: readonly CleanupAction[];
  /** EKS managed node groups scaled with the applications. */
  readonly nodeGroups: readonly NodeGroupConfig[];
  /** How many applications prepare at once (Deploy, Scale, Teardown). */
  readonly prepareConcurrency: number;
  /** Teardown also rolls the recorded versions back (default: the test environment keeps production's). */
  readonly restoreVersions: boolean;
}

/** The business transaction the ramp steers on (docs/scenarios.md). */
export interface KpiConfig {
  /** What one unit is called, plural: "orders", "bookings". */
  readonly name: string;
  /** How its rate reads: "orders per minute". */
  readonly unit: string;
  /** The Locust request (or custom event) name whose successes count. */
  readonly requestName: string;
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

/*
 * The schema is the source of truth; these types are checked against it when the project type-checks
 * (docs/configuration.md): each interface has exactly its schema definition's properties, and every property
 * with a schema default is present (the validator fills it in). A mismatch fails `npm run typecheck` with the
 * offending keys in the message.
 */
type Defs = (typeof configSchema)['$defs'];
type PropertiesOf<S> = S extends { readonly properties: infer P } ? P : never;
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type DefaultedKeys<P> = { [K in keyof P]: P[K] extends { readonly default: unknown } ? K : never }[keyof P];
type Agreement<T, S> = [
  Exclude<keyof T, keyof PropertiesOf<S>>,
  Exclude<keyof PropertiesOf<S>, keyof T>,
  Extract<DefaultedKeys<PropertiesOf<S>>, OptionalKeys<T>>,
] extends [never, never, never]
  ? true
  : {
      onlyInType: Exclude<keyof T, keyof PropertiesOf<S>>;
      onlyInSchema: Exclude<keyof PropertiesOf<S>, keyof T>;
      defaultedButOptional: Extract<DefaultedKeys<PropertiesOf<S>>, OptionalKeys<T>>;
    };
type Agrees<A extends true> = A;

/** The locust worker fleet's branches (`allOf` of `if`/`then`) and `alarmSelector` (`oneOf`) are not checked here. */
export type SchemaAgreement = [
  Agrees<Agreement<ConductorConfig & { $schema?: string }, typeof configSchema>>,
  Agrees<Agreement<NetworkConfig, Defs['network']>>,
  Agrees<Agreement<EnvironmentConfig, Defs['environment']>>,
  Agrees<Agreement<LocustConfig, Defs['locust']>>,
  Agrees<Agreement<LocustFargateConfig, Defs['locustFargate']>>,
  Agrees<Agreement<ApplicationConfig, Defs['application']>>,
  Agrees<Agreement<HttpPlatform, Defs['httpPlatform']>>,
  Agrees<Agreement<KubernetesCluster, Defs['kubernetesCluster']>>,
  Agrees<Agreement<KubernetesPlatform, Defs['kubernetesPlatform']>>,
  Agrees<Agreement<EcsPlatform, Defs['ecsPlatform']>>,
  Agrees<Agreement<EksNodeGroupRef, Defs['nodeGroupRef']>>,
  Agrees<Agreement<NodeGroupConfig, Defs['nodeGroup']>>,
  Agrees<Agreement<SloConfig, Defs['slos']>>,
  Agrees<Agreement<RelativeCriteria, PropertiesOf<Defs['slos']>['relative']>>,
  Agrees<Agreement<RequestSlo, Defs['requestSlo']>>,
  Agrees<Agreement<HttpCleanupAction, Defs['httpCleanup']>>,
  Agrees<Agreement<SqlCleanupAction, Defs['sqlCleanup']>>,
  Agrees<Agreement<KubernetesJobCleanupAction, Defs['kubernetesJobCleanup']>>,
  Agrees<Agreement<EcsTaskCleanupAction, Defs['ecsTaskCleanup']>>,
  Agrees<Agreement<ScheduleConfig, Defs['schedule']>>,
];
