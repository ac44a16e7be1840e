import { RESTORE_STEP_SLOTS, type RestoreStepSlot } from '../lambdas/core/restore';

/**
 * The Lambda-backed steps of a load test, in lifecycle order. The key is the
 * handler file under `lambdas/handlers/`; the value is the state's name in the
 * Step Functions console, which is also how the local runner finds it.
 */
export const STEPS = {
  'validate-input': 'Validate input',
  'plan-dry-run': 'Plan dry run',
  'acquire-lock': 'Acquire lock',
  deploy: 'Deploy production versions',
  scale: 'Scale to production size',
  'start-load': 'Start load',
  'ramp-tick': 'Ramp tick',
  'stop-load': 'Stop load',
  evaluate: 'Evaluate',
  teardown: 'Teardown',
  cleanup: 'Cleanup',
  'release-lock': 'Release lock',
} as const;

export type StepId = keyof typeof STEPS;

/** The steps of a real (not dry) run, in the order they run. */
export const LIFECYCLE_STEPS = [
  STEPS['validate-input'],
  STEPS['acquire-lock'],
  STEPS.deploy,
  STEPS.scale,
  STEPS['start-load'],
  STEPS['ramp-tick'],
  STEPS['stop-load'],
  STEPS.evaluate,
  STEPS.teardown,
  STEPS.cleanup,
  STEPS['release-lock'],
] as const;
export type StepStateName = (typeof STEPS)[StepId];
export const STEP_IDS = Object.keys(STEPS) as StepId[];

/** Names of the states that are not Lambda tasks, for tests and the local runner. */
export const CONTROL_STATES = {
  continuationChoice: 'Continuing a run?',
  dryRunChoice: 'Dry run?',
  waitForTick: 'Wait for next tick',
  rampChoice: 'Ramp finished?',
  tickBudgetExhausted: 'Tick budget exhausted',
  continueRun: 'Continue in new execution',
  continued: 'Run continued',
  outcomeChoice: 'Outcome?',
  runFailed: 'Run failed',
  evaluationFailed: 'Evaluation failed',
  restoreChecked: 'Restore checked',
  restoreFailed: 'Restore incomplete',
  restoreUnchecked: 'Restore unchecked',
  succeeded: 'Run complete',
  dryRunDone: 'Dry run planned',
} as const;

/**
 * Task states of the prepare phase (statemachine/prepare-map.ts) that invoke a step's handler for one item:
 * one application (inside the Maps), or the environment's node groups.
 */
export const MAP_ITEM_TASKS = {
  deployApplication: 'Deploy application',
  scaleNodeGroups: 'Scale node groups',
  scaleApplication: 'Scale application',
} as const;
export const MAP_ITEM_TASK_STEPS: Readonly<
  Record<(typeof MAP_ITEM_TASKS)[keyof typeof MAP_ITEM_TASKS], StepId>
> = {
  [MAP_ITEM_TASKS.deployApplication]: 'deploy',
  [MAP_ITEM_TASKS.scaleNodeGroups]: 'scale',
  [MAP_ITEM_TASKS.scaleApplication]: 'scale',
};

/** The Pass state that records a restore step's caught error, e.g. "Teardown failed". */
export function restoreFailedState(slot: RestoreStepSlot): string {
  return `${RESTORE_STEP_SLOTS[slot]} failed`;
}
