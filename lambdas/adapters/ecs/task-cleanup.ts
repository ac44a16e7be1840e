import {
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  type Task,
  type TaskOverride,
} from '@aws-sdk/client-ecs';
import type { EcsTaskCleanupAction } from '../../core/config';
import { RolloutFailedError, RolloutTimeoutError } from '../kubernetes/errors';
import { jobName } from '../kubernetes/job-cleanup';
import { aws } from './clients';

/**
 * Runs an `ecs-task` cleanup action: one task from the configured task definition (with its overrides and
 * network configuration), waited for until it stops, and reported by what its containers left — each one's
 * exit code and reason, and why the task stopped. Tasks are started by a name derived from the execution,
 * so a retried step finds its task instead of starting a second one.
 */
export async function runEcsTaskCleanup(
  action: EcsTaskCleanupAction,
  executionId: string,
  ecs: ECSClient,
  pollMs = 1000,
): Promise<string> {
  const where = `${action.name}: task ${action.taskDefinition} on ECS cluster ${action.cluster}`;
  const startedBy = jobName(action.name, executionId);
  const taskArn =
    (await startedTask(ecs, action.cluster, startedBy, where)) ??
    (await runTask(ecs, action, startedBy, where));
  const deadline = Date.now() + action.timeoutSeconds * 1000;
  for (;;) {
    const out = await aws(`${where}: describe ${taskArn}`, () =>
      ecs.send(new DescribeTasksCommand({ cluster: action.cluster, tasks: [taskArn] })),
    );
    const task = out.tasks?.[0];
    if (!task)
      throw new Error(`${where}: task ${taskArn} is gone (${out.failures?.[0]?.reason ?? 'not found'})`);
    if (task.lastStatus === 'STOPPED') {
      const stopped = stoppedTaskOutcome(task);
      if (!stopped.succeeded) throw new RolloutFailedError(`${where}: ${stopped.summary}`);
      return stopped.summary;
    }
    if (Date.now() >= deadline) {
      throw new RolloutTimeoutError(
        `${where}: task ${taskId(taskArn)} did not stop within ${action.timeoutSeconds} s (last status ${task.lastStatus})`,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The task a previous attempt of this execution's cleanup started, running or stopped. */
async function startedTask(
  ecs: ECSClient,
  cluster: string,
  startedBy: string,
  where: string,
): Promise<string | undefined> {
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    const out = await aws(`${where}: list tasks started by ${startedBy}`, () =>
      ecs.send(new ListTasksCommand({ cluster, startedBy, desiredStatus })),
    );
    const arn = out.taskArns?.[0];
    if (arn) return arn;
  }
  return undefined;
}

async function runTask(
  ecs: ECSClient,
  action: EcsTaskCleanupAction,
  startedBy: string,
  where: string,
): Promise<string> {
  const network = action.networkConfiguration;
  const out = await aws(`${where}: run task`, () =>
    ecs.send(
      new RunTaskCommand({
        cluster: action.cluster,
        taskDefinition: action.taskDefinition,
        count: 1,
        startedBy,
        launchType: action.launchType,
        overrides: action.overrides as TaskOverride | undefined,
        networkConfiguration: network && {
          awsvpcConfiguration: {
            subnets: [...network.subnets],
            securityGroups: network.securityGroups && [...network.securityGroups],
            assignPublicIp: network.assignPublicIp,
          },
        },
      }),
    ),
  );
  const arn = out.tasks?.[0]?.taskArn;
  if (!arn) {
    const failure = out.failures?.[0];
    throw new Error(`${where}: not started: ${failure?.reason ?? 'no task'} ${failure?.detail ?? ''}`.trim());
  }
  return arn;
}

/**
 * What a stopped task reports: every container's exit code (and reason), and why the task stopped. It
 * succeeded when every container exited 0 and the task was not stopped for another reason (a failed start,
 * a user's StopTask, a timeout).
 */
export function stoppedTaskOutcome(task: Task): { readonly succeeded: boolean; readonly summary: string } {
  const containers = task.containers ?? [];
  const exits = containers.map(
    (c) =>
      `${c.name ?? 'container'} exited ${c.exitCode ?? '(no exit code)'}${c.reason ? ` (${c.reason})` : ''}`,
  );
  const succeeded =
    containers.length > 0 &&
    containers.every((c) => c.exitCode === 0) &&
    (!task.stopCode || task.stopCode === 'EssentialContainerExited');
  const why = [task.stopCode, task.stoppedReason].filter(Boolean).join(': ');
  const summary = `task ${taskId(task.taskArn ?? '')} stopped: ${exits.join(', ') || 'no containers'}${why ? `; ${why}` : ''}`;
  return { succeeded, summary };
}

function taskId(arn: string): string {
  return arn.split('/').pop() ?? arn;
}
