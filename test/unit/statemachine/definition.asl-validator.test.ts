import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../lambdas/core/config-file';
import { synthesizePipeline } from '../../../local/synth';
import { STEPS } from '../../../statemachine/steps';
import { validateAsl } from '../../support/asl';

/**
 * The synthesized definition through asl-validator (an Amazon States Language validator nobody on this project
 * wrote): its JSON schema, transitions, terminal states, ARNs and paths. The same check runs over the template
 * of every example configuration in test/e2e/cdk/external-validators.test.ts.
 */
const { definition } = synthesizePipeline(loadConfigFile('config/example.json'));

describe('asl-validator', () => {
  it('finds no error in the synthesized definition', () => {
    const result = validateAsl(definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('finds a transition to a state that does not exist (the check can fail)', () => {
    const broken = structuredClone(definition) as { States: Record<string, { Next?: string }> };
    (broken.States[STEPS['stop-load']] as { Next?: string }).Next = 'Nowhere';
    const result = validateAsl(broken);
    expect(result.isValid).toBe(false);
    expect(result.errorsText()).toMatch(/MISSING_TRANSITION_TARGET/);
  });
});
