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
import { callAws, clientSettings } from './aws';

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
 * Every call has a timeout; its errors are {@link ServiceError}s that name the service and endpoint (the
 * SDK's error name is their `code`).
 */
export function sdkSfn(region: string, env: Readonly<Record<string, string | undefined>>): Sfn {
  const client = new SFNClient(clientSettings(region, env));
  const call = <T>(operation: string, run: () => Promise<T>) => callAws('sfn', region, env, operation, run);
  return {
    startExecution: (input) => call('StartExecution', () => client.send(new StartExecutionCommand(input))),
    describeExecution: (input) =>
      call('DescribeExecution', () => client.send(new DescribeExecutionCommand(input))),
    getExecutionHistory: (input) =>
      call('GetExecutionHistory', () => client.send(new GetExecutionHistoryCommand(input))),
    stopExecution: (input) => call('StopExecution', () => client.send(new StopExecutionCommand(input))),
  };
}
