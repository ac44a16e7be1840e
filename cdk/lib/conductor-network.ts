import { Annotations, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { ConductorConfig, EnvironmentConfig } from '../../lambdas/core/config';

/** An outbound rule of the conductor's security group. */
export interface ConductorEgressRule {
  readonly port: number;
  readonly peer: ec2.IPeer;
  readonly description: string;
}

/** The gateway endpoints a VPC can have for the conductor's data stores. */
export type GatewayEndpointService = 's3' | 'dynamodb';

export interface ConductorNetworkProps {
  /** The VPC. Looked up at synth (context `vpc-provider`) unless `subnetIds` are given. */
  readonly vpcId: string;
  /**
   * The subnets of the functions' network interfaces, one per Availability Zone. Given, the VPC is not looked
   * up. Default: the looked-up VPC's private subnets with egress, else its isolated ones.
   */
  readonly subnetIds?: readonly string[];
  /** Security groups of the caller's, used instead of creating one (then `egress` does not apply). */
  readonly securityGroupIds?: readonly string[];
  /**
   * Outbound rules of the created security group, which allows nothing else: HTTPS to the AWS APIs, the
   * configured URLs' ports, the databases. Default: none.
   */
  readonly egress?: readonly ConductorEgressRule[];
  /** Interface endpoints (private DNS) to create in the subnets, by service (`sns`, `ecr.api`, …). Default: none. */
  readonly interfaceEndpoints?: readonly string[];
  /** Gateway endpoints to create on the subnets' route tables. Default: none. */
  readonly gatewayEndpoints?: readonly GatewayEndpointService[];
  /** The route tables for the gateway endpoints. Default: those of the looked-up subnets. */
  readonly routeTableIds?: readonly string[];
}

/**
 * Where the step functions and the janitor run inside a VPC: the subnets, one security group that only lets
 * them out (no inbound rules: nothing calls a Lambda's network interface), and optionally the VPC endpoints
 * that replace a NAT gateway for the AWS APIs they call.
 *
 * Security groups do not filter DNS to the VPC's resolver, so the egress rules need no port 53.
 */
export class ConductorNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  /** For the functions' and the Locust tasks' `vpcSubnets`. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The functions' security groups: the created one, or the given ones. */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  /** The endpoints' security group (HTTPS in from the functions and `allowEndpointsFrom`), if there are interface endpoints. */
  readonly endpointSecurityGroup?: ec2.SecurityGroup;
  readonly endpoints: readonly ec2.CfnVPCEndpoint[];

  constructor(scope: Construct, id: string, props: ConductorNetworkProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    let endpointSubnetIds: () => string[];
    let lookedUpRouteTables: () => string[];
    if (props.subnetIds) {
      // The subnets are given, so nothing selects by zone: the region's zones only satisfy the import.
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: props.vpcId,
        availabilityZones: Fn.getAzs(),
      });
      Annotations.of(this.vpc).acknowledgeWarning(
        '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
        'The functions and tasks take the given subnets; nothing selects subnets of this VPC by zone.',
      );
      const subnets = props.subnetIds.map((s) => {
        const subnet = ec2.Subnet.fromSubnetId(this, s, s);
        Annotations.of(subnet).acknowledgeWarning(
          '@aws-cdk/aws-ec2:noSubnetRouteTableId',
          'Nothing reads its route table: the gateway endpoints take network.endpoints.routeTableIds.',
        );
        return subnet;
      });
      this.vpcSubnets = { subnets };
      endpointSubnetIds = () => [...(props.subnetIds ?? [])];
      lookedUpRouteTables = () => {
        throw new Error('routeTableIds: required for gateway endpoints with subnetIds');
      };
    } else {
      const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: props.vpcId });
      this.vpc = vpc;
      this.vpcSubnets = {
        subnetType:
          vpc.privateSubnets.length > 0
            ? ec2.SubnetType.PRIVATE_WITH_EGRESS
            : ec2.SubnetType.PRIVATE_ISOLATED,
      };
      endpointSubnetIds = () => vpc.selectSubnets({ ...this.vpcSubnets, onePerAz: true }).subnetIds;
      lookedUpRouteTables = () => [
        ...new Set(vpc.selectSubnets(this.vpcSubnets).subnets.map((s) => s.routeTable.routeTableId)),
      ];
    }

    if (props.securityGroupIds) {
      this.securityGroups = props.securityGroupIds.map((sg) =>
        ec2.SecurityGroup.fromSecurityGroupId(this, sg, sg, { mutable: false }),
      );
    } else {
      const created = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: this.vpc,
        description:
          'Load Test Conductor functions: outbound to the AWS APIs, Locust, the applications, databases',
        allowAllOutbound: false,
      });
      for (const rule of props.egress ?? [])
        created.addEgressRule(rule.peer, ec2.Port.tcp(rule.port), rule.description);
      this.securityGroups = [created];
    }

    const endpoints: ec2.CfnVPCEndpoint[] = [];
    if (props.interfaceEndpoints?.length) {
      this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description:
          'Load Test Conductor VPC endpoints: HTTPS in from the conductor functions and Locust tasks',
        allowAllOutbound: false,
      });
      for (const sg of this.securityGroups) this.allowEndpointsFrom(sg);
      const subnetIds = endpointSubnetIds();
      for (const service of props.interfaceEndpoints) {
        endpoints.push(
          new ec2.CfnVPCEndpoint(this, `Endpoint-${service}`, {
            vpcId: this.vpc.vpcId,
            serviceName: `com.amazonaws.${region}.${service}`,
            vpcEndpointType: 'Interface',
            privateDnsEnabled: true,
            subnetIds,
            securityGroupIds: [this.endpointSecurityGroup.securityGroupId],
          }),
        );
      }
    }
    if (props.gatewayEndpoints?.length) {
      const routeTableIds = props.routeTableIds ? [...props.routeTableIds] : lookedUpRouteTables();
      for (const service of props.gatewayEndpoints) {
        endpoints.push(
          new ec2.CfnVPCEndpoint(this, `Endpoint-${service}`, {
            vpcId: this.vpc.vpcId,
            serviceName: `com.amazonaws.${region}.${service}`,
            vpcEndpointType: 'Gateway',
            routeTableIds,
          }),
        );
      }
    }
    this.endpoints = endpoints;
  }

  /** Lets `peer` (e.g. the Locust tasks, which pull their image from ECR) reach the interface endpoints. */
  allowEndpointsFrom(peer: ec2.IConnectable): void {
    this.endpointSecurityGroup?.connections.allowFrom(peer, ec2.Port.tcp(443), 'HTTPS to the VPC endpoints');
  }
}

/**
 * The network of a configuration: `network`, or the VPC of `locust.fargate` (looked up, private subnets) when
 * only that is given. Null when the functions run outside any VPC.
 */
export function conductorNetworkProps(config: ConductorConfig): ConductorNetworkProps | null {
  const envs = Object.values(config.environments);
  const fargateVpc = envs.find((e) => e.locust.fargate)?.locust.fargate?.vpcId;
  const network = config.network ?? (fargateVpc ? { vpcId: fargateVpc } : null);
  if (!network) return null;
  const egress: ConductorEgressRule[] = [
    {
      port: 443,
      peer: ec2.Peer.anyIpv4(),
      description: 'HTTPS: the AWS APIs (or their endpoints), EKS API servers, HTTPS agents',
    },
  ];
  const added = new Set([443]);
  // The hosts are names resolved when a step runs, so the rule can narrow the port, not the address.
  for (const { port, what } of configuredPorts(envs)) {
    if (added.has(port)) continue;
    added.add(port);
    egress.push({ port, peer: ec2.Peer.anyIpv4(), description: `${what} (port of a configured URL)` });
  }
  if (envs.some((e) => e.cleanup.some((c) => c.type === 'sql')) && !added.has(5432)) {
    egress.push({
      port: 5432,
      peer: ec2.Peer.anyIpv4(),
      description: 'PostgreSQL of the sql cleanup (another port: network.egress)',
    });
  }
  for (const rule of network.egress ?? []) {
    egress.push({ port: rule.port, peer: ec2.Peer.ipv4(rule.cidr), description: rule.description });
  }
  return {
    vpcId: network.vpcId,
    subnetIds: network.subnetIds,
    securityGroupIds: network.securityGroupIds,
    egress,
    interfaceEndpoints: network.endpoints?.interface ? interfaceEndpointServices(config) : undefined,
    gatewayEndpoints: network.endpoints?.gateway ? ['s3', 'dynamodb'] : undefined,
    routeTableIds: network.endpoints?.routeTableIds,
  };
}

/** The ports of the URLs the steps call (Locust's master, HTTP agents and cleanups, Kubernetes API servers). */
function configuredPorts(envs: readonly EnvironmentConfig[]): { port: number; what: string }[] {
  const urls: { url: string; what: string }[] = [];
  for (const env of envs) {
    // A Fargate master is reached through its own security group rule (cdk/lib/locust-fargate-cluster.ts).
    if (!env.locust.fargate) urls.push({ url: env.locust.url, what: 'Locust master' });
    for (const app of env.applications) {
      for (const p of [app.test, app.production]) {
        if (p.type === 'http') urls.push({ url: p.url, what: `agent of ${app.name}` });
        if (p.type === 'kubernetes' && p.cluster.endpoint)
          urls.push({ url: p.cluster.endpoint, what: 'Kubernetes API server' });
      }
    }
    const workers = env.locust.workers;
    if (workers?.type === 'kubernetes' && workers.cluster.endpoint)
      urls.push({ url: workers.cluster.endpoint, what: 'Kubernetes API server' });
    for (const c of env.cleanup) {
      if (c.type === 'http') urls.push({ url: c.url, what: `cleanup ${c.name}` });
      if (c.type === 'kubernetes-job' && c.cluster.endpoint)
        urls.push({ url: c.cluster.endpoint, what: 'Kubernetes API server' });
    }
  }
  return urls.map(({ url, what }) => {
    const u = new URL(url);
    return { port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), what };
  });
}

/**
 * The AWS APIs the steps and the janitor call for this configuration, but S3 and DynamoDB (gateway endpoints):
 * what needs an interface endpoint, or a NAT gateway, when they run in a VPC.
 */
export function interfaceEndpointServices(config: ConductorConfig): string[] {
  const envs = Object.values(config.environments);
  const json = JSON.stringify(config.environments);
  const services = new Set(['sns', 'monitoring', 'sqs']);
  const fargate = envs.some((e) => e.locust.fargate);
  if (json.includes('"eks":') || envs.some((e) => e.nodeGroups.length > 0)) services.add('eks');
  if (fargate || json.includes('"type":"ecs')) services.add('ecs');
  if (json.includes('"roleArn":')) services.add('sts');
  if (json.includes('"secretArn":') || json.includes('"tokenSecretArn":')) services.add('secretsmanager');
  // ECS cleanup tasks' log lines; the Fargate Locust tasks' awslogs driver and image pull.
  if (fargate || envs.some((e) => e.cleanup.some((c) => c.type === 'ecs-task' && c.logGroup)))
    services.add('logs');
  if (fargate) {
    services.add('ecr.api');
    services.add('ecr.dkr');
  }
  return [...services].sort();
}
