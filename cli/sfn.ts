import {
  DescribeExecutionCommand,
  type DescribeExecutionInput,
  type DescribeExecutionOutput,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryInput,
  type GetExecutionHistoryOutput,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionInput,
  type StartExecutionOutput,
  StopExecutionCommand,
  type StopExecutionInput,
  type StopExecutionOutput,
} from '@aws-sdk/client-sfn';

/** The Step Functions calls the CLI makes; tests pass a fake. */
export interface Sfn {
  startExecution(input: StartExecutionInput): Promise<StartExecutionOutput>;
  describeExecution(input: DescribeExecutionInput): Promise<DescribeExecutionOutput>;
  getExecutionHistory(input: GetExecutionHistoryInput): Promise<GetExecutionHistoryOutput>;
  stopExecution(input: StopExecutionInput): Promise<StopExecutionOutput>;
}

/**
 * The real client. Credentials come from the SDK's default chain; the SDK
 * itself honours `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_SFN` (e.g. moto).
 */
export function sdkSfn(region: string): Sfn {
  const client = new SFNClient({ region });
  return {
    startExecution: (input) => client.send(new StartExecutionCommand(input)),
    describeExecution: (input) => client.send(new DescribeExecutionCommand(input)),
    getExecutionHistory: (input) => client.send(new GetExecutionHistoryCommand(input)),
    stopExecution: (input) => client.send(new StopExecutionCommand(input)),
  };
}
