import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ConductorConfig } from '../../lambdas/core/config';
import { ConductorNetwork, conductorNetworkProps } from './conductor-network';
import { LoadTestPipeline, type LoadTestPipelineProps } from './load-test-pipeline';
import { type LocustFargateCluster, locustFargateClusters } from './locust-fargate-cluster';

export interface LoadTestConductorStackProps extends StackProps {
  /** The validated configuration (see `loadConfigFile`). */
  readonly config: ConductorConfig;
  /** The pipeline's other settings. Default: its defaults. */
  readonly pipeline?: Omit<LoadTestPipelineProps, 'config'>;
}

/** The deployable unit: one pipeline for all environments of the configuration. */
export class LoadTestConductorStack extends Stack {
  readonly pipeline: LoadTestPipeline;
  /** The Locust clusters on Fargate of the environments with `locust.fargate`, by environment. */
  readonly locustClusters: Readonly<Record<string, LocustFargateCluster>>;
  /** The VPC placement of the functions (`network`, or locust.fargate's VPC); none outside a VPC. */
  readonly network?: ConductorNetwork;

  constructor(scope: Construct, id: string, props: LoadTestConductorStackProps) {
    super(scope, id, props);
    const networkProps = conductorNetworkProps(props.config);
    const network = networkProps ? new ConductorNetwork(this, 'Network', networkProps) : undefined;
    this.network = network;
    const locust = network ? locustFargateClusters(this, props.config, network) : null;
    this.locustClusters = locust?.clusters ?? {};
    this.pipeline = new LoadTestPipeline(this, 'Pipeline', {
      ...props.pipeline,
      config: props.config,
      ...(network && {
        vpc: network.vpc,
        vpcSubnets: network.vpcSubnets,
        securityGroups: [...network.securityGroups],
      }),
      ...locust?.pipelineProps,
    });
  }
}
