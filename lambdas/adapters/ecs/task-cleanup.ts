import {
  type CloudWatchLogsClient,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  type ContainerDefinition,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  type Task,
  type TaskOverride,
} from '@aws-sdk/client-ecs';
import type { EcsTaskCleanupAction } from '../../core/config';
import { RolloutFailedError, RolloutTimeoutError } from '../../core/errors';
import { aws } from '../aws/clients';
import { jobName } from '../kubernetes/job-cleanup';

/** Each container's last log lines in the report, at most this many… */
export const TASK_LOG_LINES = 20;
/** …each cut at this length, and all of them together at most TASK_LOG_CHARS (the report stays small). */
const TASK_LOG_LINE_CHARS = 300;
export const TASK_LOG_CHARS = 2000;

/**
 * Runs an `ecs-task` cleanup action: one task from the configured task definition (with its overrides and
 * network configuration), waited for until it stops, and reported by what its containers left — each one's
 * exit code and reason, why the task stopped, and (with `logGroup`) the last lines each container logged,
 * which say what the task removed. Tasks are started by a name derived from the execution, so a retried step
 * finds its task instead of starting a second one.
 */
export async function runEcsTaskCleanup(
  action: EcsTaskCleanupAction,
  executionId: string,
  clients: { readonly ecs: ECSClient; readonly logs: CloudWatchLogsClient },
  pollMs = 1000,
): Promise<string> {
  const { ecs } = clients;
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
      const logs = action.logGroup ? await taskLogs(task, action.logGroup, clients, where) : [];
      const report = [stopped.summary, ...logs].join('\n');
      if (!stopped.succeeded) throw new RolloutFailedError(`${where}: ${report}`);
      return report;
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

/**
 * The last lines each container of a stopped task logged to `logGroup`, as its task definition (the revision
 * the task ran) configures the awslogs driver: stream `<prefix>/<container>/<task id>`. A container that
 * logs elsewhere, or a stream that cannot be read, is named with the reason instead: the logs explain the
 * cleanup, they never fail it. Bounded: {@link TASK_LOG_LINES} lines a container, {@link TASK_LOG_CHARS} in all.
 */
async function taskLogs(
  task: Task,
  logGroup: string,
  clients: { readonly ecs: ECSClient; readonly logs: CloudWatchLogsClient },
  where: string,
): Promise<string[]> {
  const id = taskId(task.taskArn ?? '');
  let containers: ContainerDefinition[];
  try {
    const out = await aws(`${where}: describe task definition ${task.taskDefinitionArn}`, () =>
      clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn })),
    );
    containers = out.taskDefinition?.containerDefinitions ?? [];
  } catch (err) {
    return [`logs not read: ${(err as Error).message}`];
  }
  let budget = TASK_LOG_CHARS;
  const report: string[] = [];
  for (const c of containers) {
    const log = c.logConfiguration;
    const group = log?.logDriver === 'awslogs' ? log.options?.['awslogs-group'] : undefined;
    const prefix = log?.options?.['awslogs-stream-prefix'];
    if (group !== logGroup || !prefix) {
      report.push(
        `${c.name} logs not read: ${group === logGroup ? 'no awslogs-stream-prefix' : `it does not log to ${logGroup}`}`,
      );
      continue;
    }
    const stream = `${prefix}/${c.name}/${id}`;
    let lines: string[];
    try {
      const out = await aws(`${where}: read log stream ${stream}`, () =>
        clients.logs.send(
          new GetLogEventsCommand({
            logGroupName: logGroup,
            logStreamName: stream,
            startFromHead: false,
            limit: TASK_LOG_LINES,
          }),
        ),
      );
      lines = (out.events ?? []).map((e) => cut((e.message ?? '').trimEnd(), TASK_LOG_LINE_CHARS));
    } catch (err) {
      const why =
        (err as Error).name === ResourceNotFoundException.name
          ? `no log stream ${stream}`
          : (err as Error).message;
      report.push(`${c.name} logs not read: ${why}`);
      continue;
    }
    // The newest lines matter most (what was removed, why it failed): the budget keeps them.
    const kept: string[] = [];
    for (const line of lines.toReversed()) {
      if (line.length + 3 > budget) break;
      budget -= line.length + 3;
      kept.unshift(line);
    }
    const omitted = lines.length - kept.length;
    report.push(
      `${c.name} logged (last ${kept.length} lines${omitted > 0 ? `, ${omitted} more cut for size` : ''}):`,
      ...kept.map((l) => `  ${l}`),
    );
  }
  return report;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function taskId(arn: string): string {
  return arn.split('/').pop() ?? arn;
}
