/**
 * One real Locust 2.47 master started as the image starts it (every scenario's classes, --class-picker) with two
 * workers: a scenario's classes and weights are selected the way Start load selects them, and a scenario the
 * master cannot run is refused by the check Acquire lock and the dry run make. The target refuses connections:
 * what is measured here is which users run, not what they order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocustClient } from '../../../lambdas/adapters/locust/client';
import { DEFAULT_KPI } from '../../../lambdas/core/config';
import { ValidationError } from '../../../lambdas/core/errors';
import { checkMasterOffersScenario } from '../../../lambdas/use-cases/scenario';
import { type LocustCluster, startLocustCluster } from '../../../local/locust-cluster';
import { until } from '../../support/locust-cluster';

const USER_CLASSES = {
  checkout: { CheckoutUser: 1 },
  mixed: { CheckoutUser: 1, BrowseUser: 2 },
  browse: { BrowseUser: 1 },
  search: { SearchUser: 1, CheckoutUser: 1 },
};

describe('a scenario selects the user classes of one master offering them all', () => {
  let cluster: LocustCluster;
  let locust: LocustClient;
  const environment = (url: string) =>
    ({
      userClasses: USER_CLASSES,
      kpi: DEFAULT_KPI,
      locust: { url },
    }) as unknown as Parameters<typeof checkMasterOffersScenario>[1];

  beforeAll(async () => {
    cluster = await startLocustCluster({
      scenario: 'locust/scenarios',
      classPicker: true,
      host: 'http://127.0.0.1:1',
      workers: 2,
      env: { LTC_PACING_SECONDS: '1' },
    });
    locust = new LocustClient({ baseUrl: cluster.url, timeoutMs: 5_000 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** What Start load does: check, set the weights, swarm naming the classes; then the users per class. */
  async function runScenario(
    scenario: keyof typeof USER_CLASSES,
    users: number,
  ): Promise<Record<string, number>> {
    const checked = await checkMasterOffersScenario(locust, environment(cluster.url), scenario);
    if (!checked) throw new Error('no classes');
    const { classes } = checked;
    for (const [name, weight] of Object.entries(classes)) await locust.setUserClassWeight(name, weight);
    await locust.swarm({ userCount: users, spawnRate: users, userClasses: Object.keys(classes) });
    const { running } = await until(
      `${users} users of ${scenario}`,
      () => locust.scenario(),
      (s) => Object.values(s.running).reduce((a, b) => a + b, 0) === users,
      20_000,
    );
    await locust.stop();
    await until(
      'stopped',
      () => locust.kpi(),
      (k) => k.state === 'stopped',
      20_000,
    );
    return { ...running };
  }

  it('offers every scenario file’s classes, with the KPI class marked', async () => {
    const offer = await locust.scenario();
    expect(offer.classPicker).toBe(true);
    expect(offer.offered).toMatchObject({
      CheckoutUser: { countsKpi: true },
      BrowseUser: { countsKpi: false },
    });
    expect(offer.kpiRequestName).toBe(DEFAULT_KPI.requestName);
  });

  it('checkout runs checkout users only; mixed runs both at their weights, then checkout alone again', async () => {
    expect(await runScenario('checkout', 6)).toEqual({ CheckoutUser: 6 });
    expect(await runScenario('mixed', 9)).toEqual({ CheckoutUser: 3, BrowseUser: 6 });
    expect(await runScenario('checkout', 4)).toEqual({ CheckoutUser: 4 });
  }, 120_000);

  it('refuses a scenario without a class counting the KPI, and one with a class the master does not offer', async () => {
    const refusal = (scenario: string) =>
      checkMasterOffersScenario(locust, environment(cluster.url), scenario).then(
        () => null,
        (err: unknown) => err,
      );
    const browse = await refusal('browse');
    expect(browse).toBeInstanceOf(ValidationError);
    expect(String((browse as Error).message)).toMatch(
      /none of the classes of 'browse' \(BrowseUser\) counts the KPI.*@counts_kpi/,
    );
    const search = await refusal('search');
    expect(search).toBeInstanceOf(ValidationError);
    expect(String((search as Error).message)).toMatch(
      /does not offer SearchUser of 'search' \(it offers BrowseUser, CheckoutUser\)/,
    );
  });
});
