/**
 * Nonparametric two-sample statistics for comparing a run with its baseline runs. Pure.
 *
 * - Mann-Whitney U, one-sided "the current sample is stochastically greater", normal approximation with the
 *   tie correction and a continuity correction of 0.5 (what `scipy.stats.mannwhitneyu(x, y,
 *   alternative='greater', method='asymptotic')` computes).
 * - Hodges-Lehmann shift: the median of every difference x_i − y_j, with the distribution-free (Moses)
 *   confidence interval: the k-th smallest and k-th largest differences, k from the normal approximation of U.
 *
 * Assumptions: the samples within each group are independent and identically distributed; per-tick
 * percentiles of a steady plateau are close to that, not exactly (docs/verdict.md).
 */

export interface MannWhitneyResult {
  /** U of the first sample: the number of pairs (x_i, y_j) with x_i > y_j, ties counting one half. */
  readonly u: number;
  /** z of U (continuity-corrected). */
  readonly z: number;
  /** One-sided p-value: the probability of a U this large if both samples came from one distribution. */
  readonly pValue: number;
}

/** Mann-Whitney U test that `x` is stochastically greater than `y`. Both samples need at least one value. */
export function mannWhitneyGreater(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('Mann-Whitney U needs at least one value in each sample');
  const all = [...x.map((v) => ({ v, first: true })), ...y.map((v) => ({ v, first: false }))].sort(
    (a, b) => a.v - b.v,
  );
  const total = m + n;
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < total; ) {
    let j = i;
    while (j + 1 < total && all[j + 1]?.v === all[i]?.v) j++;
    const ties = j - i + 1;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]?.first) rankSumX += averageRank;
    tieTerm += ties ** 3 - ties;
    i = j + 1;
  }
  const u = rankSumX - (m * (m + 1)) / 2;
  const sigma = Math.sqrt(((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1))));
  if (!(sigma > 0)) return { u, z: 0, pValue: 1 };
  const z = (u - (m * n) / 2 - 0.5) / sigma;
  return { u, z, pValue: normalSurvival(z) };
}

export interface ShiftEstimate {
  /** Hodges-Lehmann estimate of how much larger `x` is than `y` (same unit). */
  readonly shift: number;
  /** Confidence interval of the shift at `confidence`. */
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
}

/** Hodges-Lehmann shift of `x` over `y` with its distribution-free confidence interval (default 95 %). */
export function hodgesLehmann(x: readonly number[], y: readonly number[], confidence = 0.95): ShiftEstimate {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('Hodges-Lehmann needs at least one value in each sample');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be between 0 and 1');
  const differences: number[] = [];
  for (const a of x) for (const b of y) differences.push(a - b);
  differences.sort((a, b) => a - b);
  const count = differences.length;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  // k differences are cut from each end (at least none; at most all but the median's).
  const k = Math.min(
    Math.max(0, Math.floor((m * n) / 2 - z * Math.sqrt((m * n * (m + n + 1)) / 12))),
    Math.floor((count - 1) / 2),
  );
  return {
    shift: median(differences),
    low: differences[k] as number,
    high: differences[count - 1 - k] as number,
    confidence,
  };
}

/** The median of a sample (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolation quantile (numpy's default), q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const lower = sorted[below] as number;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return lower + (upper - lower) * (position - below);
}

/** P(Z > z) for a standard normal Z. */
function normalSurvival(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * Complementary error function: W. J. Cody's rational Chebyshev approximations (1969), relative error below
 * 1e-15 over the whole line — p-values keep their precision far in the tail.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  let result: number;
  if (ax < 0.5) {
    const t = ax * ax;
    const top =
      (((0.18577770618460315 * t + 3.1611237438705655) * t + 113.86415415105016) * t + 377.485237685302) * t +
      3209.3775891384694;
    const bottom =
      (((t + 23.601290952344122) * t + 244.02463793444417) * t + 1282.6165260773723) * t + 2844.236833439171;
    return 1 - (x * top) / bottom;
  }
  if (ax < 4) {
    const top =
      (((((((2.1531153547440383e-8 * ax + 0.5641884969886701) * ax + 8.883149794388377) * ax +
        66.11919063714163) *
        ax +
        298.6351381974001) *
        ax +
        881.952221241769) *
        ax +
        1712.0476126340707) *
        ax +
        2051.0783778260716) *
        ax +
      1230.3393547979972;
    const bottom =
      (((((((ax + 15.744926110709835) * ax + 117.6939508913125) * ax + 537.1811018620099) * ax +
        1621.3895745666903) *
        ax +
        3290.7992357334597) *
        ax +
        4362.619090143247) *
        ax +
        3439.3676741437216) *
        ax +
      1230.3393548037495;
    result = (Math.exp(-ax * ax) * top) / bottom;
  } else {
    const t = 1 / (ax * ax);
    const top =
      ((((0.016315387137302097 * t + 0.30532663496123236) * t + 0.36034489994980445) * t +
        0.12578172611122926) *
        t +
        0.016083785148742275) *
        t +
      0.0006587491615298378;
    const bottom =
      ((((t + 2.568520192289822) * t + 1.8729528499234673) * t + 0.5279051029514285) * t +
        0.06051834131244132) *
        t +
      0.0023352049762686918;
    result = (Math.exp(-ax * ax) / ax) * (1 / Math.sqrt(Math.PI) - (t * top) / bottom);
  }
  return x < 0 ? 2 - result : result;
}

/**
 * The standard normal quantile (inverse CDF), p in (0, 1): P. J. Acklam's rational approximation refined by
 * one Halley step on `erfc`, accurate to about 1e-15.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('normal quantile needs 0 < p < 1');
  const a = [
    -39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472,
    2.50662827745924,
  ];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
  const c = [
    -0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497,
    2.93816398269878,
  ];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = poly(c, q) / (poly(d, q) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = (poly(a, r) * q) / (poly(b, r) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -poly(c, q) / (poly(d, q) * q + 1);
  }
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Horner evaluation of c[0]·t^(n-1) + … + c[n-1]. */
function poly(coefficients: readonly number[], t: number): number {
  return coefficients.reduce((sum, c) => sum * t + c, 0);
}
