import { type ConductorConfig, parseConfig } from '../../lambdas/core/config';
import type { RunState } from '../../lambdas/core/run-state';
import { handler as validateInput } from '../../lambdas/handlers/validate-input';
import { resetDeps } from '../../lambdas/runtime/step';
import { MOTO_ACCOUNT_ID, MOTO_REGION, motoEnv } from '../../local/moto';

/**
 * What the Cleanup step's e2e tests share: environments that differ only in their cleanup actions, the
 * step's process environment (AWS on moto, no run store or reports), and a validated run to clean up after.
 */
export function cleanupConfig(cleanupByEnvironment: Record<string, readonly unknown[]>): ConductorConfig {
  const base = {
    maxOrdersPerMinute: 1000,
    scenarios: ['checkout'],
    defaultScenario: 'checkout',
    locust: { url: 'http://127.0.0.1:1' },
    applications: [
      {
        name: 'shop',
        test: { type: 'http', url: 'http://127.0.0.1:2' },
        production: { type: 'http', url: 'http://127.0.0.1:3' },
      },
    ],
  };
  return parseConfig({
    environments: Object.fromEntries(
      Object.entries(cleanupByEnvironment).map(([name, cleanup]) => [name, { ...base, cleanup }]),
    ),
  });
}

/** Points the step handlers at moto and the configuration (plus `extra` variables). */
export function useCleanupConfig(
  motoEndpoint: string,
  config: ConductorConfig,
  extra: Record<string, string> = {},
): void {
  Object.assign(process.env, motoEnv(motoEndpoint), {
    RUNS_TABLE: 'unused',
    REPORTS_BUCKET: 'unused',
    TOPIC_ARN: `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:unused`,
    LTC_CONFIG: JSON.stringify(config),
    ...extra,
  });
  resetDeps();
}

let run = 0;

/** A validated run of `environment`, as the Cleanup step receives it. */
export function startRun(environment: string, prefix: string): Promise<RunState> {
  run += 1;
  return validateInput({
    input: { environment, targetOrdersPerMinute: 100, rampUpMinutes: 1, plateauMinutes: 1 },
    execution: {
      id: `arn:aws:states:us-east-1:1:execution:m:${prefix}-${run}`,
      name: `${prefix}-${run}`,
      startTime: new Date().toISOString(),
    },
  });
}
