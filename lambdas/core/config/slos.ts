import type { RelativeCriteria, SloConfig } from './types';

/** Fills the SLO defaults (also for configurations written before SLOs had more than two fields). */
export function withSloDefaults(raw: RawSloConfig | undefined): SloConfig {
  return {
    maxFailureRatio: 0.01,
    targetTolerance: 0.1,
    alarms: [],
    requests: [],
    graceTicks: 2,
    breachTicks: 2,
    abortOnBreach: false,
    deadSystemTicks: 3,
    ...raw,
    relative: { severity: 'warn', ...raw?.relative },
  };
}
export type RawSloConfig = Partial<Omit<SloConfig, 'relative'>> & { relative?: Partial<RelativeCriteria> };
