/**
 * The two faults of issue 18 on a local environment, through `runLocal` (what `npm run demo` prints): the
 * shop's processes killed mid-ramp, and the AWS emulator killed mid-plateau. Shared by the end-to-end test
 * (test/e2e/faults/restore-faults.test.ts) and the fault matrix. Each kills a process of `env`: give each its
 * own environment.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { LocalEnvironment } from '../../../local/environment';
import { type LocalRunResult, runLocal } from '../../../local/run-local';
import { STEPS } from '../../../statemachine/steps';

export interface FaultRun {
  /** What the run printed, line by line. */
  readonly lines: readonly string[];
  readonly result: LocalRunResult;
  /** The tick after whose line the process was killed; null when the run never got there. */
  readonly killedAfterTick: number | null;
}

/** The tick number of a progress line (`  tick   7 ramp-up …`), NaN for any other line. */
export function tickOf(line: string): number {
  return Number(/^\s+tick\s+(\d+) /.exec(line)?.[1] ?? Number.NaN);
}

async function runKilling(
  env: LocalEnvironment,
  input: Record<string, unknown>,
  killAfter: (line: string) => boolean,
  kill: () => Promise<void>,
): Promise<FaultRun> {
  const lines: string[] = [];
  let killedAfterTick: number | null = null;
  const out = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        lines.push(line);
        if (killedAfterTick === null && killAfter(line)) {
          killedAfterTick = tickOf(line);
          void kill();
        }
      }
      done();
    },
  });
  const result = await runLocal({
    input,
    environment: env,
    out,
    reportDir: mkdtempSync(join(tmpdir(), 'ltc-restore-faults-')),
    restoreRetries: 1,
    restoreRetryDelayMs: 0,
  });
  return { lines, result, killedAfterTick };
}

/** The shop's processes killed right after tick `atTick` of a 3-minute ramp. */
export function runWithShopKilled(env: LocalEnvironment, atTick = 3): Promise<FaultRun> {
  return runKilling(
    env,
    { targetOrdersPerMinute: 120, rampUpMinutes: 3, plateauMinutes: 1, tickSeconds: 5 },
    (line) => tickOf(line) === atTick,
    () => env.shop.stop(),
  );
}

/** The AWS emulator (run store, bucket, topic) killed at the first plateau tick. */
export function runWithMotoKilled(env: LocalEnvironment): Promise<FaultRun> {
  return runKilling(
    env,
    { targetOrdersPerMinute: 120, rampUpMinutes: 0.25, plateauMinutes: 1, tickSeconds: 5 },
    (line) => /^\s+tick\s+\d+ plateau/.test(line),
    () => env.moto.stop(),
  );
}

/** Steps printed as failed (`✗ <step>  FAILED: …`, or Release lock's own errors). */
export function failedSteps(lines: readonly string[]): string[] {
  return lines.flatMap((l) => {
    const name = /^✗ (.+?) {2,}/.exec(l)?.[1]?.trim();
    return name ? [name] : [];
  });
}

/** A step printed both as failed and with a ✓: what issue 18 forbids. Null when there is none. */
function successShownForFailure(lines: readonly string[]): string | null {
  const shown = failedSteps(lines).filter((name) => lines.some((l) => l.startsWith(`✓ ${name} `)));
  return shown.length > 0 ? `printed with a ✓ after failing: ${shown.join(', ')}` : null;
}

/**
 * What issue 18 requires of the shop-killed run: the load ended within `deadSystemTicks` + 1 ticks of the
 * outage, Teardown shown failed and never ✓, and the last lines name the shop as possibly left. Null when
 * all hold.
 */
export function shopKilledViolation(run: FaultRun, deadSystemTicks = 3): string | null {
  if (run.killedAfterTick === null) return 'the shop was never killed';
  const lastTick = Math.max(...run.lines.map(tickOf).filter(Number.isFinite));
  if (lastTick > run.killedAfterTick + deadSystemTicks + 1)
    return `the load went on until tick ${lastTick}, outage after tick ${run.killedAfterTick}`;
  if (!run.lines.some((l) => new RegExp(`^✗ ${STEPS.teardown} +FAILED: `).test(l)))
    return 'Teardown not shown failed';
  const success = successShownForFailure(run.lines);
  if (success) return success;
  const restore = run.lines.find((l) => l.startsWith('✗ RESTORE INCOMPLETE'));
  if (!restore || !/Teardown.* failed; may be left: application shop /.test(restore))
    return 'the last lines do not say that Teardown failed and the shop may be left';
  return null;
}

/** What issue 18 requires of the emulator-killed run: no failed step printed with a ✓, the restore incomplete. */
export function motoKilledViolation(run: FaultRun): string | null {
  if (run.killedAfterTick === null) return 'the emulator was never killed';
  const success = successShownForFailure(run.lines);
  if (success) return success;
  if (!run.lines.some((l) => l.startsWith('✗ RESTORE INCOMPLETE')))
    return 'the last lines do not say the restore is incomplete';
  return null;
}
