/**
 * What the CDK app and the step functions must agree on, with no imports: CDK code reads these instead of
 * loading a handler or an adapter (and their clients) at synth time.
 */

/** The statuses the EventBridge rule sends (cdk/lib/janitor.ts): the ends a Catch cannot cover. */
export const JANITOR_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;

/** The re-check delay SQS allows at most; a step Lambda runs 15 minutes at most, too. */
export const MAX_RECHECK_DELAY_SECONDS = 900;

/** The namespace of the test's metrics (the dashboard reads the same). */
export const METRICS_NAMESPACE = 'LoadTestConductor';

/** Every report lives below this prefix (the Evaluate function may write nowhere else). */
export const REPORTS_PREFIX = 'runs/';

/** The group of the conductor's identity on test clusters (EKS access entry `kubernetesGroups`). */
export const CONDUCTOR_GROUP = 'load-test-conductor';

/** The group of the conductor's read-only identity on production clusters. */
export const PRODUCTION_READER_GROUP = 'load-test-conductor-readers';
