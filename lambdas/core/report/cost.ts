/**
 * What a run cost in AWS at list prices (us-east-1): Step Functions Standard state transitions and the
 * step Lambdas' GB-seconds on arm64 plus their requests. The load itself (Locust, the system under test)
 * is not included: it runs on the team's own infrastructure.
 */
import { round } from '../numbers';
import type { PhaseRecord, TickRecord } from '../records';

export const PRICES = {
  /** Step Functions Standard: $0.025 per 1,000 state transitions. */
  stateTransitionUsd: 0.025 / 1000,
  /** Lambda on arm64 (Graviton), first pricing tier: $0.0000133334 per GB-second. */
  lambdaArmGbSecondUsd: 0.0000133334,
  /** Lambda requests: $0.20 per million. */
  lambdaRequestUsd: 0.2 / 1_000_000,
} as const;

/** Memory of every step function (cdk/lib/step-handler-function.ts). */
const STEP_MEMORY_MB = 256;

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
const ASSUMED_STEP_MS = 1000;

/** What of the run's shape decides how many states it entered besides its ticks. */
export interface RunShapeForCost {
  /** Applications in scope: Deploy and Scale run once per application (Maps). */
  readonly applications: number;
  /** Whether Deploy ran (a run that keeps the deployed versions skips it). */
  readonly deployed: boolean;
  /** Executions the run took: 1, plus one per continuation of a long soak. */
  readonly executions: number;
}

/**
 * Control states of the first execution: Continuing a run?, Dry run?, Deploy production versions?, the
 * Deploy Map (or Keep deployed versions), the Scale Map, Outcome? and the end state.
 */
const FIRST_EXECUTION_CONTROL_STATES = 7;
/** A continuation's: Continue in new execution and Run continued in the old one, Continuing a run? in the new. */
const CONTINUATION_CONTROL_STATES = 3;
/** Each tick enters Wait for next tick and Ramp finished? besides its Lambda task. */
const CONTROL_STATES_PER_TICK = 2;

/** The Lambda invocations of a run by step (the phase name the step records), ticks aside. */
function invocationCounts(shape: RunShapeForCost): [string, number][] {
  return [
    ['Validate input', shape.executions],
    ['Acquire lock', 1],
    ['Deploy production versions', shape.deployed ? shape.applications : 0],
    // The node groups are scaled in one invocation before the applications.
    ['Scale to production size', shape.applications + 1],
    ['Start load', 1],
    ['Stop load', 1],
    ['Evaluate', 1],
    ['Teardown', 1],
    ['Cleanup', 1],
    ['Release lock', 1],
  ];
}

/**
 * Cost estimated in AWS from the run's records: the state machine's shape gives the transitions, the
 * recorded phases their Lambda time (a step's recorded time is spread over its invocations), and every
 * step without a record is assumed to take ASSUMED_STEP_MS an invocation.
 */
export function estimateCost(
  ticks: readonly Pick<TickRecord, 'tick'>[],
  phases: readonly PhaseRecord[],
  shape: RunShapeForCost,
  memoryMb = STEP_MEMORY_MB,
): CostInput {
  const tickCount = ticks.length;
  const timed = new Map<string, number>();
  for (const p of phases) {
    const ms = p.lambdaMs ?? Date.parse(p.endedAt) - Date.parse(p.startedAt);
    if (Number.isFinite(ms)) timed.set(p.name, (timed.get(p.name) ?? 0) + ms);
  }
  const invocations: LambdaInvocation[] = [];
  for (const [step, count] of invocationCounts(shape)) {
    const durationMs = count > 0 ? (timed.get(step) ?? count * ASSUMED_STEP_MS) / count : 0;
    for (let i = 0; i < count; i++) invocations.push({ step, durationMs, memoryMb });
  }
  for (let i = 0; i < tickCount; i++) {
    invocations.push({ step: 'Ramp tick', durationMs: ASSUMED_STEP_MS, memoryMb });
  }
  const stateTransitions =
    invocations.length +
    FIRST_EXECUTION_CONTROL_STATES +
    CONTINUATION_CONTROL_STATES * (shape.executions - 1) +
    CONTROL_STATES_PER_TICK * tickCount;
  return {
    stateTransitions,
    invocations,
    basis: 'estimated',
    note: `${stateTransitions} transitions from the workflow's shape (${shape.applications} applications, ${shape.executions} executions) and ${tickCount} ticks; Lambda time of recorded steps measured (${[...timed.keys()].join(', ') || 'none'}), ${ASSUMED_STEP_MS} ms assumed for the others`,
  };
}
