import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LocustFargateCluster } from '../../../../cdk/lib/locust-fargate-cluster';

const app = new App();
const stack = new Stack(app, 'Locust', { env: { account: '123456789012', region: 'eu-central-1' } });
const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
  vpcId: 'vpc-1',
  availabilityZones: ['eu-central-1a', 'eu-central-1b'],
  privateSubnetIds: ['subnet-a', 'subnet-b'],
});
const conductor = new ec2.SecurityGroup(stack, 'ConductorLambdas', { vpc, description: 'conductor Lambdas' });
const locust = new LocustFargateCluster(stack, 'LocustCluster', {
  vpc,
  conductorSecurityGroups: [conductor],
  targetHost: 'http://shop.test.internal',
  image: ecs.ContainerImage.fromRegistry('example.invalid/ltc-locust:2.47.0'),
  clusterName: 'load-test-locust',
  workerServiceName: 'locust-worker',
});
const tickRole = new iam.Role(stack, 'TickRole', {
  assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
});
locust.grantScaleWorkers(tickRole);
const template = Template.fromStack(stack);
const id = (c: { node: { defaultChild?: unknown } }) =>
  stack.resolve((c.node.defaultChild as ec2.CfnSecurityGroup).logicalId) as string;

describe('LocustFargateCluster', () => {
  it('runs a master and a worker service on Fargate without public IPs', () => {
    template.resourceCountIs('AWS::ECS::Service', 2);
    template.allResourcesProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    template.hasResourceProperties('AWS::ECS::Service', { ServiceName: 'locust-worker', DesiredCount: 1 });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({ Command: Match.arrayWith(['--master', '--host', 'http://shop.test.internal']) }),
      ],
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Command: Match.arrayWith(['--worker', '--master-host', 'master.locust.internal']),
        }),
      ],
    });
    expect(locust.url).toBe('http://master.locust.internal:8089');
  });

  it('opens 8089 only to the conductor’s Lambdas and 5557 only to the workers; nothing else comes in', () => {
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress');
    const rules = Object.values(ingress).map((r) => r.Properties as Record<string, unknown>);
    const master = id(locust.masterSecurityGroup);
    expect(rules).toHaveLength(2);
    expect(rules).toContainEqual(
      expect.objectContaining({
        FromPort: 8089,
        ToPort: 8089,
        GroupId: { 'Fn::GetAtt': [master, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [id(conductor), 'GroupId'] },
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({
        FromPort: 5557,
        ToPort: 5557,
        GroupId: { 'Fn::GetAtt': [master, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [id(locust.workerSecurityGroup), 'GroupId'] },
      }),
    );
    for (const sg of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
      expect(JSON.stringify(sg.Properties.SecurityGroupIngress ?? [])).not.toContain('0.0.0.0/0');
    }
  });

  it('lets the ramp scale the worker service and nothing else', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.resolve((tickRole.node.defaultChild as iam.CfnRole).logicalId) }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['ecs:UpdateService', 'ecs:DescribeServices'],
            Effect: 'Allow',
            Resource: {
              Ref: stack.resolve((locust.workerService.node.defaultChild as ecs.CfnService).logicalId),
            },
          },
        ],
      },
    });
    expect(locust.workersConfig({ minWorkers: 1, maxWorkers: 20 })).toMatchObject({
      type: 'ecs',
      maxWorkers: 20,
    });
  });

  it('is cdk-nag AwsSolutions clean, every acknowledgement with a reason', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const described = report.violations.map(
      (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
    );
    expect(described, described.join('\n')).toEqual([]);
    const acknowledged = locust.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.values(m.data as Record<string, unknown>)),
      );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const reason of acknowledged) expect(String(reason).length).toBeGreaterThan(20);
  });
});
