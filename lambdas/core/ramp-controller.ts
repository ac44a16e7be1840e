/** The ramp controller's public surface (the modules are under ./ramp/). */
export * from './ramp/controller';
export { PLATEAU_SPREAD_SECONDS, plannedRate } from './ramp/feedforward';
export { GENERATORS_CPU_PERCENT } from './ramp/saturation';
export type * from './ramp/types';
