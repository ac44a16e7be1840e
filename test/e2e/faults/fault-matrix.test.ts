import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultMatrix, startFaultMatrix } from '../../support/faults/matrix';
import { FAST_SCENARIOS, SCENARIOS } from '../../support/faults/matrix-scenarios';

/**
 * The fault matrix (test/support/faults/matrix.ts, scenarios in matrix-scenarios.ts): one injected fault per scenario, and the environment must
 * end as it was found. `npm test` runs FAST_SCENARIOS, one per kind of fault; `npm run fault-matrix`
 * (FAULT_MATRIX=full) runs every scenario. FAULT_MATRIX_JANITOR=off leaves out the janitor, to see the matrix
 * catch what it would leave dirty.
 */
const full = process.env.FAULT_MATRIX === 'full';
const scenarios = SCENARIOS.filter((s) => full || FAST_SCENARIOS.includes(s.name));

describe(`the fault matrix: ${full ? 'every scenario' : 'one scenario per kind of fault'}`, () => {
  let matrix: FaultMatrix | undefined;
  beforeAll(async () => {
    matrix = await startFaultMatrix({ janitor: process.env.FAULT_MATRIX_JANITOR !== 'off' });
  }, 600_000);
  afterAll(async () => {
    await matrix?.stop();
  }, 120_000);

  it('names only scenarios that exist in its fast subset', () => {
    expect(FAST_SCENARIOS.filter((name) => !SCENARIOS.some((s) => s.name === name))).toEqual([]);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))(
    '%s: the environment ends as it was found',
    async (_, s) => {
      if (!matrix) throw new Error('the environment did not start');
      const result = await matrix.check(s);
      expect(result.dirty, `${result.outcome}; ${result.reason}`).toEqual([]);
    },
  );
});
