import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import type { RunSummary } from '../../../lambdas/core/report/summary';
import { handler as janitor } from '../../../lambdas/handlers/janitor';
import { readShopShape } from '../../../local/demo-shop';
import { DEMO_TEST_REPLICAS, type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally } from '../../../local/executor';
import { MOTO_CREDENTIALS, MOTO_REGION } from '../../../local/moto';
import { finalRunState } from '../../../local/progress';
import { STEPS } from '../../../statemachine/steps';
import {
  failedSteps,
  motoKilledViolation,
  runWithMotoKilled,
  runWithShopKilled,
  shopKilledViolation,
  tickOf,
} from '../../support/faults/restore-faults';
import { SHORT_LOCAL_RUN } from '../../support/faults/retry-faults';

/**
 * The two faults of issue 18 on the whole local pipeline (the synthesized state machine, the real handlers,
 * moto, the demo shop, Locust), through `runLocal` — what `npm run demo` prints:
 * - the shop's processes killed mid-ramp: the load ends within deadSystemTicks + 1 ticks, and the terminal,
 *   report, summary and notification say Teardown failed and that the shop may be left at production size;
 * - the AWS emulator killed mid-plateau: no failed step is ever printed with a ✓.
 */
let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

const DEAD_SYSTEM_TICKS = 3; // the default

/** A queue subscribed to the run's topic, so the test reads what a person is told. */
async function subscribe(e: LocalEnvironment) {
  const aws = { endpoint: e.aws.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  const sqs = new SQSClient(aws);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ltc-restore-faults' })))
    .QueueUrl as string;
  const arn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  await new SNSClient(aws).send(
    new SubscribeCommand({ TopicArn: e.aws.TOPIC_ARN, Protocol: 'sqs', Endpoint: arn }),
  );
  return async () => {
    const out: { subject: string; message: Record<string, unknown> }[] = [];
    for (;;) {
      const page = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (!page.Messages?.length) return out;
      for (const m of page.Messages) {
        const envelope = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message?: string };
        out.push({ subject: envelope.Subject ?? '', message: JSON.parse(envelope.Message ?? '{}') });
      }
    }
  };
}

class InjectedFault extends Error {
  override name = 'InjectedFault';
}

describe('a failed restore is never shown as a success', () => {
  it('the shop killed mid-ramp: the load ends within N+1 ticks; every record says Teardown failed and what is left', async () => {
    env = await startLocalEnvironment({ workers: 1 });
    const notifications = await subscribe(env);
    const run = await runWithShopKilled(env, 3);
    const { lines, result } = run;
    const text = lines.join('\n');
    expect(shopKilledViolation(run, DEAD_SYSTEM_TICKS), text).toBeNull();

    // The load ended early, within N+1 ticks of the outage, for the dead system.
    const ticks = lines.map(tickOf).filter(Number.isFinite);
    expect(Math.max(...ticks), text).toBeLessThanOrEqual(3 + DEAD_SYSTEM_TICKS + 1);
    expect(text).toMatch(/stopping the load: system under test down since tick [4-5] /);

    // Terminal: Teardown failed, never ✓; the last lines say first what may be left.
    expect(
      lines.filter((l) => l.startsWith(`✓ ${STEPS.teardown} `)),
      text,
    ).toEqual([]);
    expect(text).toMatch(/^✗ Teardown +FAILED: /m);
    // The runner tried the restore once more after the state machine's retries, before it gave up.
    expect(text).toContain('↻ the restore is incomplete: trying it again (attempt 1)');
    const last = lines.slice(lines.findIndex((l) => l.startsWith('✗ RESTORE INCOMPLETE')));
    expect(last[0], text).toMatch(
      /^✗ RESTORE INCOMPLETE: .*Teardown.* failed; may be left: application shop \(current unreadable, may still be as the run left it, recorded 1 replicas/,
    );
    expect(last.findIndex((l) => /^FAILED: /.test(l))).toBeGreaterThan(0);
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('RestoreIncomplete');

    // summary.json and the report.
    expect(result.reportPath).toBeDefined();
    const summary = JSON.parse(
      readFileSync(join(String(result.reportPath), '..', 'summary.json'), 'utf8'),
    ) as RunSummary;
    expect(summary.restore?.complete).toBe(false);
    expect(summary.restore?.errors.map((e) => e.step)).toContain('Teardown');
    expect(summary.restore?.leftovers).toContainEqual(
      expect.objectContaining({
        kind: 'application',
        name: 'shop',
        recorded: expect.objectContaining({ replicas: 1 }),
      }),
    );
    expect(summary.verdict?.abort?.reason).toMatch(/^system under test down since tick/);
    const html = readFileSync(String(result.reportPath), 'utf8');
    expect(html).toMatch(/class="restore-incomplete"[\s\S]*Teardown failed[\s\S]*application shop/);

    // The notification.
    const ended = (await notifications()).filter((n) => n.message.type === 'run-ended');
    expect(ended.length).toBeGreaterThan(0);
    for (const n of ended) {
      expect(n.subject).toMatch(/^RESTORE INCOMPLETE/);
      expect(String(n.message.restoreMessage)).toMatch(/Teardown.* failed; may be left: application shop/);
    }
  }, 600_000);

  it('the AWS emulator killed mid-plateau: no failed step is printed with a ✓', async () => {
    env = await startLocalEnvironment({ workers: 1 });
    const run = await runWithMotoKilled(env);
    const { lines, result } = run;
    const text = lines.join('\n');
    expect(motoKilledViolation(run), text).toBeNull();
    expect(result.status).toBe('FAILED');
    const failed = failedSteps(lines);
    expect(failed, text).toEqual(expect.arrayContaining([STEPS.teardown, STEPS['release-lock']]));
    for (const name of failed)
      expect(
        lines.filter((l) => l.startsWith(`✓ ${name} `)),
        `${name}\n${text}`,
      ).toEqual([]);
    expect(text).toMatch(/^✗ RESTORE INCOMPLETE: .*may be left: .*lock local \(still held\)/m);
  }, 600_000);

  it('after a Teardown that failed, the janitor (run for the FAILED execution) restores what it left', async () => {
    env = await startLocalEnvironment({ workers: 1 });
    const result = await executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN, {
      handlers: {
        [STEPS.teardown]: () => async () => {
          throw new InjectedFault('the platform refused');
        },
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('RestoreIncomplete');
    const last = finalRunState(result.events);
    // Release lock read the shop still at the run's size, and its record.
    expect(last?.restore?.leftovers).toEqual([
      expect.objectContaining({
        kind: 'application',
        name: 'shop',
        current: expect.objectContaining({ replicas: 3 }),
        recorded: expect.objectContaining({ replicas: DEMO_TEST_REPLICAS }),
      }),
    ]);
    const cleaned = await janitor({
      detail: {
        executionArn: result.executionArn,
        status: 'FAILED',
        error: 'RestoreIncomplete',
        cause: null,
      },
    });
    expect(cleaned.acted).toBe(true);
    expect((await readShopShape(env.shop.adminUrl)).replicas).toBe(DEMO_TEST_REPLICAS);
    expect(await new RunStore(env.aws.RUNS_TABLE).lockHolder('local')).toBeNull();
  }, 600_000);
});
