import { join } from 'node:path';
import { RunStore } from '../lambdas/adapters/aws/run-store';
import type { RestoreOutcome } from '../lambdas/core/restore';
import type { AppShape } from '../lambdas/core/shape';
import type { Verdict } from '../lambdas/core/verdict';
import { type JanitorResult, handler as janitor } from '../lambdas/handlers/janitor';
import { CONTROL_STATES } from '../statemachine/steps';
import { readShopShape } from './demo-shop';
import { type LocalEnvironment, startLocalEnvironment } from './environment';
import { executeLocally, type LocalExecutionResult } from './executor';
import { REPO_ROOT } from './managed-process';
import { createProgress, finalRunState, restoreLines, restoreOf } from './progress';
import { fetchSummary, LocalBaselines, writeLocalReport } from './report';
import { retryRestore } from './restore-retry';

export interface LocalRunOptions {
  /** The execution input; `environment` defaults to `local`. */
  readonly input: Record<string, unknown>;
  /** Locust worker processes. Default: 2. */
  readonly workers?: number;
  /** Where the run's report is written. Default: `reports/` in the repository. */
  readonly reportDir?: string;
  readonly out?: NodeJS.WritableStream;
  /**
   * Run in this environment, already started, and leave it running (a fault test kills its processes);
   * default: start one and stop it at the end.
   */
  readonly environment?: LocalEnvironment;
  /** Times the runner tries an incomplete restore again after the state machine's retries. Default 2. */
  readonly restoreRetries?: number;
  /** Wait before each of those attempts. Default 5 s. */
  readonly restoreRetryDelayMs?: number;
  /**
   * Aborted on the first interruption (Ctrl-C, SIGTERM): the execution stops as "Stop execution" stops it on
   * AWS, and the janitor cleans up after it as on AWS (stops the load, restores, releases the lock).
   */
  readonly interrupt?: AbortSignal;
  /** Aborted on a second interruption: whatever is left of the janitor's work is skipped. */
  readonly shutdown?: AbortSignal;
}

/** What an interrupted run did to clean up after itself. */
export interface LocalInterruption {
  /** The signal's name, e.g. SIGINT. */
  readonly signal: string;
  /** What the janitor did; null when it did not run (interrupted before the run started, or skipped). */
  readonly janitor: JanitorResult | null;
  /** Why the janitor did not finish, when it did not. */
  readonly janitorError?: string;
  /** The test shop's shape once the janitor was done (read from the shop, before it stopped). */
  readonly shop?: AppShape;
}

export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause?: string };
  /** The run's first execution: its records and report are keyed by it. */
  readonly executionName: string;
  /** Every execution of the run, the first first (a long test continues in new executions). */
  readonly executions: readonly string[];
  /** The HTML report of this run (summary.json beside it), when one was written. */
  readonly reportPath?: string;
  /** Whether the environment is back in its recorded shape (after the runner's own retries). */
  readonly restore: RestoreOutcome | null;
  /** Set when the run was interrupted. */
  readonly interrupted?: LocalInterruption;
}

/**
 * A whole load test on this machine: starts the local environment, runs the
 * synthesized state machine with the real handlers, prints progress, writes
 * the report and stops everything.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const out = options.out ?? process.stdout;
  const print = (line: string) => out.write(`${line}\n`);
  const input: Record<string, unknown> = { environment: 'local', ...options.input };
  if (!options.environment)
    print('Starting the local environment: AWS emulator, demo shop, Hoverfly, Locust …');
  // An interruption during start-up waits for the servers to be up, to stop every one of them.
  const env = options.environment ?? (await startLocalEnvironment({ workers: options.workers }));
  try {
    print(
      `  shop ${env.shop.url} (admin ${env.shop.adminUrl})  Locust ${env.locust.url}  (logs in ${env.workDir})`,
    );
    if (options.interrupt?.aborted) {
      print('\n■ Interrupted before the run started: nothing was changed');
      return {
        status: 'ABORTED',
        error: interruptedError(options.interrupt, 'before the run started; nothing was changed'),
        executionName: '',
        executions: [],
        restore: null,
        interrupted: { signal: signalName(options.interrupt), janitor: null },
      };
    }
    const reportDir = options.reportDir ?? join(REPO_ROOT, 'reports');
    const baselines = new LocalBaselines(reportDir, new RunStore(env.aws.RUNS_TABLE));
    const scenario =
      typeof input.scenario === 'string'
        ? input.scenario
        : env.config.environments[String(input.environment)]?.defaultScenario;
    if (scenario) await baselines.seed(String(input.environment), scenario);
    let progress = createProgress();
    const result = await executeLocally(env.pipeline.definition, input, {
      ...(options.interrupt ? { signal: options.interrupt } : {}),
      onEvent: (event, execution) => {
        if (event.type === 'ExecutionStarted' && execution.number > 1) {
          progress = createProgress();
          print(`↪ the run continues in execution ${execution.number}: ${execution.executionName}`);
        }
        const line = progress(event);
        if (line) print(line);
      },
    });
    if (result.status === 'ABORTED' && options.interrupt?.aborted)
      return await cleanUpAfterInterruption(result, env, options.interrupt, options.shutdown, print);
    // The state machine's retries are spent: an incomplete restore is tried again here, as the janitor
    // would in AWS, before the run ends saying what could not be restored.
    const finalState = finalRunState(result.events);
    let restore = finalState ? restoreOf(finalState) : null;
    if (finalState && restore && !restore.complete)
      restore = await retryRestore(finalState, {
        attempts: options.restoreRetries,
        delayMs: options.restoreRetryDelayMs,
        onAttempt: (n) => print(`↻ the restore is incomplete: trying it again (attempt ${n})`),
      });
    // The pipeline stored summary.json in the emulated bucket (also when the run failed after locking), under
    // the run's first execution however many it continued in; completed with the timeline and measured cost
    // of all of them, it becomes report.html + summary.json here.
    // Unreachable when the AWS emulator is gone: then there is no report, and the run says why.
    const stored = await fetchSummary(
      env.aws.endpoint,
      env.aws.REPORTS_BUCKET,
      String(input.environment),
      result.executionName,
    ).catch((err: Error) => {
      print(`(no report: summary.json could not be read: ${err.message})`);
      return null;
    });
    const reportPath = stored
      ? writeLocalReport(
          restore ? { ...stored, restore } : stored,
          result.events,
          new Set([CONTROL_STATES.waitForTick]),
          reportDir,
        ).html
      : undefined;
    if (scenario)
      await baselines
        .keep(String(input.environment), scenario)
        .catch((err: Error) => print(`(baseline not kept: ${err.message})`));
    // First of the last lines: what the restore could not bring back.
    const restoreSummary = restore ? restoreLines(restore) : [];
    if (restoreSummary.length > 0) print(`\n${restoreSummary.join('\n')}`);
    else if (restore) print('\n✓ Restore complete: the environment is back in its recorded shape');
    if (result.status === 'SUCCEEDED') {
      const verdict = result.output as Partial<Verdict>;
      print(`\n${result.status}: ${verdict.summary ?? JSON.stringify(result.output)}`);
    } else {
      print(`\n${result.status}: ${result.error?.Error ?? ''} ${result.error?.Cause ?? ''}`);
    }
    if (result.executions.length > 1)
      print(
        `One run in ${result.executions.length} executions, reported as its first: ${result.executionName}`,
      );
    if (reportPath) print(`Report: ${reportPath}`);
    return {
      status: result.status,
      output: result.output,
      error: result.error,
      executionName: result.executionName,
      executions: result.executions.map((e) => e.executionName),
      reportPath,
      restore,
    };
  } finally {
    if (!options.environment) {
      await env.stop();
      if (options.interrupt?.aborted) print('Stopped the local servers.');
    }
  }
}

/**
 * After an interrupted execution, what AWS does after "Stop execution": the execution's status change starts
 * the janitor (here its real handler, in-process), which stops the load, restores the recorded shapes and the
 * worker fleet, and releases the lock. A second interruption stops waiting for it.
 */
async function cleanUpAfterInterruption(
  result: LocalExecutionResult,
  env: LocalEnvironment,
  interrupt: AbortSignal,
  shutdown: AbortSignal | undefined,
  print: (line: string) => void,
): Promise<LocalRunResult> {
  const signal = signalName(interrupt);
  const last = result.executions.at(-1) ?? result;
  print(`\n■ Interrupted (${signal}): the execution stopped as "Stop execution" stops it on AWS`);
  print('  the janitor stops the load, restores the environment and releases the lock …');
  let janitorResult: JanitorResult | null = null;
  let janitorError: string | undefined;
  const skipped = new Promise<'skipped'>((resolve) => {
    if (shutdown?.aborted) resolve('skipped');
    shutdown?.addEventListener('abort', () => resolve('skipped'), { once: true });
  });
  try {
    const outcome = await Promise.race([
      janitor({
        detail: {
          executionArn: last.executionArn,
          status: 'ABORTED',
          error: 'Interrupted',
          cause: `${signal} to the local run`,
        },
      }),
      skipped,
    ]);
    if (outcome === 'skipped') janitorError = 'skipped by a second interruption';
    else janitorResult = outcome;
  } catch (err) {
    janitorError = (err as Error).message;
  }
  if (janitorResult) print(`✓ Janitor                      ${janitorResult.message}`);
  else print(`✗ Janitor                      ${janitorError}: the environment may not be restored`);
  const shop = janitorResult ? await readShopShape(env.shop.adminUrl).catch(() => undefined) : undefined;
  if (shop) print(`  shop now                     ${shop.version} × ${shop.replicas}`);
  print(`\nABORTED: interrupted by ${signal}`);
  return {
    status: 'ABORTED',
    error: interruptedError(interrupt, janitorResult?.message ?? janitorError ?? ''),
    executionName: result.executionName,
    executions: result.executions.map((e) => e.executionName),
    restore: null,
    interrupted: {
      signal,
      janitor: janitorResult,
      ...(janitorError ? { janitorError } : {}),
      ...(shop ? { shop } : {}),
    },
  };
}

function signalName(interrupt: AbortSignal): string {
  return typeof interrupt.reason === 'string' ? interrupt.reason : 'interrupt';
}

function interruptedError(interrupt: AbortSignal, cause: string): { Error: string; Cause: string } {
  return { Error: 'Interrupted', Cause: `${signalName(interrupt)}: ${cause}` };
}
