import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunStore } from '../../../../lambdas/adapters/aws/run-store';
import type { PhaseRecord } from '../../../../lambdas/core/records';
import { deps, resetDeps, step, stepHooks } from '../../../../lambdas/runtime/step';

vi.mock('../../../../lambdas/runtime/logger', () => ({ logger: { error: vi.fn(), warn: vi.fn() } }));

/** A run store that keeps the phases it is given (the only call `step()` makes itself). */
function phaseStore() {
  const phases: PhaseRecord[] = [];
  const store = { putPhase: async (_id: string, phase: PhaseRecord) => void phases.push(phase) };
  return { phases, store: store as unknown as RunStore };
}

/** The one factory per dependency every step of this file names, as the providers modules are in the product. */
let currentRuns: RunStore;
const runs = vi.fn(() => currentRuns);
const reports = vi.fn(() => ({ put: async () => 'r' }) as never);

afterEach(() => {
  runs.mockClear();
  reports.mockClear();
  resetDeps();
  stepHooks.around = undefined;
});

describe('step()', () => {
  it('builds the dependencies a step names, once, when the step first runs', async () => {
    const { store } = phaseStore();
    currentRuns = store;
    const handler = step('One', { runs, reports }, async (input: { n: number }, d) => {
      expect(d.runs).toBe(store);
      return input.n + 1;
    });
    expect(runs).not.toHaveBeenCalled();
    expect(await handler({ n: 1 })).toBe(2);
    expect(await handler({ n: 2 })).toBe(3);
    expect(runs).toHaveBeenCalledTimes(1);
    expect(reports).toHaveBeenCalledTimes(1);
    expect(Object.keys(deps()).sort()).toEqual(['now', 'reports', 'runs']);
  });

  it('builds them again after resetDeps(), and a member replaced on deps() is what the step gets', async () => {
    const first = phaseStore();
    const second = phaseStore();
    currentRuns = first.store;
    const seen: RunStore[] = [];
    const handler = step('Two', { runs }, async (_: unknown, d) => void seen.push(d.runs));
    await handler({});
    resetDeps();
    Object.assign(deps(), { runs: second.store });
    await handler({});
    expect(seen).toEqual([first.store, second.store]);
    expect(runs).toHaveBeenCalledTimes(2);
  });

  it('refuses a second factory for the same dependency', () => {
    expect(() => step('Four', { runs: () => currentRuns }, async () => 1)).toThrow(
      "Four: another step builds 'runs' with another factory",
    );
  });

  it('records the phase, rethrows the error unchanged, and runs inside the test hook with its name', async () => {
    const { phases, store } = phaseStore();
    currentRuns = store;
    const names: string[] = [];
    stepHooks.around = (name, run) => {
      names.push(name);
      return run();
    };
    const boom = Object.assign(new Error('no'), { name: 'RolloutTimeoutError' });
    const handler = step('Three', { runs }, async () => {
      throw boom;
    });
    await expect(handler({ run: { executionId: 'arn:x' } })).rejects.toBe(boom);
    expect(names).toEqual(['Three']);
    expect(phases).toMatchObject([{ name: 'Three', outcome: 'failed', detail: 'RolloutTimeoutError: no' }]);
  });
});
