/** The ramp controller's public surface (the modules are under ./ramp/). */
export * from './ramp/controller';
export { DEFAULT_ORDER_DELAY_SECONDS, PLATEAU_SPREAD_SECONDS, plannedRate } from './ramp/feedforward';
export { MAX_GROWTH, MIN_STEP } from './ramp/limits';
export { userMinutes } from './ramp/measurement';
export type * from './ramp/types';
