/** The conductor's configuration: its types, parseConfig (schema, defaults, cross-field rules) and what reads it. */
export * from './defaults';
export { locustFargateNames } from './locust-fargate';
export { parseConfig } from './parse';
export {
  ecsClusterName,
  environmentProductionTargets,
  kubernetesClusterTarget,
  nodeGroupTarget,
  platformTarget,
} from './platforms';
export { scheduleProblems } from './schedules';
export * from './slos';
export type * from './types';
