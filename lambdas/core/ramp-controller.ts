/** The ramp controller's public surface (the modules are under ./ramp/). */
export * from './ramp/controller';
export { PLATEAU_SPREAD_SECONDS, plannedRate } from './ramp/feedforward';
export type * from './ramp/types';
