import { Writable } from 'node:stream';
import type {
  DescribeExecutionInput,
  DescribeExecutionOutput,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  HistoryEvent,
  StartExecutionInput,
  StopExecutionInput,
} from '@aws-sdk/client-sfn';
import type { CliDeps, RunLocal } from '../../cli/deps';
import { ServiceError } from '../../cli/errors';
import { main } from '../../cli/main';
import type { Bucket } from '../../cli/s3';
import type { Sfn } from '../../cli/sfn';

export const SM_ARN = 'arn:aws:states:eu-central-1:111122223333:stateMachine:load-test';
export const EXEC_ARN = 'arn:aws:states:eu-central-1:111122223333:execution:load-test:run-1';

/** Collects what is written to it. */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * A scripted Step Functions: describe answers come from `statuses` in turn (the last one repeats); an
 * execution of a chain given in `chain` answers from its own list the same way.
 */
export class FakeSfn implements Sfn {
  readonly starts: StartExecutionInput[] = [];
  readonly stops: StopExecutionInput[] = [];
  readonly historyCalls: GetExecutionHistoryInput[] = [];
  readonly described: string[] = [];
  describes = 0;
  constructor(
    public statuses: DescribeExecutionOutput[] = [],
    /** Pages of history, newest first (as with reverseOrder). */
    public historyPages: HistoryEvent[][] = [],
    /** Describe answers per execution ARN, for the executions of a continued run. */
    public chain: Record<string, DescribeExecutionOutput[]> = {},
  ) {}
  async startExecution(input: StartExecutionInput) {
    this.starts.push(input);
    return { executionArn: EXEC_ARN, startDate: new Date('2026-11-27T10:00:00Z') };
  }
  async describeExecution(input: DescribeExecutionInput): Promise<DescribeExecutionOutput> {
    const arn = input.executionArn ?? '';
    const answers = this.chain[arn] ?? this.statuses;
    const asked = this.described.filter((a) => (this.chain[arn] ? a === arn : !this.chain[a])).length;
    this.described.push(arn);
    this.describes++;
    const d = answers[Math.min(asked, answers.length - 1)];
    if (!d) throw new Error(`no describe scripted for ${arn}`);
    return d;
  }
  async getExecutionHistory(input: GetExecutionHistoryInput): Promise<GetExecutionHistoryOutput> {
    this.historyCalls.push(input);
    const page = input.nextToken === undefined ? 0 : Number(input.nextToken);
    const events = this.historyPages[page] ?? [];
    return { events, nextToken: page + 1 < this.historyPages.length ? String(page + 1) : undefined };
  }
  async stopExecution(input: StopExecutionInput) {
    this.stops.push(input);
    return { stopDate: new Date('2026-11-27T10:05:00Z') };
  }
}

export function describe_(
  status: string,
  extra: Partial<DescribeExecutionOutput> = {},
): DescribeExecutionOutput {
  return {
    executionArn: EXEC_ARN,
    stateMachineArn: SM_ARN,
    status: status as DescribeExecutionOutput['status'],
    startDate: new Date('2026-11-27T10:00:00Z'),
    ...extra,
  };
}

/** The ARN of the run's `number`th execution (`run-1-c<number>`; the first is {@link EXEC_ARN}). */
export function continuationArn(number: number): string {
  return `${EXEC_ARN}-c${number}`;
}

/** How an execution that handed the run on ends: SUCCEEDED at "Run continued" with the next one's ARN. */
export function continued(
  executionArn: string,
  nextArn: string,
  extra: Partial<DescribeExecutionOutput> = {},
): DescribeExecutionOutput {
  return describe_('SUCCEEDED', {
    executionArn,
    stopDate: new Date('2026-11-27T12:00:00Z'),
    output: JSON.stringify({ executionArn: nextArn, startDate: '2026-11-27T12:00:00.000Z' }),
    ...extra,
  });
}

export function tickEvent(ramp: Record<string, unknown>, name = 'Ramp tick'): HistoryEvent {
  return {
    id: 10,
    timestamp: new Date('2026-11-27T10:01:00Z'),
    type: 'TaskStateExited',
    stateExitedEventDetails: { name, output: JSON.stringify({ run: {}, ramp }) },
  };
}

/** An S3 bucket in memory (for `ltc report` unit tests; the e2e tier uses moto). */
export class MemoryBucket implements Bucket {
  readonly objects = new Map<string, string>();
  readonly reads: string[] = [];
  async getObject(bucket: string, key: string): Promise<Uint8Array> {
    this.reads.push(`${bucket}/${key}`);
    const body = this.objects.get(`${bucket}/${key}`);
    if (body === undefined)
      throw new ServiceError('S3', 'memory', `has no s3://${bucket}/${key}`, '', 'NoSuchKey');
    return new TextEncoder().encode(body);
  }
}

/** An `ltc local` runner that succeeds at once and counts its runs: a check that must refuse first expects none. */
export function countingRunLocal(): { readonly runLocal: RunLocal; runs(): number } {
  let runs = 0;
  return {
    runLocal: async () => {
      runs += 1;
      return { status: 'SUCCEEDED', executionName: 'x' };
    },
    runs: () => runs,
  };
}

export interface Harness {
  readonly stdout: Capture;
  readonly stderr: Capture;
  readonly sfn: FakeSfn;
  readonly regions: string[];
  readonly sleeps: number[];
  readonly opened: string[];
  readonly bucket: MemoryBucket;
  /** Simulates a Ctrl-C: calls the handlers installed with `onInterrupt`. */
  interrupt(): void;
  readonly deps: CliDeps;
  run(...argv: string[]): Promise<number>;
}

export function harness(
  options: {
    sfn?: FakeSfn;
    env?: Record<string, string>;
    cwd?: string;
    runLocal?: RunLocal;
    stdin?: string;
    /** Called at each sleep (e.g. to press Ctrl-C while following). */
    onSleep?: (count: number) => void;
    /** The clock; default a fixed instant. */
    now?: () => Date;
  } = {},
): Harness {
  const stdout = new Capture();
  const stderr = new Capture();
  const sfn = options.sfn ?? new FakeSfn();
  const regions: string[] = [];
  const sleeps: number[] = [];
  const opened: string[] = [];
  const bucket = new MemoryBucket();
  const interruptHandlers = new Set<(signal: NodeJS.Signals) => void>();
  const deps: CliDeps = {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    sfn: (region) => {
      regions.push(region);
      return sfn;
    },
    s3: (region) => {
      regions.push(region);
      return bucket;
    },
    readStdin: () => {
      if (options.stdin === undefined) throw Object.assign(new Error('no stdin'), { code: 'EAGAIN' });
      return options.stdin;
    },
    onInterrupt(handler) {
      interruptHandlers.add(handler);
      return () => interruptHandlers.delete(handler);
    },
    open: async (path) => {
      opened.push(path);
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      options.onSleep?.(sleeps.length);
    },
    now: options.now ?? (() => new Date('2026-11-27T10:00:00Z')),
    loadRunLocal: async () => {
      if (!options.runLocal) throw new Error('runLocal not injected');
      return options.runLocal;
    },
  };
  return {
    stdout,
    stderr,
    sfn,
    regions,
    sleeps,
    opened,
    bucket,
    interrupt: () => {
      for (const handler of [...interruptHandlers]) handler('SIGINT');
    },
    deps,
    run: (...argv) => main(argv, deps),
  };
}
