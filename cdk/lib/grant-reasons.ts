/**
 * Grants no handler call exercises in the end-to-end tests, each with its reason
 * (test/e2e/iam/ fails on any other grant that no recorded call needs). Keyed by the statement's Sid.
 */
export const UNEXERCISED_GRANTS: Readonly<Record<string, string>> = {
  ValidateRenewsLock:
    'A run that continues in a new execution renews its lock (a conditional update, read back when gone); a run that needs no continuation never does.',
  StartLoadReadsFleetSizeBack:
    'A retried Start load finds the fleet size it recorded already there (a conditional put) and reads it back.',
  RampTickPublishesBreaches: 'The SLO watch publishes only when an SLO breaches.',
  ReleaseLockReadsRunForReport:
    'The final report (ticks and phases read back) is rewritten only for a run with a verdict; one that failed before Evaluate has none.',
  ReleaseLockWritesFinalReport:
    'The final report is rewritten only for a run with a verdict; one that failed before Evaluate has none.',
  PublishesWithTopicKey:
    'SNS uses the publisher’s permissions on the topic’s key at each publish: needed exactly when the publish statement beside it is.',
  LambdaDeliversFailedInvocations:
    'The Lambda service sends a janitor invocation that failed its retries to the dead-letter queue, with the function’s role.',
};

/**
 * Actions the Lambda service itself uses for the function (its logs, X-Ray traces, the SQS event source,
 * VPC network interfaces), not the handler: never in a handler's recorded calls.
 */
export const LAMBDA_SERVICE_ACTIONS: Readonly<Record<string, string>> = {
  'logs:CreateLogStream': 'The Lambda runtime writes the function’s log stream.',
  'logs:PutLogEvents': 'The Lambda runtime writes the function’s log stream.',
  'xray:PutTraceSegments': 'Active tracing: the Lambda service sends the segments.',
  'xray:PutTelemetryRecords': 'Active tracing: the Lambda service sends the telemetry.',
  'sqs:ReceiveMessage': 'The SQS event source mapping polls the queue for the function.',
  'sqs:ChangeMessageVisibility': 'The SQS event source mapping manages the messages it delivers.',
  'sqs:GetQueueUrl': 'The SQS event source mapping resolves the queue.',
  'sqs:DeleteMessage': 'The SQS event source mapping deletes a message the function handled.',
  'sqs:GetQueueAttributes': 'The SQS event source mapping reads the queue’s settings.',
};

/** Actions granted on `Resource: "*"`, each with why (test/unit/cdk/lib/grant-reasons.test.ts). */
export const WILDCARD_RESOURCE_REASONS: Readonly<Record<string, string>> = {
  'xray:PutTraceSegments': 'No resource-level permissions (active tracing).',
  'xray:PutTelemetryRecords': 'No resource-level permissions (active tracing).',
  'xray:GetSamplingRules': 'No resource-level permissions (the state machine’s tracing).',
  'xray:GetSamplingTargets': 'No resource-level permissions (the state machine’s tracing).',
  'ecs:DescribeTaskDefinition': 'No resource-level permissions; read-only.',
  'ecs:ListTasks':
    'A listing of a whole cluster is authorized on "*"; the statement is limited to the cluster by ecs:cluster.',
  'cloudwatch:PutMetricData':
    'No resource-level permissions; limited to the conductor’s namespace by cloudwatch:namespace.',
  'ecr:GetAuthorizationToken': 'No resource-level permissions (Fargate pulls the Locust image).',
  // Step Functions' execution logs (vended log delivery): none of these has resource-level permissions.
  'logs:CreateLogDelivery': 'No resource-level permissions (the state machine’s execution logs).',
  'logs:GetLogDelivery': 'No resource-level permissions (the state machine’s execution logs).',
  'logs:UpdateLogDelivery': 'No resource-level permissions (the state machine’s execution logs).',
  'logs:DeleteLogDelivery': 'No resource-level permissions (the state machine’s execution logs).',
  'logs:ListLogDeliveries': 'No resource-level permissions (the state machine’s execution logs).',
  'logs:PutResourcePolicy': 'No resource-level permissions (the state machine’s execution logs).',
  'logs:DescribeResourcePolicies': 'No resource-level permissions (the state machine’s execution logs).',
  'logs:DescribeLogGroups': 'Listing log groups is authorized on "*" (the state machine’s execution logs).',
};
