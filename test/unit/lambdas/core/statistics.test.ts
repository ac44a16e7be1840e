import { describe, expect, it } from 'vitest';
import {
  erfc,
  hodgesLehmann,
  mannWhitneyGreater,
  median,
  normalQuantile,
  quantile,
} from '../../../../lambdas/core/statistics';
import { Rng } from '../../../support/schema-generator';

/**
 * Reference values computed with SciPy 1.17.1 / NumPy (Python 3.12):
 *   r = scipy.stats.mannwhitneyu(x, y, alternative='greater', method='asymptotic', use_continuity=True)
 *   → (r.statistic, r.pvalue); hl = numpy.median(numpy.subtract.outer(x, y))
 */
const SCIPY_CASES = [
  {
    name: 'no ties',
    x: [12.1, 14.3, 13.8, 15.2, 16.0, 13.1, 14.9, 15.5],
    y: [11.2, 12.8, 12.0, 13.5, 11.9, 12.4, 13.0, 12.2, 11.5],
    u: 66,
    p: 0.0022653203381679896,
    hl: 2.25,
  },
  {
    name: 'ties',
    x: [120, 130, 130, 140, 150, 150, 160],
    y: [110, 120, 120, 130, 140, 140, 150, 110],
    u: 41,
    p: 0.07090770927986131,
    hl: 10,
  },
  {
    name: 'same distribution',
    x: [100, 105, 98, 102, 101, 99],
    y: [100, 104, 97, 103, 101, 98],
    u: 19.5,
    p: 0.43605668245606066,
    hl: 0.5,
  },
  {
    name: 'lower',
    x: [80, 82, 79, 85, 81],
    y: [100, 98, 102, 99, 101, 97],
    u: 0,
    p: 0.9976718713764371,
    hl: -18,
  },
] as const;

/** Python's math.erfc (correctly rounded libm) at the same points. */
const PYTHON_ERFC: readonly [number, number][] = [
  [-3, 1.9999779095030015],
  [-0.3, 1.3286267594591274],
  [0.1, 0.8875370839817152],
  [0.51, 0.4707563801588296],
  [2.5, 0.0004069520174449589],
  [3.9, 3.479224859723177e-8],
  [4.1, 6.700027654084918e-9],
  [6, 2.1519736712498916e-17],
];

describe('mannWhitneyGreater', () => {
  for (const c of SCIPY_CASES) {
    it(`matches scipy.stats.mannwhitneyu (asymptotic, greater): ${c.name}`, () => {
      const result = mannWhitneyGreater(c.x, c.y);
      expect(result.u).toBe(c.u);
      expect(result.pValue).toBeCloseTo(c.p, 12);
    });
  }

  it('refuses an empty sample', () => {
    expect(() => mannWhitneyGreater([], [1])).toThrow(/at least one value/);
  });

  it('gives p = 1 when every value is tied (no evidence either way)', () => {
    expect(mannWhitneyGreater([5, 5, 5], [5, 5]).pValue).toBe(1);
  });

  it('holds its false-positive rate: about α of same-distribution comparisons are significant', () => {
    const rng = new Rng(7);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    let significant = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const x = Array.from({ length: 12 }, () => 100 + 10 * normal());
      const y = Array.from({ length: 36 }, () => 100 + 10 * normal());
      if (mannWhitneyGreater(x, y).pValue < 0.05) significant++;
    }
    // Binomial(2000, 0.05): sd ≈ 9.7; the continuity correction makes the test slightly conservative.
    expect(significant / trials).toBeGreaterThan(0.03);
    expect(significant / trials).toBeLessThan(0.065);
  });
});

describe('hodgesLehmann', () => {
  for (const c of SCIPY_CASES) {
    it(`the shift is numpy's median of all pairwise differences: ${c.name}`, () => {
      const estimate = hodgesLehmann(c.x, c.y);
      expect(estimate.shift).toBe(c.hl);
      expect(estimate.low).toBeLessThanOrEqual(estimate.shift);
      expect(estimate.high).toBeGreaterThanOrEqual(estimate.shift);
    });
  }

  it('cuts k = ⌊mn/2 − z·√(mn(m+n+1)/12)⌋ differences from each end', () => {
    // x − y differences of [1..5] and [0..4] are −3..5; mn = 25, z(0.975) = 1.95996: k = ⌊12.5 − 1.95996·√(25·11/12)⌋ = 3.
    const estimate = hodgesLehmann([1, 2, 3, 4, 5], [0, 1, 2, 3, 4]);
    const differences = [1, 2, 3, 4, 5]
      .flatMap((a) => [0, 1, 2, 3, 4].map((b) => a - b))
      .sort((a, b) => a - b);
    expect(estimate.shift).toBe(1);
    expect(estimate.low).toBe(differences[3]);
    expect(estimate.high).toBe(differences[21]);
  });

  it('its 95 % interval covers the true shift in about 95 % of samples (many seeds)', () => {
    const rng = new Rng(11);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    let covered = 0;
    const trials = 1000;
    for (let t = 0; t < trials; t++) {
      const x = Array.from({ length: 12 }, () => 130 + 8 * normal());
      const y = Array.from({ length: 30 }, () => 100 + 8 * normal());
      const e = hodgesLehmann(x, y);
      if (e.low <= 30 && 30 <= e.high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.975);
  });
});

describe('distribution helpers', () => {
  it('erfc equals Python math.erfc to 1e-14 (relative)', () => {
    for (const [x, want] of PYTHON_ERFC) expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1e-14);
  });

  it('normalQuantile inverts the normal CDF (statistics.NormalDist().inv_cdf)', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 12);
    expect(normalQuantile(0.5)).toBe(0);
    expect(() => normalQuantile(1)).toThrow(/0 < p < 1/);
  });

  it('median and quantile interpolate like numpy', () => {
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([10, 20], 0.9)).toBe(19);
    expect(() => median([])).toThrow(/empty/);
  });
});
