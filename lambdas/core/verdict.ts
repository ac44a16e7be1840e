import type { SloConfig } from './config';
import { round } from './numbers';
import type { PlateauTotals, StepError } from './state';

export type Outcome = 'pass' | 'warn' | 'fail' | 'error';

/** One service level indicator as the verdict explains it. */
export interface SliResult {
  readonly name: string;
  readonly threshold: string;
  readonly observed: number | null;
  readonly unit: string;
  readonly passed: boolean;
}

export interface Verdict {
  readonly outcome: Outcome;
  readonly environment: string;
  readonly scenario: string;
  readonly executionName: string;
  readonly targetOrdersPerMinute: number;
  readonly achievedOrdersPerMinute: number | null;
  readonly slis: readonly SliResult[];
  readonly reasons: readonly string[];
  readonly summary: string;
  /** Where the run's report is stored, once it is. */
  readonly report?: string;
}

export interface VerdictInput {
  readonly environment: string;
  readonly scenario: string;
  readonly executionName: string;
  readonly targetOrdersPerMinute: number;
  readonly slos: SloConfig;
  readonly plateau: PlateauTotals | null;
  readonly failure: StepError | null;
}

/**
 * Pass when the plateau held the target within tolerance and failures stayed
 * under the limit; fail when either did not; error when the run was
 * interrupted (the verdict then explains why instead of judging).
 */
export function judge(input: VerdictInput): Verdict {
  const base = {
    environment: input.environment,
    scenario: input.scenario,
    executionName: input.executionName,
    targetOrdersPerMinute: input.targetOrdersPerMinute,
  };
  if (input.failure) {
    const reason = `run interrupted by ${input.failure.Error}: ${input.failure.Cause ?? 'no cause given'}`;
    return {
      ...base,
      outcome: 'error',
      achievedOrdersPerMinute: null,
      slis: [],
      reasons: [reason],
      summary: `ERROR — ${reason}`,
    };
  }
  const plateau = input.plateau;
  if (!plateau || plateau.minutes <= 0) {
    const reason = 'no plateau was measured, so the target could not be judged';
    return {
      ...base,
      outcome: 'warn',
      achievedOrdersPerMinute: null,
      slis: [],
      reasons: [reason],
      summary: `WARN — ${reason}`,
    };
  }

  const achieved = plateau.orders / plateau.minutes;
  const tolerance = input.slos.targetTolerance;
  const deviation = Math.abs(achieved - input.targetOrdersPerMinute) / input.targetOrdersPerMinute;
  const failureRatio = plateau.requests > 0 ? plateau.failures / plateau.requests : 0;
  const slis: SliResult[] = [
    {
      name: 'orders per minute (plateau mean)',
      threshold: `${input.targetOrdersPerMinute} ± ${(tolerance * 100).toFixed(0)} %`,
      observed: round(achieved, 1),
      unit: 'orders/min',
      passed: deviation <= tolerance,
    },
    {
      name: 'failure ratio (plateau)',
      threshold: `≤ ${(input.slos.maxFailureRatio * 100).toFixed(2)} %`,
      observed: round(failureRatio * 100, 3),
      unit: '%',
      passed: failureRatio <= input.slos.maxFailureRatio,
    },
  ];
  const failed = slis.filter((s) => !s.passed);
  const reasons = failed.map((s) => `${s.name}: ${s.observed} ${s.unit}, wanted ${s.threshold}`);
  const outcome: Outcome = failed.length > 0 ? 'fail' : 'pass';
  const summary =
    outcome === 'pass'
      ? `PASS — held ${round(achieved, 1)} orders/min (target ${input.targetOrdersPerMinute}) with ${round(failureRatio * 100, 2)} % failures`
      : `FAIL — ${reasons.join('; ')}`;
  return { ...base, outcome, achievedOrdersPerMinute: round(achieved, 1), slis, reasons, summary };
}
