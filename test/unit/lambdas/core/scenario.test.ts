import { describe, expect, it } from 'vitest';
import { DEFAULT_KPI } from '../../../../lambdas/core/config';
import {
  describeUserClasses,
  kpiOf,
  kpiShare,
  type MasterOffer,
  masterOfferProblems,
  scenarioUserClasses,
} from '../../../../lambdas/core/scenario';

const OFFER: MasterOffer = {
  classPicker: true,
  offered: { CheckoutUser: { weight: 1, countsKpi: true }, BrowseUser: { weight: 1, countsKpi: false } },
  kpiRequestName: DEFAULT_KPI.requestName,
};
const URL = 'http://locust:8089';

describe('masterOfferProblems', () => {
  it('accepts every combination of offered classes that includes the KPI class', () => {
    for (const classes of [{ CheckoutUser: 1 }, { CheckoutUser: 1, BrowseUser: 3 }] as Record<
      string,
      number
    >[]) {
      expect(masterOfferProblems(OFFER, 's', classes, DEFAULT_KPI, URL)).toEqual([]);
    }
  });

  it('names each reason a master cannot run a scenario, with what to change', () => {
    const rules = (offer: MasterOffer, classes: Record<string, number>, kpi = DEFAULT_KPI) =>
      masterOfferProblems(offer, 'mixed', classes, kpi, URL).map((p) => `${p.field}: ${p.rule}`);
    expect(rules({ ...OFFER, classPicker: false }, { CheckoutUser: 1 })).toEqual([
      expect.stringMatching(/^scenario: .* runs without --class-picker.*start it as locust\/Dockerfile does/),
    ]);
    expect(rules(OFFER, { SearchUser: 1, CheckoutUser: 1 })).toEqual([
      expect.stringMatching(
        /^scenario: .*does not offer SearchUser of 'mixed' \(it offers BrowseUser, CheckoutUser\)/,
      ),
    ]);
    expect(rules(OFFER, { BrowseUser: 1 })).toEqual([
      expect.stringMatching(
        /^scenario: none of the classes of 'mixed' \(BrowseUser\) counts the KPI .*@counts_kpi/,
      ),
    ]);
    expect(rules(OFFER, { CheckoutUser: 1 }, { ...DEFAULT_KPI, requestName: 'book' })).toEqual([
      expect.stringMatching(
        /^kpi.requestName: .*counts 'checkout: place order'.*LTC_ORDER_REQUEST_NAME='book'/,
      ),
    ]);
  });
});

describe('a run environment without userClasses or kpi (a run continued from an older execution)', () => {
  it('selects no classes and steers on orders', () => {
    expect(scenarioUserClasses({}, 'checkout')).toBeNull();
    expect(kpiOf({})).toEqual(DEFAULT_KPI);
    expect(scenarioUserClasses({ userClasses: { mixed: { A: 1 } } }, 'mixed')).toEqual({ A: 1 });
  });
});

describe('describeUserClasses', () => {
  it('lists classes by name with their weights', () => {
    expect(describeUserClasses({ CheckoutUser: 1, BrowseUser: 2 })).toBe('BrowseUser ×2, CheckoutUser ×1');
  });
});

describe('kpiShare', () => {
  it('is the weight of the classes counting the KPI over all weights', () => {
    expect(kpiShare({ CheckoutUser: 1 }, OFFER)).toBe(1);
    expect(kpiShare({ CheckoutUser: 1, BrowseUser: 2 }, OFFER)).toBeCloseTo(1 / 3, 12);
    expect(kpiShare({ CheckoutUser: 3, BrowseUser: 1 }, OFFER)).toBe(0.75);
    expect(kpiShare({ BrowseUser: 1 }, OFFER)).toBe(0);
  });
});
