/**
 * The local run's report: the summary the pipeline stored in the emulated bucket, completed with what only
 * the local executor knows exactly — every state's start and end (the phase timeline) and the cost measured
 * from the execution's events — rendered to `report.html` and `summary.json` in the report folder.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import type { RunStore } from '../lambdas/adapters/aws/run-store';
import { REPORTS_PREFIX } from '../lambdas/contracts';
import type { PhaseRecord } from '../lambdas/core/records';
import { costFromEvents, type ExecutionEvent, runCost } from '../lambdas/core/report/cost';
import { renderReport } from '../lambdas/core/report/html';
import type { RunSummary } from '../lambdas/core/report/summary';
import type { Baseline } from '../lambdas/core/verdict';
import { STEPS } from '../statemachine/steps';
import { MOTO_CREDENTIALS, MOTO_REGION } from './moto';
import { caughtErrorText } from './progress';

const TASK_STATES: ReadonlySet<string> = new Set(Object.values(STEPS));

export interface LocalReport {
  readonly folder: string;
  readonly html: string;
  readonly json: string;
  readonly summary: RunSummary;
}

/**
 * Phases from the execution's events: each task and wait state from entering to leaving it (failed when it
 * failed or its error was caught). Choices and end states take no time and are left out.
 */
function phasesFromEvents(events: readonly ExecutionEvent[], waitStates: ReadonlySet<string>): PhaseRecord[] {
  const open = new Map<string, number>();
  const caught = new Set<string>();
  const phases: PhaseRecord[] = [];
  for (const e of events) {
    const name = e.state?.name;
    if (!name || (!TASK_STATES.has(name) && !waitStates.has(name))) continue;
    if (e.type === 'StateEntered') open.set(name, e.timestamp);
    if (e.type === 'StateExited' && caught.delete(name)) {
      // The caught step's output holds the error its Catch took: the failed phase shows it.
      const failed = phases.findLast((p) => p.name === name);
      if (failed)
        phases[phases.indexOf(failed)] = {
          ...failed,
          detail: caughtErrorText(name, (e.state as { output?: never }).output ?? ({} as never)),
        };
      continue;
    }
    if (e.type === 'StateCaught') caught.add(name);
    if (e.type === 'StateExited' || e.type === 'StateFailed' || e.type === 'StateCaught') {
      const start = open.get(name);
      if (start === undefined) continue;
      open.delete(name);
      phases.push({
        name,
        startedAt: new Date(start).toISOString(),
        endedAt: new Date(e.timestamp).toISOString(),
        outcome: e.type === 'StateExited' ? 'succeeded' : 'failed',
        ...(TASK_STATES.has(name) ? { lambdaMs: e.timestamp - start } : {}),
      });
    }
  }
  return phases;
}

/** Reads the run's summary.json from the (emulated) reports bucket; null when the run wrote none. */
export async function fetchSummary(
  endpoint: string,
  bucket: string,
  environment: string,
  executionName: string,
): Promise<RunSummary | null> {
  const s3 = new S3Client({
    endpoint,
    region: MOTO_REGION,
    credentials: MOTO_CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    const object = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: `${REPORTS_PREFIX}${environment}/${executionName}/summary.json`,
      }),
    );
    return JSON.parse((await object.Body?.transformToString()) ?? 'null') as RunSummary | null;
  } catch (err) {
    if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
    throw err;
  }
}

/** Completes the summary with the executor's timeline and measured cost, and writes both files. */
export function writeLocalReport(
  summary: RunSummary,
  events: readonly ExecutionEvent[],
  waitStates: ReadonlySet<string>,
  reportDir: string,
): LocalReport {
  const last = events.at(-1);
  const local: RunSummary = {
    ...summary,
    generator: 'local',
    generatedAt: new Date().toISOString(),
    execution: {
      ...summary.execution,
      endedAt: last ? new Date(last.timestamp).toISOString() : summary.execution.endedAt,
    },
    phases: phasesFromEvents(events, waitStates),
    cost: runCost(costFromEvents(events, TASK_STATES)),
  };
  const folder = resolve(reportDir, summary.execution.name);
  mkdirSync(folder, { recursive: true });
  const html = join(folder, 'report.html');
  const json = join(folder, 'summary.json');
  writeFileSync(html, renderReport(local));
  writeFileSync(json, `${JSON.stringify(local, null, 2)}\n`);
  return { folder, html, json, summary: local };
}

/**
 * The last passing run of each environment and scenario, kept in `<reportDir>/baselines/` between local runs
 * (each local run starts a fresh AWS emulator): seeded into the emulated table before a run, saved after it.
 */
export class LocalBaselines {
  constructor(
    private readonly reportDir: string,
    private readonly runs: Pick<RunStore, 'putBaseline' | 'lastPassingRun'>,
  ) {}

  private file(environment: string, scenario: string): string {
    return join(this.reportDir, 'baselines', `${safe(environment)}--${safe(scenario)}.json`);
  }

  async seed(environment: string, scenario: string): Promise<void> {
    const file = this.file(environment, scenario);
    if (!existsSync(file)) return;
    const baseline = JSON.parse(readFileSync(file, 'utf8')) as Baseline;
    await this.runs.putBaseline(environment, scenario, baseline);
  }

  async keep(environment: string, scenario: string): Promise<void> {
    const baseline = await this.runs.lastPassingRun(environment, scenario);
    if (!baseline) return;
    mkdirSync(join(this.reportDir, 'baselines'), { recursive: true });
    writeFileSync(this.file(environment, scenario), `${JSON.stringify(baseline, null, 2)}\n`);
  }
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}
