import { App, CfnOutput, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfigFile } from '../../lambdas/core/config-file';
import { ValidationError } from '../../lambdas/core/errors';
import { LoadTestConductorStack } from '../lib/load-test-conductor-stack';

const app = new App();
const configFile = (app.node.tryGetContext('configFile') as string | undefined) ?? 'config/example.json';

let config: ReturnType<typeof loadConfigFile>;
try {
  config = loadConfigFile(configFile);
} catch (err) {
  if (!(err instanceof ValidationError)) throw err;
  console.error(`${configFile} is not a valid configuration:`);
  for (const p of err.problems) console.error(`  ${p.field}: ${p.rule}`);
  process.exit(1);
}

// config/local.json is a template the local runner fills with its ports: never deploy it.
const unfilled = JSON.stringify(config).match(/\{\{\w+\}\}/);
if (unfilled) {
  console.error(
    `${configFile} has an unfilled placeholder ${unfilled[0]}: it is a template for local runs, not a deployable configuration.`,
  );
  process.exit(1);
}

// locust.fargate runs Locust in an existing VPC, looked up in the account the stack deploys to.
const fargate = Object.entries(config.environments).filter(([, env]) => env.locust.fargate);
if (fargate.length > 0 && !(process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION)) {
  console.error(
    `environments.${fargate[0]?.[0]}.locust.fargate: looking up VPC ${fargate[0]?.[1].locust.fargate?.vpcId} needs the account and region to deploy to (AWS credentials, or CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION).`,
  );
  process.exit(1);
}

const stack = new LoadTestConductorStack(app, 'LoadTestConductor', {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Load Test Conductor: serverless end-to-end load tests to a business KPI',
});
new CfnOutput(stack, 'StateMachineArn', { value: stack.pipeline.stateMachine.stateMachineArn });
new CfnOutput(stack, 'ReportsBucket', { value: stack.pipeline.reportsBucket.bucketName });
new CfnOutput(stack, 'NotificationTopic', { value: stack.pipeline.topic.topicArn });
for (const [name, cluster] of Object.entries(stack.locustClusters)) {
  new CfnOutput(stack, `LocustMaster-${name}`, {
    value: cluster.url,
    description: `Locust web API of ${name}`,
  });
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
