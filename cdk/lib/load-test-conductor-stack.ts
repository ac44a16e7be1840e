import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ConductorConfig } from '../../lambdas/core/config';
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

  constructor(scope: Construct, id: string, props: LoadTestConductorStackProps) {
    super(scope, id, props);
    const locust = locustFargateClusters(this, props.config);
    this.locustClusters = locust?.clusters ?? {};
    this.pipeline = new LoadTestPipeline(this, 'Pipeline', {
      ...props.pipeline,
      config: props.config,
      ...locust?.pipelineProps,
    });
  }
}
