import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { revise, shapeOf, TASK_RESOURCES } from '../../../../../lambdas/adapters/ecs/ecs-adapter';
import { jobName } from '../../../../../lambdas/adapters/kubernetes/job-cleanup';

const td: TaskDefinition = {
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/checkout-test:7',
  family: 'checkout-test',
  revision: 7,
  status: 'ACTIVE',
  taskRoleArn: 'arn:aws:iam::123456789012:role/checkout-test',
  cpu: '256',
  memory: '512',
  requiresCompatibilities: ['FARGATE'],
  compatibilities: ['EC2', 'FARGATE'],
  containerDefinitions: [
    { name: 'app', image: 'checkout:2.5.0', cpu: 128, memoryReservation: 256, essential: true },
  ],
  registeredAt: new Date(),
};

describe('ECS shape', () => {
  it('reads images, desired count, container and task cpu/memory and the task definition', () => {
    expect(shapeOf({ desiredCount: 2 }, td)).toEqual({
      version: 'checkout:2.5.0',
      replicas: 2,
      images: { app: 'checkout:2.5.0' },
      resources: {
        app: { requests: { cpu: '128', memory: '256' } },
        [TASK_RESOURCES]: { limits: { cpu: '256', memory: '512' } },
      },
      taskDefinition: td.taskDefinitionArn,
    });
  });

  it('registers a new revision of the test family with production images and resources, nothing else', () => {
    const input = revise(td, {
      images: { app: 'checkout:2.4.0' },
      resources: {
        app: { requests: { cpu: '512' } },
        [TASK_RESOURCES]: { limits: { cpu: '1024', memory: '2048' } },
      },
    });
    expect(input).toMatchObject({
      family: 'checkout-test',
      taskRoleArn: td.taskRoleArn,
      cpu: '1024',
      memory: '2048',
      containerDefinitions: [{ name: 'app', image: 'checkout:2.4.0', cpu: 512, essential: true }],
    });
    expect(input?.containerDefinitions?.[0]?.memoryReservation).toBeUndefined();
    for (const readOnly of ['taskDefinitionArn', 'revision', 'status', 'compatibilities', 'registeredAt']) {
      expect(input).not.toHaveProperty(readOnly);
    }
  });

  it('registers nothing when the task definition already has the shape', () => {
    expect(revise(td, { images: { app: 'checkout:2.5.0' } })).toBeUndefined();
    expect(revise(td, shapeOf({ desiredCount: 9 }, td))).toBeUndefined();
  });
});

describe('cleanup job names', () => {
  it('are DNS labels, the same for retries of one execution and different across executions', () => {
    const a = jobName('Purge test orders!', 'arn:aws:states:eu:1:execution:x:run-1');
    expect(a).toMatch(/^ltc-purge-test-orders-[0-9a-f]{10}$/);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(jobName('Purge test orders!', 'arn:aws:states:eu:1:execution:x:run-1')).toBe(a);
    expect(jobName('Purge test orders!', 'arn:aws:states:eu:1:execution:x:run-2')).not.toBe(a);
  });
});
