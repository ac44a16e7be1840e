import { describe, expect, it } from 'vitest';
import { executionIdOf } from '../../../../lambdas/use-cases/phases';

describe('executionIdOf: which run a step invocation belongs to, for its recorded phase', () => {
  const id = 'arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:run-1';

  it.each([
    ['a step given the whole state', { run: { executionId: id } }],
    ['a prepare Map item', { state: { run: { executionId: id } }, application: 'checkout' }],
    ['the node groups item', { state: { run: { executionId: id } }, nodeGroups: true }],
    ['Validate input', { input: {}, execution: { id } }],
  ])('%s', (_, input) => {
    expect(executionIdOf(input)).toBe(id);
  });

  it('none for an input that names no execution', () => {
    expect(executionIdOf({ application: 'checkout' })).toBeNull();
    expect(executionIdOf(null)).toBeNull();
  });
});
