/**
 * What a scenario runs (docs/scenarios.md): the Locust User classes an environment maps it to, with their
 * weights, and whether a master can run it. Pure: the master's offer is read by the caller.
 */
import { DEFAULT_KPI, type EnvironmentConfig, type KpiConfig } from './config';
import type { FieldProblem } from './errors';

/** What a master offers, as its conductor plugin reports it (`GET /conductor/scenario`). */
export interface MasterOffer {
  /** Started with `--class-picker`, so `/swarm` can select classes. */
  readonly classPicker: boolean;
  readonly offered: Readonly<Record<string, { readonly weight: number; readonly countsKpi: boolean }>>;
  /** The request name its plugin counts as the KPI. */
  readonly kpiRequestName: string;
}

/**
 * The environment as a run's state carries it: a run that continues from an execution started before
 * environments had `userClasses` and `kpi` carries neither.
 */
export type RunEnvironment = Omit<EnvironmentConfig, 'userClasses' | 'kpi'> &
  Partial<Pick<EnvironmentConfig, 'userClasses' | 'kpi'>>;

/** User classes and weights of a scenario, by class name; null when the environment maps it to none. */
export function scenarioUserClasses(
  environment: Pick<RunEnvironment, 'userClasses'>,
  scenario: string,
): Readonly<Record<string, number>> | null {
  return environment.userClasses?.[scenario] ?? null;
}

/** The environment's KPI, or of whatever names its KPI (a verdict's input): orders when it names none. */
export function kpiOf<K extends Pick<KpiConfig, 'name' | 'unit'> = KpiConfig>(owner: {
  readonly kpi?: K | undefined;
}): K | KpiConfig {
  return owner.kpi ?? DEFAULT_KPI;
}

/** "BrowseUser ×2, CheckoutUser ×1": how a report and a tick message name what ran. */
export function describeUserClasses(classes: Readonly<Record<string, number>>): string {
  return Object.entries(classes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, weight]) => `${name} ×${weight}`)
    .join(', ');
}

/**
 * Why a master cannot run a scenario, one problem per reason; empty when it can. A scenario none of whose
 * classes counts the KPI is refused: its target could never be met.
 */
export function masterOfferProblems(
  offer: MasterOffer,
  scenario: string,
  classes: Readonly<Record<string, number>>,
  kpi: KpiConfig,
  masterUrl: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const wanted = Object.keys(classes).sort();
  const offered = Object.keys(offer.offered).sort();
  if (!offer.classPicker) {
    problems.push({
      field: 'scenario',
      rule: `the Locust master at ${masterUrl} runs without --class-picker, so it cannot select the classes of '${scenario}' (${wanted.join(', ')}): start it as locust/Dockerfile does (-f <scenarios directory> --class-picker)`,
    });
  }
  const missing = wanted.filter((name) => !offer.offered[name]);
  if (missing.length > 0) {
    problems.push({
      field: 'scenario',
      rule: `the Locust master at ${masterUrl} does not offer ${missing.join(', ')} of '${scenario}' (it offers ${offered.join(', ') || 'no class'}): add the locustfile that defines ${missing.length > 1 ? 'them' : 'it'} to its image`,
    });
  } else if (!wanted.some((name) => offer.offered[name]?.countsKpi)) {
    problems.push({
      field: 'scenario',
      rule: `none of the classes of '${scenario}' (${wanted.join(', ')}) counts the KPI (${kpi.name}, request '${kpi.requestName}'), so its target could never be met: add the class that fires it, marked @counts_kpi`,
    });
  }
  if (offer.kpiRequestName !== kpi.requestName) {
    problems.push({
      field: 'kpi.requestName',
      rule: `the Locust master at ${masterUrl} counts '${offer.kpiRequestName}' as the KPI, the environment '${kpi.requestName}': set LTC_ORDER_REQUEST_NAME='${kpi.requestName}' on its master and workers, or kpi.requestName to what it counts`,
    });
  }
  return problems;
}

/** The class names a `/swarm` selects for a run; undefined when its scenario maps to none. */
export function userClassNames(
  environment: Pick<RunEnvironment, 'userClasses'>,
  scenario: string,
): string[] | undefined {
  const classes = scenarioUserClasses(environment, scenario);
  return classes ? Object.keys(classes).sort() : undefined;
}

/**
 * The share of a scenario's users whose class counts the KPI (their weights over all weights): one user of the
 * mix yields the KPI rate of a KPI user times this share, which is how the controller's prior is scaled.
 */
export function kpiShare(classes: Readonly<Record<string, number>>, offer: MasterOffer): number {
  let all = 0;
  let counting = 0;
  for (const [name, weight] of Object.entries(classes)) {
    all += weight;
    if (offer.offered[name]?.countsKpi) counting += weight;
  }
  return all > 0 ? counting / all : 1;
}
