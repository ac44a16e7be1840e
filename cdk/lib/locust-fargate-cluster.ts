import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import {
  type ConductorConfig,
  type LocustWorkersConfig,
  locustFargateNames,
} from '../../lambdas/core/config';
import type { ConductorNetwork } from './conductor-network';
import type { LoadTestPipelineProps } from './load-test-pipeline';

/** Locust's web UI / API port and the port workers connect to the master on. */
const LOCUST_WEB_PORT = 8089;
const LOCUST_MASTER_PORT = 5557;

export interface LocustFargateClusterProps {
  readonly vpc: ec2.IVpc;
  /** Where the tasks run. Default: the VPC's private subnets (with egress, to pull the image). */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The security groups of the conductor's Lambdas (pass the same to `LoadTestPipeline`'s `securityGroups`):
   * the only sources allowed to reach the master's web API.
   */
  readonly conductorSecurityGroups: readonly ec2.ISecurityGroup[];
  /** Base URL of the system under test (Locust's `--host`). */
  readonly targetHost: string;
  /**
   * One scenario file under locust/scenarios/ (without `.py`) to run alone. Default: the whole directory with
   * `--class-picker`, as the image starts it, so the conductor selects each run's user classes (docs/scenarios.md).
   */
  readonly scenario?: string;
  /** The image; default: built from locust/Dockerfile (scenarios and the conductor plugin baked in). */
  readonly image?: ecs.ContainerImage;
  /** Workers when idle (the conductor scales the service during a run). Default 1. */
  readonly idleWorkers?: number;
  /** Names fixed so the conductor's configuration can name them (`locust.workers`). */
  readonly clusterName?: string;
  readonly workerServiceName?: string;
  /** Private DNS namespace of the master. Default `locust.internal`. */
  readonly namespace?: string;
  readonly masterCpu?: number;
  readonly masterMemoryMiB?: number;
  readonly workerCpu?: number;
  readonly workerMemoryMiB?: number;
}

/**
 * A distributed Locust cluster on ECS Fargate, for teams without a Kubernetes cluster for load generation:
 * a master service (one task, web UI on, found by workers and the conductor at `master.<namespace>`) and a
 * worker service whose desired count the ramp tick sets (lambdas/adapters/locust/fleet.ts, `type: ecs`).
 *
 * Reachable only inside the VPC: no public IP, no load balancer; the master accepts 8089 only from the
 * conductor's Lambdas and 5557 only from the workers; the workers accept nothing.
 */
export class LocustFargateCluster extends Construct {
  readonly cluster: ecs.Cluster;
  readonly masterService: ecs.FargateService;
  readonly workerService: ecs.FargateService;
  readonly masterSecurityGroup: ec2.SecurityGroup;
  readonly workerSecurityGroup: ec2.SecurityGroup;
  /** The master's web API for `locust.url`, e.g. `http://master.locust.internal:8089`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: LocustFargateClusterProps) {
    super(scope, id);
    const namespaceName = props.namespace ?? 'locust.internal';
    const scenario = props.scenario;
    if (scenario !== undefined && !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(scenario)) {
      throw new Error(`invalid scenario name '${scenario}'`);
    }
    const image =
      props.image ?? ecs.ContainerImage.fromAsset(fileURLToPath(new URL('../../locust', import.meta.url)));
    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName: props.clusterName,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: { name: namespaceName, vpc: props.vpc, useForServiceConnect: false },
    });

    this.masterSecurityGroup = new ec2.SecurityGroup(this, 'MasterSecurityGroup', {
      vpc: props.vpc,
      description: 'Locust master: web API from the conductor, worker connections from the workers',
      allowAllOutbound: true,
    });
    this.workerSecurityGroup = new ec2.SecurityGroup(this, 'WorkerSecurityGroup', {
      vpc: props.vpc,
      description: 'Locust workers: no inbound; outbound to the master and the system under test',
      allowAllOutbound: true,
    });
    // Both sides: the master's ingress, and the conductor's egress when its group is the stack's own.
    for (const conductor of props.conductorSecurityGroups) {
      this.masterSecurityGroup.connections.allowFrom(
        conductor,
        ec2.Port.tcp(LOCUST_WEB_PORT),
        'Locust web API from the conductor Lambdas only',
      );
    }
    this.masterSecurityGroup.addIngressRule(
      this.workerSecurityGroup,
      ec2.Port.tcp(LOCUST_MASTER_PORT),
      'Locust workers connect to the master',
    );

    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const locustfile = scenario ? `/home/locust/scenarios/${scenario}.py` : '/home/locust/scenarios';
    const classPicker = scenario ? [] : ['--class-picker'];
    const task = (
      name: string,
      cpu: number,
      memoryLimitMiB: number,
      command: string[],
      port: number | null,
    ) => {
      const def = new ecs.FargateTaskDefinition(this, `${name}Task`, {
        cpu,
        memoryLimitMiB,
        runtimePlatform: {
          cpuArchitecture: ecs.CpuArchitecture.X86_64,
          operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        },
      });
      def.addContainer('locust', {
        image,
        command,
        logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: name.toLowerCase() }),
        portMappings: port == null ? [] : [{ containerPort: port }, { containerPort: LOCUST_MASTER_PORT }],
        readonlyRootFilesystem: false,
      });
      return def;
    };

    const master = task(
      'Master',
      props.masterCpu ?? 1024,
      props.masterMemoryMiB ?? 2048,
      [
        '-f',
        locustfile,
        ...classPicker,
        '--master',
        '--host',
        props.targetHost,
        '--web-port',
        String(LOCUST_WEB_PORT),
      ],
      LOCUST_WEB_PORT,
    );
    this.masterService = new ecs.FargateService(this, 'MasterService', {
      cluster: this.cluster,
      taskDefinition: master,
      desiredCount: 1,
      assignPublicIp: false,
      vpcSubnets,
      securityGroups: [this.masterSecurityGroup],
      cloudMapOptions: {
        name: 'master',
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
      },
      // One master at a time: a second one would split the workers.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { rollback: true },
    });

    const masterHost = `master.${namespaceName}`;
    const worker = task(
      'Worker',
      props.workerCpu ?? 1024,
      props.workerMemoryMiB ?? 2048,
      [
        '-f',
        locustfile,
        '--worker',
        '--master-host',
        masterHost,
        '--master-port',
        String(LOCUST_MASTER_PORT),
      ],
      null,
    );
    this.workerService = new ecs.FargateService(this, 'WorkerService', {
      cluster: this.cluster,
      serviceName: props.workerServiceName,
      taskDefinition: worker,
      desiredCount: props.idleWorkers ?? 1,
      assignPublicIp: false,
      vpcSubnets,
      securityGroups: [this.workerSecurityGroup],
      minHealthyPercent: 0,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
    });
    this.url = `http://${masterHost}:${LOCUST_WEB_PORT}`;

    for (const def of [master, worker]) {
      Validations.of(def).acknowledge({
        id: 'AwsSolutions-ECS2',
        reason: 'No environment variables are set by this construct; any come from the Locust base image.',
      });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The task execution role pulls the image from ECR: ecr:GetAuthorizationToken has no resource-level permissions.',
    });
  }

  /** The `locust.workers` entry of the conductor's configuration for this cluster. */
  workersConfig(bounds: { minWorkers: number; maxWorkers: number }): LocustWorkersConfig {
    return {
      type: 'ecs',
      cluster: this.cluster.clusterName,
      service: this.workerService.serviceName,
      region: Stack.of(this).region,
      ...bounds,
    };
  }

  /** Lets `grantee` (the Start load and Ramp tick functions) read and set the worker service's desired count. */
  grantScaleWorkers(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
      resourceArns: [this.workerService.serviceArn],
    });
  }
}

/** The Fargate Locust clusters of a configuration, and what the pipeline needs to drive them. */
export interface LocustFargateClusters {
  /** One per environment with `locust.fargate`, by environment name. */
  readonly clusters: Readonly<Record<string, LocustFargateCluster>>;
  /** The worker fleets the conductor's Lambdas may scale. */
  readonly pipelineProps: Required<Pick<LoadTestPipelineProps, 'locustFleet'>>;
}

/**
 * Creates the Locust cluster of every environment with `locust.fargate` (lambdas/core/config/locust-fargate.ts), named as
 * the parsed configuration's `locust.url` and `locust.workers` already say, in the conductor's network (its
 * one VPC and subnets), whose functions are the only source the masters accept. Null when none asks for one.
 */
export function locustFargateClusters(
  scope: Construct,
  config: ConductorConfig,
  network: ConductorNetwork,
): LocustFargateClusters | null {
  const wanted = Object.entries(config.environments).flatMap(([name, env]) =>
    env.locust.fargate ? [{ name, env, fargate: env.locust.fargate }] : [],
  );
  const first = wanted[0];
  if (!first) return null;
  // One VPC for all of them: parseConfig refuses different ones.
  const clusters: Record<string, LocustFargateCluster> = {};
  for (const { name, env, fargate } of wanted) {
    const names = locustFargateNames(name);
    const cluster = new LocustFargateCluster(scope, `Locust-${name}`, {
      vpc: network.vpc,
      vpcSubnets: network.vpcSubnets,
      conductorSecurityGroups: network.securityGroups,
      targetHost: fargate.targetHost,
      scenario: env.defaultScenario,
      idleWorkers: fargate.minWorkers,
      clusterName: names.clusterName,
      workerServiceName: names.workerServiceName,
      namespace: names.namespace,
      workerCpu: fargate.workerCpu,
      workerMemoryMiB: fargate.workerMemoryMiB,
    });
    // Image pull and logs through the VPC endpoints, when there are any.
    network.allowEndpointsFrom(cluster.masterSecurityGroup);
    network.allowEndpointsFrom(cluster.workerSecurityGroup);
    clusters[name] = cluster;
  }
  return {
    clusters,
    pipelineProps: {
      locustFleet: {
        grantScaleWorkers: (grantee: iam.IGrantable) =>
          Object.values(clusters).map((c) => c.grantScaleWorkers(grantee)),
      },
    },
  };
}
