/**
 * What a run cost in AWS at list prices (us-east-1): Step Functions Standard state transitions and the
 * step Lambdas' GB-seconds on arm64 plus their requests. The load itself (Locust, the system under test)
 * is not included: it runs on the team's own infrastructure.
 */
import type { PhaseRecord, TickRecord } from '../../adapters/aws/run-store';
import { round } from '../numbers';

export const PRICES = {
  /** Step Functions Standard: $0.025 per 1,000 state transitions. */
  stateTransitionUsd: 0.025 / 1000,
  /** Lambda on arm64 (Graviton), first pricing tier: $0.0000133334 per GB-second. */
  lambdaArmGbSecondUsd: 0.0000133334,
  /** Lambda requests: $0.20 per million. */
  lambdaRequestUsd: 0.2 / 1_000_000,
} as const;

/** Memory of every step function (cdk/lib/step-handler-function.ts). */
export const STEP_MEMORY_MB = 256;

export interface LambdaInvocation {
  readonly step: string;
  readonly durationMs: number;
  readonly memoryMb: number;
}

export interface CostInput {
  readonly stateTransitions: number;
  readonly invocations: readonly LambdaInvocation[];
  /** `measured`: from the execution's events; `estimated`: from the run's records, missing parts assumed. */
  readonly basis: 'measured' | 'estimated';
  readonly note?: string;
}

export interface RunCost {
  readonly stateTransitions: number;
  readonly stepFunctionsUsd: number;
  readonly lambdaInvocations: number;
  readonly lambdaGbSeconds: number;
  readonly lambdaUsd: number;
  readonly totalUsd: number;
  readonly basis: 'measured' | 'estimated';
  readonly note: string;
  readonly prices: typeof PRICES;
}

export function runCost(input: CostInput): RunCost {
  // Lambda bills each invocation's duration rounded up to the millisecond.
  const gbSeconds = input.invocations.reduce(
    (sum, i) => sum + (Math.ceil(Math.max(0, i.durationMs)) / 1000) * (i.memoryMb / 1024),
    0,
  );
  const stepFunctionsUsd = input.stateTransitions * PRICES.stateTransitionUsd;
  const lambdaUsd =
    gbSeconds * PRICES.lambdaArmGbSecondUsd + input.invocations.length * PRICES.lambdaRequestUsd;
  return {
    stateTransitions: input.stateTransitions,
    stepFunctionsUsd: round(stepFunctionsUsd, 8),
    lambdaInvocations: input.invocations.length,
    lambdaGbSeconds: round(gbSeconds, 3),
    lambdaUsd: round(lambdaUsd, 8),
    totalUsd: round(stepFunctionsUsd + lambdaUsd, 8),
    basis: input.basis,
    note:
      input.note ??
      (input.basis === 'measured'
        ? 'from the execution: every state entered and retried, each task state timed'
        : 'estimated from the run records'),
    prices: PRICES,
  };
}

/** The events of an execution as the local interpreter (or a history) gives them. */
export interface ExecutionEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: { readonly name: string };
}

/**
 * Cost from an execution's events: each state entered (and each retry) is a transition; each task state
 * (the names in `taskStates`) is a Lambda invocation lasting from entering to leaving the state.
 */
export function costFromEvents(
  events: readonly ExecutionEvent[],
  taskStates: ReadonlySet<string>,
  memoryMb = STEP_MEMORY_MB,
): CostInput {
  let stateTransitions = 0;
  const invocations: LambdaInvocation[] = [];
  const entered = new Map<string, number>();
  for (const e of events) {
    const name = e.state?.name;
    if (!name) continue;
    if (e.type === 'StateEntered') {
      stateTransitions++;
      entered.set(name, e.timestamp);
    } else if (e.type === 'StateRetried') {
      stateTransitions++;
    } else if (e.type === 'StateExited' || e.type === 'StateFailed' || e.type === 'StateCaught') {
      const start = entered.get(name);
      if (start !== undefined && taskStates.has(name)) {
        invocations.push({ step: name, durationMs: e.timestamp - start, memoryMb });
        entered.delete(name);
      }
    }
  }
  return { stateTransitions, invocations, basis: 'measured' };
}

/** Lambda time assumed for a step that left no record of its duration. */
export const ASSUMED_STEP_MS = 1000;
/** Lambda steps of every run that locked an environment (besides the ticks). */
const FIXED_STEPS = [
  'Validate input',
  'Acquire lock',
  'Deploy production versions',
  'Scale to production size',
  'Start load',
  'Stop load',
  'Evaluate',
  'Teardown',
  'Cleanup',
  'Release lock',
];
/** States entered besides the steps and the ticks: Dry run?, Outcome?, the end state. */
const FIXED_CONTROL_STATES = 3;
/** Each tick enters three states: Wait for next tick, Ramp tick, Ramp finished?. */
const STATES_PER_TICK = 3;

/**
 * Cost estimated in AWS from the run's records: the state machine's shape gives the transitions, the
 * recorded phases their Lambda time, and every step without a record is assumed to take ASSUMED_STEP_MS.
 */
export function estimateCost(
  ticks: readonly Pick<TickRecord, 'tick'>[],
  phases: readonly PhaseRecord[],
  memoryMb = STEP_MEMORY_MB,
): CostInput {
  const tickCount = ticks.length;
  const stateTransitions = FIXED_STEPS.length + FIXED_CONTROL_STATES + STATES_PER_TICK * tickCount;
  const timed = new Map<string, number>();
  for (const p of phases) {
    const ms = p.lambdaMs ?? Date.parse(p.endedAt) - Date.parse(p.startedAt);
    if (Number.isFinite(ms)) timed.set(p.name, (timed.get(p.name) ?? 0) + ms);
  }
  const invocations: LambdaInvocation[] = FIXED_STEPS.map((step) => ({
    step,
    durationMs: timed.get(step) ?? ASSUMED_STEP_MS,
    memoryMb,
  }));
  for (let i = 0; i < tickCount; i++) {
    invocations.push({ step: 'Ramp tick', durationMs: ASSUMED_STEP_MS, memoryMb });
  }
  return {
    stateTransitions,
    invocations,
    basis: 'estimated',
    note: `${stateTransitions} transitions from the workflow's shape and ${tickCount} ticks; Lambda time of recorded steps measured (${[...timed.keys()].join(', ') || 'none'}), ${ASSUMED_STEP_MS} ms assumed for the others`,
  };
}
