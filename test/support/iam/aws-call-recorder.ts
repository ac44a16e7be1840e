import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Client } from '@smithy/core/client';
import { stepHooks } from '../../../lambdas/runtime/step';
import { REPO_ROOT } from '../../../local/managed-process';
import { type IamRequest, iamRequests, type KnownResources } from './iam-requests';

/** One AWS API call a step made: who, which client and command, the request, and what IAM authorizes. */
export interface RecordedCall {
  /** The step's name as `step()` knows it (`Deploy`, `Janitor`, …). */
  readonly step: string;
  readonly client: string;
  readonly command: string;
  readonly region: string;
  readonly input: Record<string, unknown>;
  readonly requests: readonly IamRequest[];
}

type Stack = { add(middleware: unknown, options: Record<string, unknown>): void };
type AnyClient = { middlewareStack: Stack; config: { region?: () => Promise<string> | string } };

/**
 * Records every AWS SDK call made inside a step (`step()` in lambdas/runtime/step.ts calls
 * `stepHooks.around`), through a middleware added to each SDK client the first time it sends while
 * recording is on. Calls outside a step (a test's own set-up) are not recorded. Nothing here is imported
 * by a handler: production clients are untouched.
 */
export class AwsCallRecorder {
  readonly calls: RecordedCall[] = [];
  private readonly current = new AsyncLocalStorage<string>();
  private readonly restore: (() => void)[] = [];
  private readonly file: string;

  /** `name` names the JSON Lines file under test-artifacts/aws-calls/. */
  constructor(
    name: string,
    private readonly known: KnownResources = {},
  ) {
    const dir = join(REPO_ROOT, 'test-artifacts', 'aws-calls');
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
  }

  get path(): string {
    return this.file;
  }

  start(): this {
    stepHooks.around = (name, run) => this.current.run(name, run);
    this.restore.push(() => {
      stepHooks.around = undefined;
    });
    const recorder = this;
    const instrumented = new WeakSet<Stack>();
    // The SDK's ESM and CommonJS builds each have their own Client class: both are patched.
    const classes = new Set([Client, createRequire(import.meta.url)('@smithy/core/client').Client]);
    for (const cls of classes) {
      const send = cls.prototype.send;
      cls.prototype.send = function (this: AnyClient, ...args: unknown[]) {
        if (!instrumented.has(this.middlewareStack)) {
          instrumented.add(this.middlewareStack);
          this.middlewareStack.add(recorder.middleware(this), {
            step: 'initialize',
            name: 'ltcAwsCallRecorder',
            override: true,
          });
        }
        return send.apply(this, args);
      };
      this.restore.push(() => {
        cls.prototype.send = send;
      });
    }
    return this;
  }

  stop(): void {
    for (const undo of this.restore.splice(0).reverse()) undo();
  }

  /** Attributes the calls `run` makes outside a step to `step` (the janitor's re-check queue). */
  within<T>(step: string, run: () => Promise<T>): Promise<T> {
    return this.current.run(step, run);
  }

  private middleware(client: AnyClient) {
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware types are generic over every client
    return (next: any, context: any) => async (args: any) => {
      const step = this.current.getStore();
      if (!step) return next(args);
      let output: Record<string, unknown> | undefined;
      try {
        const result = await next(args);
        output = result.output;
        return result;
      } finally {
        const region = String((await client.config.region?.()) ?? '');
        const input = withoutBodies(args.input);
        const call = {
          step,
          client: String(context.clientName),
          command: String(context.commandName),
          region,
          input,
        };
        const recorded: RecordedCall = { ...call, requests: iamRequests(call, output ?? {}, this.known) };
        this.calls.push(recorded);
        appendFileSync(this.file, `${JSON.stringify(recorded)}\n`);
      }
    };
  }
}

/** The request without payloads (report bodies): only names and keys matter to IAM. */
function withoutBodies(input: Record<string, unknown>): Record<string, unknown> {
  const { Body: _, MessageBody: __, Message: ___, ...rest } = input;
  return JSON.parse(JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
}
