import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally } from '../../../local/executor';
import { MOTO_REGION } from '../../../local/moto';
import { STEP_IDS, STEPS, type StepId } from '../../../statemachine/steps';
import { SHORT_LOCAL_RUN } from '../../support/faults/retry-faults';
import { AwsCallRecorder } from '../../support/iam/aws-call-recorder';
import {
  describeDenial,
  judgeRole,
  type RoleJudgement,
  unexplainedGrants,
} from '../../support/iam/evaluate-calls';
import { pipelineRoles, type RolePolicies, topicKeys } from '../../support/iam/template-policies';

/**
 * A whole load test through the synthesized state machine (the local environment: demo shop, Locust,
 * moto) with every AWS call recorded, then each judged against its step's role in the same template.
 */
let env: LocalEnvironment;
let recorder: AwsCallRecorder;
let status: string;
const judgements = new Map<StepId, RoleJudgement>();
const RAN = STEP_IDS.filter((s) => s !== 'plan-dry-run');
let roles: Map<StepId | 'janitor', RolePolicies>;

beforeAll(async () => {
  env = await startLocalEnvironment({ workers: 1 });
  roles = pipelineRoles(env.pipeline, env.aws, MOTO_REGION);
  recorder = new AwsCallRecorder(
    'pipeline-permissions',
    topicKeys(env.pipeline, env.aws, MOTO_REGION),
  ).start();
  try {
    status = (await executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN)).status;
  } finally {
    recorder.stop();
  }
  for (const step of RAN) {
    const calls = recorder.calls.filter((c) => c.step === STEPS[step]);
    judgements.set(step, await judgeRole(roles.get(step) as RolePolicies, calls));
  }
}, 400_000);

afterAll(async () => {
  await env?.stop();
});

describe('a whole run: every AWS call under its role in the synthesized template', () => {
  it('ran to the end and recorded calls of every step that touches AWS', () => {
    expect(status).toBe('SUCCEEDED');
    const steps = new Set(recorder.calls.map((c) => c.step));
    // Every step records its phase in the runs table, so every step that ran made at least one call; the
    // dry run runs only when asked for (its calls: ecs-permissions.test.ts).
    expect([...steps].sort()).toEqual(RAN.map((s) => STEPS[s]).sort());
    const actions = new Set(recorder.calls.flatMap((c) => c.requests.map((r) => `${c.step} ${r.action}`)));
    for (const expected of [
      `${STEPS.evaluate} s3:PutObject`,
      `${STEPS.evaluate} dynamodb:Query`,
      `${STEPS['ramp-tick']} cloudwatch:PutMetricData`,
      `${STEPS['release-lock']} sns:Publish`,
      `${STEPS['release-lock']} s3:PutObject`,
    ])
      expect(actions).toContain(expected);
  });

  it('allows each recorded call (a denial names step, action and resource)', () => {
    expect([...judgements.values()].flatMap((j) => j.denials.map(describeDenial))).toEqual([]);
  });

  it('needs every statement: removing any one denies a recorded call, unless its grant carries a reason', () => {
    const findings = [...judgements].flatMap(([step, judgement]) =>
      unexplainedGrants(step, roles.get(step) as RolePolicies, judgement),
    );
    expect(findings).toEqual([]);
  });
});
