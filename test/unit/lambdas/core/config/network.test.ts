import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../../lambdas/core/config';
import { ValidationError } from '../../../../../lambdas/core/errors';

/** `network` (lambdas/core/config/network.ts, schema/conductor-config.schema.json): bad values are refused by field. */
const example = () => JSON.parse(readFileSync('config/example-private-network.json', 'utf8'));

function problems(mutate: (c: ReturnType<typeof example>) => void) {
  const config = example();
  mutate(config);
  try {
    parseConfig(config);
    return [];
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return err.problems;
  }
}

describe('network', () => {
  it('parses the private-network example as written', () => {
    const config = parseConfig(example());
    expect(config.network?.subnetIds).toHaveLength(2);
    expect(parseConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it.each([
    [
      'a locust.fargate VPC other than the network',
      (c: ReturnType<typeof example>) => {
        c.environments.staging.locust.fargate.vpcId = 'vpc-0fedcba987654321f';
      },
      'environments.staging.locust.fargate.vpcId',
      /must be network\.vpcId \(vpc-0a1b2c3d4e5f67890\)/,
    ],
    [
      'gateway endpoints with subnetIds but no route tables',
      (c: ReturnType<typeof example>) => {
        delete c.network.endpoints.routeTableIds;
      },
      'network.endpoints.routeTableIds',
      /is required with gateway and network\.subnetIds/,
    ],
    [
      'route tables for a looked-up VPC',
      (c: ReturnType<typeof example>) => {
        delete c.network.subnetIds;
      },
      'network.endpoints.routeTableIds',
      /only with network\.subnetIds/,
    ],
    [
      'egress beside given security groups',
      (c: ReturnType<typeof example>) => {
        c.network.securityGroupIds = ['sg-0123456789abcdef0'];
      },
      'network.egress',
      /only for the security group the stack creates/,
    ],
    [
      'an egress CIDR out of range',
      (c: ReturnType<typeof example>) => {
        c.network.egress[0].cidr = '10.300.0.0/16';
      },
      'network.egress[0].cidr',
      /is not an IPv4 CIDR/,
    ],
    [
      'a malformed subnet id',
      (c: ReturnType<typeof example>) => {
        c.network.subnetIds = ['subnet-xyz'];
      },
      'network.subnetIds[0]',
      /must match \^subnet-/,
    ],
    [
      'an unknown key',
      (c: ReturnType<typeof example>) => {
        c.network.natGateway = true;
      },
      'network.natGateway',
      /is not a known field/,
    ],
  ])('refuses %s, naming the field', (_what, mutate, field, rule) => {
    expect(problems(mutate)).toContainEqual({ field, rule: expect.stringMatching(rule) });
  });
});
