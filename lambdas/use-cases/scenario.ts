import type { LocustClient } from '../adapters/locust/client';
import { ValidationError } from '../core/errors';
import {
  kpiOf,
  type MasterOffer,
  masterOfferProblems,
  type RunEnvironment,
  scenarioUserClasses,
} from '../core/scenario';

/**
 * Refuses a scenario the environment's Locust master cannot run (classes not offered, none counting the KPI,
 * another KPI request) with a ValidationError naming what to change. Returns the scenario's classes and
 * weights with the master's offer, or null when it maps to none (nothing to check: the master runs its own
 * selection).
 */
export async function checkMasterOffersScenario(
  locust: LocustClient,
  environment: RunEnvironment,
  scenario: string,
): Promise<{ classes: Readonly<Record<string, number>>; offer: MasterOffer } | null> {
  const classes = scenarioUserClasses(environment, scenario);
  if (!classes) return null;
  const offer = await locust.scenario();
  const problems = masterOfferProblems(offer, scenario, classes, kpiOf(environment), environment.locust.url);
  if (problems.length > 0) throw new ValidationError(problems);
  return { classes, offer };
}
