import type { FieldProblem } from '../errors';
import type { ConductorConfig } from './types';

/** What the schema cannot say about `network`: it and locust.fargate share one VPC; gateway endpoints need route tables. */
export function networkProblems(config: ConductorConfig): FieldProblem[] {
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
