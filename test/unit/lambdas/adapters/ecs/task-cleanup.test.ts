import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { stoppedTaskOutcome } from '../../../../../lambdas/adapters/ecs/task-cleanup';

const ARN = 'arn:aws:ecs:eu-central-1:123456789012:task/staging/0f1e2d3c';

describe('stoppedTaskOutcome: what a stopped cleanup task reports', () => {
  it('succeeds when every container exited 0, reporting each exit and why the task stopped', () => {
    expect(
      stoppedTaskOutcome({
        taskArn: ARN,
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [
          { name: 'purge', exitCode: 0, reason: 'removed 42 orders' },
          { name: 'sidecar', exitCode: 0 },
        ],
      }),
    ).toEqual({
      succeeded: true,
      summary:
        'task 0f1e2d3c stopped: purge exited 0 (removed 42 orders), sidecar exited 0; EssentialContainerExited: Essential container in task exited',
    });
  });

  it.each([
    ['a container exited non-zero', { containers: [{ name: 'purge', exitCode: 3 }] }],
    ['a container has no exit code', { containers: [{ name: 'purge' }] }],
    [
      'the task failed to start',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError',
        containers: [{ name: 'purge', exitCode: 0 }],
      },
    ],
    ['someone stopped it', { stopCode: 'UserInitiated', containers: [{ name: 'purge', exitCode: 0 }] }],
    ['it had no containers', { containers: [] }],
  ] as [string, Task][])('fails when %s', (_, task) => {
    expect(stoppedTaskOutcome({ taskArn: ARN, ...task }).succeeded).toBe(false);
  });
});
