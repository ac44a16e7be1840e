import type { ConductorConfig } from '../../lambdas/core/config';
import { resetDeps } from '../../lambdas/runtime/step';
import { createLocalAwsResources, type LocalAwsResources, RUNS_TABLE_KEYS } from '../../local/aws-resources';
import { motoEnv } from '../../local/moto';

/**
 * Points the step handlers at a started moto: creates the run store's table (the stack's keys), the reports
 * bucket and the topic there, puts moto's endpoint, their names, the configuration and `extra` in the process
 * environment, and resets the steps' dependencies so the next step builds them from it.
 */
export async function useMotoAws(
  endpoint: string,
  config: ConductorConfig,
  extra: Readonly<Record<string, string>> = {},
): Promise<LocalAwsResources> {
  const resources = await createLocalAwsResources(endpoint, RUNS_TABLE_KEYS);
  Object.assign(process.env, motoEnv(endpoint), resources, { LTC_CONFIG: JSON.stringify(config) }, extra);
  resetDeps();
  return resources;
}
