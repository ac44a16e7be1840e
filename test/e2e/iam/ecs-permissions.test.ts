import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateClusterCommand as CreateEksClusterCommand,
  CreateNodegroupCommand,
  EKSClient,
  UpdateNodegroupConfigCommand,
} from '@aws-sdk/client-eks';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConductorConfig, parseConfig } from '../../../lambdas/core/config';
import type { RunState } from '../../../lambdas/core/run-state';
import { handler as acquireLock } from '../../../lambdas/handlers/acquire-lock';
import { handler as cleanup } from '../../../lambdas/handlers/cleanup';
import { handler as janitor } from '../../../lambdas/handlers/janitor';
import { handler as planDryRun } from '../../../lambdas/handlers/plan-dry-run';
import { handler as releaseLock } from '../../../lambdas/handlers/release-lock';
import { handler as teardown } from '../../../lambdas/handlers/teardown';
import { handler as validateInput } from '../../../lambdas/handlers/validate-input';
import { deps, resetDeps } from '../../../lambdas/runtime/step';
import { checkDrift } from '../../../lambdas/use-cases/drift';
import {
  createMotoTaskNetwork,
  MOTO_ACCOUNT_ID,
  MOTO_CREDENTIALS,
  MOTO_REGION,
  type Moto,
  startMoto,
} from '../../../local/moto';
import { runPreparePhase } from '../../../local/prepare-phase';
import { type SynthesizedPipeline, synthesizePipeline } from '../../../local/synth';
import { STEPS, type StepId } from '../../../statemachine/steps';
import { AwsCallRecorder } from '../../support/iam/aws-call-recorder';
import {
  decide,
  describeDenial,
  judgeRole,
  type RoleJudgement,
  unexplainedGrants,
} from '../../support/iam/evaluate-calls';
import { pipelineRoles, type RolePolicies, topicKeys } from '../../support/iam/template-policies';
import { useMotoAws } from '../../support/moto-aws';

/**
 * The ECS platform path (Deploy registers task definitions and passes their roles, Scale and Teardown update
 * services and node groups, the janitor restores) run by the real handlers against moto with every AWS call
 * recorded, then each call judged by an IAM policy evaluator against the policies the synthesized template
 * gives that handler's role.
 */
let moto: Moto;
let pipeline: SynthesizedPipeline;
let recorder: AwsCallRecorder;
const saved = { ...process.env };

const TASK_ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/checkout-task`;
const EXECUTION_ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/checkout-execution`;
const RESET_ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/reset-data`;
/** The roles of the task definitions registered here, by ARN: ECS passes them on RunTask. */
const taskDefinitionRoles = new Map<string, string[]>();
const ENVIRONMENT = 'ecs-iam';

/** The steps this file drives, by the name `step()` records them under. */
const DRIVEN: Readonly<Record<string, StepId | 'janitor'>> = {
  [STEPS['validate-input']]: 'validate-input',
  [STEPS['plan-dry-run']]: 'plan-dry-run',
  [STEPS['acquire-lock']]: 'acquire-lock',
  [STEPS.deploy]: 'deploy',
  [STEPS.scale]: 'scale',
  [STEPS['ramp-tick']]: 'ramp-tick',
  [STEPS.teardown]: 'teardown',
  [STEPS.cleanup]: 'cleanup',
  [STEPS['release-lock']]: 'release-lock',
  Janitor: 'janitor',
};

/** Only Ramp tick's drift guard runs here (its load and watch need Locust): its role is judged for denials. */
const PARTLY_DRIVEN = new Set<StepId | 'janitor'>(['ramp-tick']);

let ecs: ECSClient;
let eks: EKSClient;

async function createPlatforms(endpoint: string): Promise<void> {
  const client = { endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  ecs = new ECSClient(client);
  eks = new EKSClient(client);
  const reset = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'reset-data',
      taskRoleArn: RESET_ROLE,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'reset', image: 'registry.local/reset:1.0', essential: true, memory: 512 },
      ],
    }),
  );
  taskDefinitionRoles.set(reset.taskDefinition?.taskDefinitionArn as string, [RESET_ROLE]);
  for (const [cluster, size, count] of [
    ['staging', '256', 1],
    ['production', '1024', 4],
  ] as const) {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `checkout-${cluster}`,
        taskRoleArn: TASK_ROLE,
        executionRoleArn: EXECUTION_ROLE,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: size,
        memory: String(Number(size) * 2),
        containerDefinitions: [{ name: 'app', image: `registry.local/checkout:${cluster}`, essential: true }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'checkout',
        taskDefinition: td.taskDefinition?.taskDefinitionArn,
        desiredCount: count,
        launchType: 'FARGATE',
      }),
    );
    await eks.send(
      new CreateEksClusterCommand({
        name: `eks-${cluster}`,
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/eks`,
        resourcesVpcConfig: { subnetIds: ['subnet-1'] },
      }),
    );
    await eks.send(
      new CreateNodegroupCommand({
        clusterName: `eks-${cluster}`,
        nodegroupName: 'workers',
        nodeRole: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/node`,
        subnets: ['subnet-1'],
        scalingConfig: { minSize: count, maxSize: count * 2, desiredSize: count },
      }),
    );
  }
}

function conductorConfig(network: { subnet: string; securityGroup: string }): ConductorConfig {
  const ecs = (cluster: string) => ({ type: 'ecs', cluster, service: 'checkout', region: MOTO_REGION });
  return parseConfig({
    environments: {
      [ENVIRONMENT]: {
        maxOrdersPerMinute: 1000,
        scenarios: ['checkout'],
        defaultScenario: 'checkout',
        locust: { url: 'http://127.0.0.1:1' },
        applications: [
          {
            name: 'checkout',
            readinessTimeoutSeconds: 30,
            test: { ...ecs('staging'), taskRoleArns: [TASK_ROLE, EXECUTION_ROLE] },
            production: ecs('production'),
          },
        ],
        cleanup: [
          {
            type: 'ecs-task',
            name: 'reset',
            cluster: 'staging',
            region: MOTO_REGION,
            taskDefinition: 'reset-data',
            taskRoleArns: [RESET_ROLE],
            launchType: 'FARGATE',
            networkConfiguration: { subnets: [network.subnet], securityGroups: [network.securityGroup] },
            timeoutSeconds: 60,
          },
        ],
        nodeGroups: [
          {
            name: 'workers',
            test: { cluster: 'eks-staging', nodegroup: 'workers', region: MOTO_REGION },
            production: { cluster: 'eks-production', nodegroup: 'workers', region: MOTO_REGION },
            readinessTimeoutSeconds: 30,
          },
        ],
      },
    },
  });
}

let run = 0;
async function validated(): Promise<RunState> {
  run += 1;
  return validateInput({
    input: { environment: ENVIRONMENT, targetOrdersPerMinute: 100, rampUpMinutes: 1, plateauMinutes: 1 },
    execution: {
      id: `arn:aws:states:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:execution:LoadTestConductor:iam-${run}-${Date.now()}`,
      name: `iam-${run}`,
      startTime: new Date().toISOString(),
    },
  });
}

const roles = new Map<StepId | 'janitor', RolePolicies>();
const judgements = new Map<StepId | 'janitor', RoleJudgement>();

beforeAll(async () => {
  moto = await startMoto();
  await createPlatforms(moto.endpoint);
  const sqs = new SQSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'ltc-janitor-recheck' }));
  if (!QueueUrl) throw new Error('moto created no janitor recheck queue');
  const config = conductorConfig(await createMotoTaskNetwork(moto.endpoint));
  const resources = await useMotoAws(moto.endpoint, config, {
    LTC_POLL_MS: '250',
    JANITOR_RECHECK_QUEUE_URL: QueueUrl,
    JANITOR_RECHECK_DELAY_SECONDS: '900',
  });
  pipeline = synthesizePipeline(config);
  for (const [step, role] of pipelineRoles(pipeline, resources, MOTO_REGION, [
    [pipeline.stack.pipeline.janitor.recheckQueue, 'ltc-janitor-recheck'],
  ]))
    if (Object.values(DRIVEN).includes(step)) roles.set(step, role);

  recorder = new AwsCallRecorder('ecs-permissions', {
    ...topicKeys(pipeline, resources, MOTO_REGION),
    taskDefinitionRoles: (arn) => taskDefinitionRoles.get(arn) ?? [],
  }).start();
  try {
    // A whole run on ECS, then one stopped after Scale, which the janitor restores.
    const state = await validated();
    await planDryRun(state);
    await acquireLock(state);
    const prepared = await runPreparePhase(state);
    // Someone scales the test environment back mid-run: Ramp tick's drift guard re-applies the prepared shape.
    await ecs.send(new UpdateServiceCommand({ cluster: 'staging', service: 'checkout', desiredCount: 1 }));
    await eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: 'eks-staging',
        nodegroupName: 'workers',
        scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 },
      }),
    );
    const drift = await recorder.within(STEPS['ramp-tick'], () => checkDrift(prepared, deps()));
    expect(drift.events.map((e) => e.reapplied)).toEqual([true, true]);
    await teardown(prepared);
    await cleanup(prepared);
    await releaseLock(prepared);
    const stopped = await validated();
    await acquireLock(stopped);
    await runPreparePhase(stopped);
    await recorder.within('Janitor', () =>
      janitor({ detail: { executionArn: stopped.run.executionId, status: 'ABORTED' } }),
    );
  } finally {
    recorder.stop();
  }
  for (const [name, step] of Object.entries(DRIVEN)) {
    const calls = recorder.calls.filter((c) => c.step === name);
    const previous = judgements.get(step);
    if (previous) throw new Error(`${step} recorded twice`);
    judgements.set(step, await judgeRole(roles.get(step) as RolePolicies, calls));
  }
}, 300_000);

afterAll(async () => {
  process.env = saved;
  resetDeps();
  await moto?.stop();
});

describe('the ECS path: every AWS call under its role in the synthesized template', () => {
  it('recorded the calls IAM authorizes on the platforms, the table, the topic and the queue', () => {
    const actions = new Set(recorder.calls.flatMap((c) => c.requests.map((r) => `${c.step} ${r.action}`)));
    for (const expected of [
      `${STEPS.deploy} ecs:RegisterTaskDefinition`,
      `${STEPS.deploy} iam:PassRole`,
      `${STEPS.scale} ecs:UpdateService`,
      `${STEPS.scale} eks:UpdateNodegroupConfig`,
      `${STEPS.teardown} ecs:UpdateService`,
      `${STEPS.teardown} ecs:RegisterTaskDefinition`,
      `${STEPS['ramp-tick']} eks:UpdateNodegroupConfig`,
      `${STEPS['ramp-tick']} ecs:UpdateService`,
      `${STEPS.cleanup} ecs:RunTask`,
      `${STEPS.cleanup} iam:PassRole`,
      `${STEPS['release-lock']} dynamodb:DeleteItem`,
      `${STEPS['release-lock']} sns:Publish`,
      'Janitor sqs:SendMessage',
      'Janitor eks:UpdateNodegroupConfig',
    ])
      expect(actions).toContain(expected);
    for (const c of recorder.calls) expect(Object.keys(DRIVEN)).toContain(c.step);
  });

  it('allows each recorded call (a denial names step, action and resource)', () => {
    const denials = [...judgements.values()].flatMap((j) => j.denials.map(describeDenial));
    expect(denials).toEqual([]);
  });

  it('needs every statement: removing any one denies a recorded call, unless its grant carries a reason', () => {
    const findings = [...judgements].flatMap(([step, judgement]) =>
      PARTLY_DRIVEN.has(step) ? [] : unexplainedGrants(step, roles.get(step) as RolePolicies, judgement),
    );
    expect(findings).toEqual([]);
  });

  it('denies a call once its only statement is removed', async () => {
    const role = roles.get('deploy') as RolePolicies;
    const judgement = judgements.get('deploy') as RoleJudgement;
    const passRole = role.statements.find((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole).toBeDefined();
    const passed = judgement.requests.filter((r) => r.action === 'iam:PassRole');
    expect(passed.map((r) => r.resource).sort()).toEqual([EXECUTION_ROLE, TASK_ROLE].sort());
    const without = role.statements.filter((s) => s !== passRole);
    for (const r of passed) expect(await decide(r, role.roleArn, without)).toBe('ImplicitlyDenied');
    // …and a role the configuration does not name is never passed.
    const other = {
      ...passed[0],
      resource: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/admin`,
    } as (typeof passed)[0];
    expect(await decide(other, role.roleArn, role.statements)).toBe('ImplicitlyDenied');
  });
});

describe('a missing statement', () => {
  it('fails the judgement with a denial naming step, action and resource', async () => {
    const role = roles.get('deploy') as RolePolicies;
    const register = role.statements.filter((s) => [s.Action].flat().includes('ecs:RegisterTaskDefinition'));
    expect(register).toHaveLength(1);
    const without = { ...role, statements: role.statements.filter((s) => !register.includes(s)) };
    const judged = await judgeRole(
      without,
      recorder.calls.filter((c) => c.step === STEPS.deploy),
    );
    expect(judged.denials.map(describeDenial)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${STEPS.deploy}: ecs:RegisterTaskDefinition on arn:aws:ecs:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:task-definition/checkout-staging:\\d+ is ImplicitlyDenied$`,
        ),
      ),
    ]);
  });
});

describe('the table: each step only on its item prefixes (dynamodb:LeadingKeys)', () => {
  it.each(['deploy', 'scale', 'teardown', 'janitor'] as const)(
    '%s may put its run items but not the lock or a baseline',
    async (step) => {
      const role = roles.get(step) as RolePolicies;
      const put = (judgements.get(step) as RoleJudgement).requests.find(
        (r) =>
          r.action === 'dynamodb:PutItem' && String(r.context['dynamodb:LeadingKeys']).startsWith('RUN#'),
      );
      if (!put) throw new Error(`${step} recorded no PutItem of a run item`);
      expect(await decide(put, role.roleArn, role.statements)).toBe('Allowed');
      const other = (key: string) => ({ ...put, context: { 'dynamodb:LeadingKeys': [key] } });
      expect(await decide(other(`BASELINE#${ENVIRONMENT}`), role.roleArn, role.statements)).toBe(
        'ImplicitlyDenied',
      );
      const lock = await decide(other(`LOCK#${ENVIRONMENT}`), role.roleArn, role.statements);
      // The janitor takes a free lock for itself; no step but Acquire lock does.
      expect(lock).toBe(step === 'janitor' ? 'Allowed' : 'ImplicitlyDenied');
      const remove = { ...other(`LOCK#${ENVIRONMENT}`), action: 'dynamodb:DeleteItem' };
      expect(await decide(remove, role.roleArn, role.statements)).toBe(
        step === 'janitor' ? 'Allowed' : 'ImplicitlyDenied',
      );
    },
  );
});
