import { type CleanupRunner, defaultCleanupRunner } from '../../adapters/cleanup-actions';

/** Cleanup actions other than `http` (which the Cleanup step calls itself): `sql`, `kubernetes-job`, `ecs-task`. */
export const cleanupActions = (): CleanupRunner => defaultCleanupRunner();
