/**
 * The JSON summary of a run, for machines (schema/run-summary.schema.json), and what the HTML report is
 * rendered from. Built in AWS by Evaluate (and again, complete, by Release lock) and locally by the runner.
 */
import { type CapacitySummary, capacitySummary } from '../capacity/section';
import { type KpiConfig, type SloConfig, withSloDefaults } from '../config';
import type { StepError } from '../errors';
import type { DeployResult, ScaleResult } from '../plan';
import type { PhaseRecord, TickRecord } from '../records';
import type { CleanupResult, RestoreOutcome, TeardownResult } from '../restore';
import type { RunRequest } from '../run-input';
import type { RunState } from '../run-state';
import { kpiOf, scenarioUserClasses } from '../scenario';
import type { RunAbort } from '../slo';
import type { Verdict } from '../verdict';
import type { RunCost } from './cost';

export const SUMMARY_SCHEMA_VERSION = 1;

/** A change of the system under test noticed during the run (e.g. a rollout put a service back on small pods). */
export interface DriftEvent {
  readonly at: string;
  readonly application: string;
  readonly message: string;
}

export interface RunSummary {
  readonly schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  readonly generatedAt: string;
  /** Which part wrote it: `evaluate` (before teardown), `release-lock` (complete), `local` (the local runner). */
  readonly generator: 'evaluate' | 'release-lock' | 'local';
  readonly execution: {
    readonly id: string;
    readonly name: string;
    readonly startedAt: string;
    readonly endedAt: string | null;
  };
  readonly request: RunRequest;
  /** What the scenario ran (its classes and weights, as Start load selected them) and the KPI it counted. */
  readonly scenario?: {
    readonly name: string;
    readonly userClasses: Readonly<Record<string, number>> | null;
    readonly kpi: KpiConfig;
  };
  readonly verdict: Verdict | null;
  readonly slos: SloConfig;
  readonly abort: RunAbort | null;
  readonly failure: StepError | null;
  /**
   * Whether the environment is back in its recorded shape: every restore step's error and what is left.
   * Null until Release lock checked it (the summary Evaluate writes, before the restore).
   */
  readonly restore: RestoreOutcome | null;
  readonly changes: {
    readonly deploy: DeployResult | null;
    readonly scale: ScaleResult | null;
    readonly teardown: TeardownResult | null;
    readonly cleanup: CleanupResult | null;
  };
  readonly drift: readonly DriftEvent[];
  readonly ticks: readonly TickRecord[];
  readonly phases: readonly PhaseRecord[];
  readonly cost: RunCost;
  /** Mode capacity: the search's result, levels and curves (core/capacity/section.ts); null in mode target. */
  readonly capacity: CapacitySummary | null;
}

export interface SummaryInput {
  readonly state: RunState;
  /** The verdict when it is not (yet) in the state (Evaluate builds the summary before returning it). */
  readonly verdict?: Verdict | null;
  readonly ticks: readonly TickRecord[];
  readonly phases: readonly PhaseRecord[];
  readonly cost: RunCost;
  readonly generator: RunSummary['generator'];
  readonly generatedAt: string;
  readonly endedAt: string | null;
}

export function buildRunSummary(input: SummaryInput): RunSummary {
  const { state } = input;
  const { run } = state;
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    generatedAt: input.generatedAt,
    generator: input.generator,
    execution: {
      id: run.executionId,
      name: run.executionName,
      startedAt: run.startedAt,
      endedAt: input.endedAt,
    },
    request: run.request,
    scenario: {
      name: run.request.scenario,
      userClasses: scenarioUserClasses(run.environment, run.request.scenario),
      kpi: kpiOf(run.environment),
    },
    verdict: input.verdict ?? state.verdict ?? null,
    slos: withSloDefaults(run.environment.slos),
    abort: state.ramp?.abort ?? null,
    failure: state.failure ?? null,
    restore: state.restore ?? null,
    changes: {
      deploy: state.deploy ?? null,
      scale: state.scale ?? null,
      teardown: state.teardown ?? null,
      cleanup: state.cleanup ?? null,
    },
    drift: driftEvents(state, input.ticks),
    ticks: input.ticks,
    phases: [...input.phases].sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
    cost: input.cost,
    capacity: capacitySummary(state, input.ticks),
  };
}

/**
 * Drift events wherever the run recorded them: the ticks' `drift` and `ramp.drift` — arrays of
 * `{ at?, application, message }` or the drift guard's `{ at, application, differences[], reapplied, error? }`
 * (lambdas/use-cases/drift.ts). Both are optional.
 */
function driftEvents(state: RunState, ticks: readonly TickRecord[]): DriftEvent[] {
  const out: DriftEvent[] = [];
  const take = (value: unknown, at: string) => {
    if (!Array.isArray(value)) return;
    for (const d of value) {
      const e = d as {
        at?: unknown;
        application?: unknown;
        message?: unknown;
        differences?: unknown;
        reapplied?: unknown;
        error?: unknown;
      };
      if (!e || typeof e.application !== 'string') continue;
      let message = typeof e.message === 'string' ? e.message : '';
      if (!message && Array.isArray(e.differences)) {
        message = e.differences
          .map(
            (x: { field?: unknown; expected?: unknown; actual?: unknown }) =>
              `${String(x.field)}: expected ${JSON.stringify(x.expected)}, found ${JSON.stringify(x.actual)}`,
          )
          .join('; ');
        if (e.reapplied === true) message += ' — re-applied';
      }
      if (typeof e.error === 'string') message += `${message ? ' — ' : ''}${e.error}`;
      out.push({
        at: typeof e.at === 'string' ? e.at : at,
        application: e.application,
        message: message || 'drifted',
      });
    }
  };
  for (const t of ticks) take((t as { drift?: unknown }).drift, t.at);
  if (out.length === 0)
    take((state.ramp as { drift?: unknown } | undefined)?.drift, state.ramp?.startedAt ?? '');
  return out;
}
