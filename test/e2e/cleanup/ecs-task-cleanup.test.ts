import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_LOG_CHARS, TASK_LOG_LINES } from '../../../lambdas/adapters/ecs/task-cleanup';
import { handler as cleanup } from '../../../lambdas/handlers/cleanup';
import {
  createMotoTaskNetwork,
  MOTO_CREDENTIALS,
  MOTO_REGION,
  type Moto,
  startMoto,
} from '../../../local/moto';
import { cleanupConfig, startRun, useCleanupConfig } from '../../support/cleanup-step';

/**
 * The `ecs-task` cleanup action against moto's ECS, through the Cleanup step handler. moto runs no containers: its tasks go RUNNING → … → STOPPED one step per
 * DescribeTasks (its default state transitions for `ecs::task`), each container with exit code 0.
 */
let moto: Moto;
let ecs: ECSClient;
let logs: CloudWatchLogsClient;
const LOG_GROUP = '/ecs/purge-test-orders';
let subnet: string;
let securityGroup: string;

const OVERRIDES = {
  containerOverrides: [{ name: 'purge', command: ['purge-orders', '--customer-prefix', 'load-test-'] }],
};

/** moto's state transitions of a model (`/moto-api/state-manager`), e.g. tasks that never stop. */
async function taskTransitions(transition: { progression: 'manual'; times: number } | null): Promise<void> {
  const path = transition ? 'set-transition' : 'unset-transition';
  const res = await fetch(`${moto.endpoint}/moto-api/state-manager/${path}`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'ecs::task', ...(transition ? { transition } : {}) }),
  });
  if (!res.ok) throw new Error(`moto state manager: ${res.status}`);
}

beforeAll(async () => {
  moto = await startMoto();
  ecs = new ECSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  logs = new CloudWatchLogsClient({
    endpoint: moto.endpoint,
    region: MOTO_REGION,
    credentials: MOTO_CREDENTIALS,
  });
  ({ subnet, securityGroup } = await createMotoTaskNetwork(moto.endpoint));
  await ecs.send(new CreateClusterCommand({ clusterName: 'staging' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'purge-test-orders',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      // moto sums the containers' memory to place the task.
      containerDefinitions: [
        { name: 'purge', image: 'registry.local/purge:1.0', essential: true, memory: 512 },
      ],
    }),
  );
  // The same task, logging with the awslogs driver as Fargate tasks do.
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'purge-logged',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'purge',
          image: 'registry.local/purge:1.0',
          essential: true,
          memory: 512,
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': LOG_GROUP,
              'awslogs-region': MOTO_REGION,
              'awslogs-stream-prefix': 'cleanup',
            },
          },
        },
      ],
    }),
  );
  await logs.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP }));
  const action = {
    type: 'ecs-task',
    name: 'purge test orders',
    cluster: 'staging',
    region: MOTO_REGION,
    taskDefinition: 'purge-test-orders',
    launchType: 'FARGATE',
    networkConfiguration: {
      subnets: [subnet],
      securityGroups: [securityGroup],
      assignPublicIp: 'DISABLED',
    },
    overrides: OVERRIDES,
  };
  useCleanupConfig(
    moto.endpoint,
    cleanupConfig({
      purge: [action],
      stuck: [{ ...action, name: 'stuck purge', timeoutSeconds: 2 }],
      logged: [{ ...action, name: 'logged purge', taskDefinition: 'purge-logged', logGroup: LOG_GROUP }],
    }),
  );
});

afterAll(async () => {
  await moto?.stop();
});

const start = (environment: string) => startRun(environment, 'ecs-cleanup');

async function tasksIn(cluster: string): Promise<string[]> {
  const all = await Promise.all(
    (['RUNNING', 'STOPPED'] as const).map((desiredStatus) =>
      ecs.send(new ListTasksCommand({ cluster, desiredStatus })),
    ),
  );
  return all.flatMap((o) => o.taskArns ?? []);
}

describe('ecs-task cleanup on moto', () => {
  it('runs the task from its template, waits until it stopped and reports its containers; a retry finds the same task', async () => {
    const state = await start('purge');
    const result = await cleanup(state);
    expect(result.actions).toEqual([
      {
        name: 'purge test orders',
        result: expect.stringMatching(/^task [0-9a-f-]+ stopped: purge exited 0/),
      },
    ]);
    const [arn] = await tasksIn('staging');
    const [task] =
      (await ecs.send(new DescribeTasksCommand({ cluster: 'staging', tasks: [arn as string] }))).tasks ?? [];
    expect(task?.lastStatus).toBe('STOPPED');
    expect(task?.taskDefinitionArn).toMatch(/:task-definition\/purge-test-orders:1$/);
    expect(task?.overrides?.containerOverrides).toEqual(OVERRIDES.containerOverrides);
    expect(task?.launchType).toBe('FARGATE');
    // In the configured subnet: moto attached the task's network interface there.
    expect(task?.attachments?.[0]?.details).toContainEqual({ name: 'subnetId', value: subnet });

    // The Cleanup step retried for the same execution: reported again, no second task.
    const again = await cleanup(state);
    expect(again.actions[0]?.result).toBe(result.actions[0]?.result);
    expect(await tasksIn('staging')).toEqual([arn]);
  });

  it('reports the last lines the task logged, bounded in size', async () => {
    // moto runs no container, so nothing would write the task's log stream. The test holds the task RUNNING
    // (manual state transitions), writes the lines into its stream as the container would (awslogs:
    // `<prefix>/<container>/<task id>`), then lets it stop; Cleanup reads them after the task stopped.
    await taskTransitions({ progression: 'manual', times: 1_000_000 });
    let running: Promise<Awaited<ReturnType<typeof cleanup>>> | undefined;
    const lines = [
      // 22 lines of ~150 characters: the last 20 would be over the size bound.
      ...Array.from(
        { length: 22 },
        (_, i) =>
          `deleted batch ${i + 1}: 100 orders of load-test- customers, ids ${'0123456789'.repeat(10)}`,
      ),
      `order ids: ${'x'.repeat(1000)}`,
      'done: removed 2200 orders, 4100 carts, 310 customers',
    ];
    try {
      const before = new Set(await tasksIn('staging'));
      running = cleanup(await start('logged'));
      let taskArn: string | undefined;
      for (let i = 0; i < 200 && !taskArn; i++) {
        taskArn = (await tasksIn('staging')).find((arn) => !before.has(arn));
        if (!taskArn) await new Promise((r) => setTimeout(r, 50));
      }
      if (!taskArn) throw new Error('the cleanup task was not started');
      const logStreamName = `cleanup/purge/${taskArn.split('/').pop()}`;
      await logs.send(new CreateLogStreamCommand({ logGroupName: LOG_GROUP, logStreamName }));
      const now = Date.now();
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: LOG_GROUP,
          logStreamName,
          logEvents: lines.map((message, i) => ({ timestamp: now + i, message })),
        }),
      );
    } finally {
      await taskTransitions(null);
    }
    const result = (await running)?.actions[0]?.result ?? '';
    const [summary, heading, ...reported] = result.split('\n');
    expect(summary).toMatch(/^task [0-9a-f-]+ stopped: purge exited 0/);
    // The newest lines, in order, each cut at 300 characters; the oldest give way to the size bound.
    expect(reported.at(-1)).toBe(`  ${lines.at(-1)}`);
    expect(reported.at(-2)).toMatch(/^ {2}order ids: x+…$/);
    expect(reported.at(-2)).toHaveLength(2 + 300);
    expect(reported.length).toBeLessThan(TASK_LOG_LINES);
    expect(reported.length).toBeGreaterThan(2);
    expect(reported.join('\n').length).toBeLessThanOrEqual(TASK_LOG_CHARS);
    expect(lines.map((l) => `  ${l}`)).toEqual(expect.arrayContaining(reported.slice(0, -2)));
    expect(heading).toBe(
      `purge logged (last ${reported.length} lines, ${TASK_LOG_LINES - reported.length} more cut for size):`,
    );
  });

  it('names a log stream the task never wrote instead of failing the cleanup', async () => {
    const result = await cleanup(await start('logged'));
    expect(result.actions[0]?.result).toMatch(
      /^task [0-9a-f-]+ stopped: purge exited 0.*\npurge logs not read: no log stream cleanup\/purge\/[0-9a-f-]+$/s,
    );
  });

  it('fails naming the action when the task does not stop within its timeout', async () => {
    await taskTransitions({ progression: 'manual', times: 1_000_000 });
    try {
      const state = await start('stuck');
      await expect(cleanup(state)).rejects.toMatchObject({
        name: 'RolloutTimeoutError',
        message: expect.stringMatching(
          /^stuck purge: task purge-test-orders on ECS cluster staging: task [0-9a-f-]+ did not stop within 2 s \(last status RUNNING\)$/,
        ),
      });
    } finally {
      await taskTransitions(null);
    }
  });
});
