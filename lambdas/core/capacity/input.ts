/**
 * The execution input's capacity mode (`mode: "capacity"`, `capacity: {…}`), checked against the environment
 * before anything changes. Pure; called by core/run-input.ts `validateRunInput`.
 */
import type { EnvironmentConfig } from '../config';
import type { FieldProblem } from '../errors';
import { type CapacityParameters, DEFAULT_HOLD_TICKS, settleTicks } from './search';

export type RunMode = 'target' | 'capacity';

/** What the input says of the mode (after the schema). */
export interface RawModeInput {
  readonly mode?: RunMode;
  readonly capacity?: Partial<CapacityParameters>;
  readonly targetOrdersPerMinute?: number;
}

export type CapacityInputResult =
  | { readonly mode: 'target'; readonly problems: readonly FieldProblem[] }
  | {
      readonly mode: 'capacity';
      readonly parameters: CapacityParameters;
      readonly problems: readonly FieldProblem[];
    };

/**
 * The capacity parameters with their defaults, and what is wrong with them. `timing` is the request with its
 * defaults filled in (ramp-up, plateau, tick).
 */
export function checkCapacityInput(
  input: RawModeInput,
  environmentName: string,
  environment: Pick<EnvironmentConfig, 'maxOrdersPerMinute' | 'slos'>,
  timing: { readonly rampUpMinutes: number; readonly plateauMinutes: number; readonly tickSeconds: number },
): CapacityInputResult {
  const problems: FieldProblem[] = [];
  if (input.mode !== 'capacity') {
    if (input.capacity !== undefined)
      problems.push({ field: 'capacity', rule: "only with mode 'capacity' (this run holds a target)" });
    return { mode: 'target', problems };
  }
  const raw = input.capacity ?? {};
  const parameters: CapacityParameters = {
    maxOrdersPerMinute: raw.maxOrdersPerMinute ?? environment.maxOrdersPerMinute,
    holdTicks: raw.holdTicks ?? DEFAULT_HOLD_TICKS,
    resolutionOrdersPerMinute: raw.resolutionOrdersPerMinute ?? null,
  };
  if (input.targetOrdersPerMinute !== undefined) {
    problems.push({
      field: 'targetOrdersPerMinute',
      rule: "not with mode 'capacity': the search finds the rate (cap it with capacity.maxOrdersPerMinute)",
    });
  }
  if (parameters.maxOrdersPerMinute > environment.maxOrdersPerMinute) {
    problems.push({
      field: 'capacity.maxOrdersPerMinute',
      rule: `must be at most ${environment.maxOrdersPerMinute}, the maximum of environment '${environmentName}'`,
    });
  }
  const { slos } = environment;
  const judged =
    slos.alarms.length > 0 ||
    slos.requests.some(
      (r) => r.p95Ms !== undefined || r.p99Ms !== undefined || r.maxFailureRatio !== undefined,
    );
  if (!judged) {
    problems.push({
      field: 'mode',
      rule: `'capacity' needs an SLO to judge, and environment '${environmentName}' has none in slos.requests (p95Ms, p99Ms, maxFailureRatio) or slos.alarms: the failure ratio alone finds the saturation, which mode 'target' reports`,
    });
  }
  if (parameters.holdTicks < slos.breachTicks) {
    problems.push({
      field: 'capacity.holdTicks',
      rule: `must be at least ${slos.breachTicks}, the slos.breachTicks of environment '${environmentName}': a breach counts only after that many ticks`,
    });
  }
  if (timing.rampUpMinutes <= 0) {
    problems.push({
      field: 'rampUpMinutes',
      rule: `must be more than 0 in mode 'capacity': the climb from zero to ${parameters.maxOrdersPerMinute} orders/min takes it`,
    });
  }
  const settle = settleTicks(timing.tickSeconds);
  const windowTicks = settle + parameters.holdTicks;
  if (timing.plateauMinutes * 60 < windowTicks * timing.tickSeconds) {
    problems.push({
      field: 'plateauMinutes',
      rule: `must hold at least one capacity window in mode 'capacity': (${settle} settling + ${parameters.holdTicks} judged) ticks × ${timing.tickSeconds} s = ${(windowTicks * timing.tickSeconds) / 60} min`,
    });
  }
  return { mode: 'capacity', parameters, problems };
}
