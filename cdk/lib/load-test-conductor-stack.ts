import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ConductorConfig } from '../../lambdas/core/config';
import { LoadTestPipeline, type LoadTestPipelineProps } from './load-test-pipeline';

export interface LoadTestConductorStackProps extends StackProps {
  /** The validated configuration (see `loadConfigFile`). */
  readonly config: ConductorConfig;
  /** The pipeline's other settings. Default: its defaults. */
  readonly pipeline?: Omit<LoadTestPipelineProps, 'config'>;
}

/** The deployable unit: one pipeline for all environments of the configuration. */
export class LoadTestConductorStack extends Stack {
  readonly pipeline: LoadTestPipeline;

  constructor(scope: Construct, id: string, props: LoadTestConductorStackProps) {
    super(scope, id, props);
    this.pipeline = new LoadTestPipeline(this, 'Pipeline', { ...props.pipeline, config: props.config });
  }
}
