import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { ConductorNetwork, interfaceEndpointServices } from '../../../../cdk/lib/conductor-network';
import { loadConfigFile } from '../../../../lambdas/core/config-file';
import {
  ACCOUNT,
  asArray,
  type CfnResourceJson,
  logicalId,
  REGION,
  synthesizeExample,
  vpcLookupContext,
} from '../../../support/synthesized';

const ofType = (resources: Record<string, CfnResourceJson>, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const groupId = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] });

describe('config/example-private-network.json: given subnets, no NAT', () => {
  const { stack, resources, missingContext } = synthesizeExample('example-private-network.json');
  const config = loadConfigFile('config/example-private-network.json');
  const network = stack.network;
  if (!network) throw new Error('the example has a network');
  const [group] = network.securityGroups;
  if (!group) throw new Error('no security group');
  const conductor = logicalId(stack, group);
  const cluster = stack.locustClusters.staging;
  if (!cluster) throw new Error('no Locust cluster');
  const subnetIds = config.network?.subnetIds;

  it('synthesizes without looking anything up (no account needed)', () => {
    expect(missingContext).toEqual([]);
  });

  it('puts every function and both Locust services in the given subnets, with the created security group', () => {
    const fns = ofType(resources, 'AWS::Lambda::Function');
    expect(fns.length).toBeGreaterThan(1);
    for (const [id, fn] of fns) {
      expect(fn.Properties.VpcConfig, id).toEqual({
        SubnetIds: subnetIds,
        SecurityGroupIds: [groupId(conductor)],
      });
    }
    for (const [id, service] of ofType(resources, 'AWS::ECS::Service')) {
      const awsvpc = (
        service.Properties.NetworkConfiguration as { AwsvpcConfiguration: { Subnets: unknown } }
      ).AwsvpcConfiguration;
      expect(awsvpc.Subnets, id).toEqual(subnetIds);
    }
  });

  it("lets the functions out only on 443, the databases' ports and to the Locust master; nothing in", () => {
    const sg = resources[conductor]?.Properties ?? {};
    expect(sg.SecurityGroupIngress).toBeUndefined();
    const inline = asArray(sg.SecurityGroupEgress).map((r) => {
      const { IpProtocol, FromPort, ToPort, CidrIp } = r as Record<string, unknown>;
      return { IpProtocol, FromPort, ToPort, CidrIp };
    });
    expect(inline).toEqual([
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' },
      { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '0.0.0.0/0' },
      { IpProtocol: 'tcp', FromPort: 5433, ToPort: 5433, CidrIp: '10.20.64.0/20' },
    ]);
    const egress = ofType(resources, 'AWS::EC2::SecurityGroupEgress')
      .map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(groupId(conductor)));
    expect(egress.map((p) => [p.FromPort, p.DestinationSecurityGroupId])).toEqual([
      [443, groupId(logicalId(stack, network.endpointSecurityGroup as ec2.SecurityGroup))],
      [8089, groupId(logicalId(stack, cluster.masterSecurityGroup))],
    ]);
    expect(
      ofType(resources, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) =>
        JSON.stringify(r.Properties.GroupId).includes(`"${conductor}"`),
      ),
    ).toEqual([]);
  });

  it('creates an interface endpoint per AWS API the configuration calls, and the S3 and DynamoDB gateways', () => {
    const endpoints = ofType(resources, 'AWS::EC2::VPCEndpoint').map(([, r]) => r.Properties);
    const endpointGroup = groupId(logicalId(stack, network.endpointSecurityGroup as ec2.SecurityGroup));
    const services = (type: string) =>
      endpoints
        .filter((e) => e.VpcEndpointType === type)
        .map((e) => (e.ServiceName as string).replace(`com.amazonaws.${REGION}.`, ''))
        .sort();
    expect(services('Interface')).toEqual(
      [
        'ecr.api',
        'ecr.dkr',
        'ecs',
        'eks',
        'logs',
        'monitoring',
        'secretsmanager',
        'sns',
        'sqs',
        'sts',
      ].sort(),
    );
    expect(services('Gateway')).toEqual(['dynamodb', 's3']);
    for (const e of endpoints.filter((x) => x.VpcEndpointType === 'Interface')) {
      expect(e).toMatchObject({
        PrivateDnsEnabled: true,
        SubnetIds: subnetIds,
        SecurityGroupIds: [endpointGroup],
      });
    }
    for (const e of endpoints.filter((x) => x.VpcEndpointType === 'Gateway')) {
      expect(e.RouteTableIds).toEqual(config.network?.endpoints?.routeTableIds);
    }
    // HTTPS in from the functions and the Locust tasks (image pull, logs), from nothing else.
    const sources = ofType(resources, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(endpointGroup))
      .map((p) => [p.FromPort, p.SourceSecurityGroupId]);
    expect(sources).toEqual(
      expect.arrayContaining([
        [443, groupId(conductor)],
        [443, groupId(logicalId(stack, cluster.masterSecurityGroup))],
        [443, groupId(logicalId(stack, cluster.workerSecurityGroup))],
      ]),
    );
    expect(sources).toHaveLength(3);
  });
});

describe('config/example-fargate.json: the VPC looked up', () => {
  const { stack, resources, missingContext } = synthesizeExample('example-fargate.json');

  it('runs the functions in its private subnets (from cdk.context.json) and opens 9090 for the HTTP agents', () => {
    expect(missingContext).toEqual([]);
    const [, fn] = ofType(resources, 'AWS::Lambda::Function')[0] ?? [];
    expect((fn?.Properties.VpcConfig as { SubnetIds: unknown } | undefined)?.SubnetIds).toEqual([
      'subnet-00000000000000001',
      'subnet-00000000000000002',
    ]);
    const [group] = stack.network?.securityGroups ?? [];
    const rules = asArray(
      resources[logicalId(stack, group as ec2.SecurityGroup)]?.Properties.SecurityGroupEgress,
    );
    expect(rules.map((r) => (r as { FromPort: number }).FromPort)).toEqual([443, 9090]);
    // No endpoints asked for: the VPC's NAT gateway reaches the AWS APIs.
    expect(ofType(resources, 'AWS::EC2::VPCEndpoint')).toEqual([]);
  });
});

describe('ConductorNetwork', () => {
  const inStack = (context: Record<string, unknown>) =>
    new Stack(new App({ context }), 'Net', { env: { account: ACCOUNT, region: REGION } });

  it('falls back to the isolated subnets of a VPC without NAT, and takes the gateway routes from the lookup', () => {
    const stack = inStack(
      vpcLookupContext('vpc-0123456789abcdef0', [{ name: 'Isolated', type: 'Isolated', subnets: 2 }]),
    );
    const network = new ConductorNetwork(stack, 'Network', {
      vpcId: 'vpc-0123456789abcdef0',
      gatewayEndpoints: ['s3'],
      interfaceEndpoints: ['sns'],
    });
    expect(network.vpcSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      RouteTableIds: ['rtb-00000000000000001', 'rtb-00000000000000002'],
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      SubnetIds: ['subnet-00000000000000001', 'subnet-00000000000000002'],
    });
  });

  it('uses given security groups as they are: no group created, no rule added to them', () => {
    const stack = inStack({});
    const network = new ConductorNetwork(stack, 'Network', {
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0123456789abcdef0'],
      securityGroupIds: ['sg-0123456789abcdef0'],
      egress: [{ port: 5432, peer: ec2.Peer.anyIpv4(), description: 'db' }],
    });
    expect(network.securityGroups.map((g) => g.securityGroupId)).toEqual(['sg-0123456789abcdef0']);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  it('calls only SNS, CloudWatch and SQS for an HTTP-only configuration (config/example.json)', () => {
    expect(interfaceEndpointServices(loadConfigFile('config/example.json'))).toEqual([
      'monitoring',
      'sns',
      'sqs',
    ]);
  });
});
