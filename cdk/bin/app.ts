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

// A VPC (network.vpcId, or locust.fargate's) is looked up in the account the stack deploys to, unless
// network.subnetIds name the subnets.
const fargate = Object.entries(config.environments).find(([, env]) => env.locust.fargate);
const lookup = config.network
  ? config.network.subnetIds
    ? null
    : { field: 'network.vpcId', vpcId: config.network.vpcId }
  : fargate && {
      field: `environments.${fargate[0]}.locust.fargate`,
      vpcId: fargate[1].locust.fargate?.vpcId,
    };
if (lookup && !(process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION)) {
  console.error(
    `${lookup.field}: looking up VPC ${lookup.vpcId} needs the account and region to deploy to (AWS credentials, or CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION); or give network.subnetIds.`,
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
const [conductorGroup] = stack.network?.securityGroups ?? [];
if (conductorGroup) {
  new CfnOutput(stack, 'ConductorSecurityGroup', {
    value: conductorGroup.securityGroupId,
    description: "The functions' security group: allow it in the databases' and agents' security groups",
  });
}
for (const [name, cluster] of Object.entries(stack.locustClusters)) {
  new CfnOutput(stack, `LocustMaster-${name}`, {
    value: cluster.url,
    description: `Locust web API of ${name}`,
  });
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
