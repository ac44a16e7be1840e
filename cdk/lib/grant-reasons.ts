/**
 * Grants no handler call exercises in the end-to-end tests, each with its reason
 * (test/e2e/iam/ fails on any other grant that no recorded call needs). Keyed by the statement's Sid.
 */
export const UNEXERCISED_GRANTS: Readonly<Record<string, string>> = {
  ValidateRenewsLock:
    'A run that continues in a new execution renews its lock (a conditional update, read back when gone); a run that needs no continuation never does.',
  ReleaseLockReadsRunForReport:
    'The final report (ticks and phases read back) is rewritten only for a run with a verdict; one that failed before Evaluate has none.',
  ReleaseLockWritesFinalReport:
    'The final report is rewritten only for a run with a verdict; one that failed before Evaluate has none.',
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
