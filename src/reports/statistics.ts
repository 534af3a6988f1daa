/**
 * The statistics behind SP Link's evaluation reports, pure: quantiles of waiting times, paired before/after change
 * of an outcome measure with its confidence interval, the share with a meaningful change, and how complete the
 * pairs are. Plain numbers in, plain numbers out; no I/O, no clock.
 */

/**
 * The p-quantile (0 ≤ p ≤ 1) of `values` by linear interpolation between order statistics (Hyndman & Fan type 7,
 * the default of R and of spreadsheet PERCENTILE.INC): so the median of an even count is the mean of the middle two.
 * undefined for no values.
 */
export function quantile(values: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be within 0..1, not ${p}`);
  if (values.length === 0) return undefined;
  const x = [...values].sort((a, b) => a - b);
  const h = (x.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return x[lo]! + (h - lo) * (x[hi]! - x[lo]!);
}

export interface Spread {
  n: number;
  median: number | undefined;
  p90: number | undefined;
}

/** Median and 90th percentile (e.g. days from referral to first contact), with how many values they come from. */
export function spread(values: readonly number[]): Spread {
  return { n: values.length, median: quantile(values, 0.5), p90: quantile(values, 0.9) };
}

export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Sample standard deviation (n − 1 in the denominator); undefined below two values. */
export function sampleSd(values: readonly number[]): number | undefined {
  const m = mean(values);
  if (m === undefined || values.length < 2) return undefined;
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

// --- Student's t distribution -------------------------------------------------------------------------------
// Computed rather than tabled so any confidence level and any number of pairs is exact (to 1e-10), not the
// normal approximation that is too narrow for the small pairs counts of one practice or one month.

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the regularised incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t with P(T ≤ t) = p, for Student's t with `df` degrees of freedom (bisection on the CDF). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be within (0, 1), not ${p}`);
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df must be positive, not ${df}`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// --- Paired change ------------------------------------------------------------------------------------------

export interface Pair {
  before: number;
  after: number;
}

export interface PairedChange {
  /** Complete pairs (a score before and a score after). */
  n: number;
  meanBefore: number | undefined;
  meanAfter: number | undefined;
  /** Mean of (after − before). */
  meanChange: number | undefined;
  sdChange: number | undefined;
  /** Confidence interval of the mean change (t distribution, n − 1 df); undefined below two pairs. */
  ci: { level: number; lower: number; upper: number } | undefined;
}

/**
 * The confidence interval (default 95 %) of a mean change from its moments: mean ± t × sd / √n, t with n − 1 degrees
 * of freedom; undefined below two pairs. For figures aggregated in SQL, which come back as moments, not pairs.
 */
export function meanChangeInterval(meanChange: number | undefined, sd: number | undefined, n: number, level = 0.95): PairedChange['ci'] {
  if (!(level > 0 && level < 1)) throw new RangeError(`meanChangeInterval: level must be within (0, 1), not ${level}`);
  if (meanChange === undefined || sd === undefined || n < 2) return undefined;
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { level, lower: meanChange - half, upper: meanChange + half };
}

/**
 * Mean change from before to after over complete pairs, with its confidence interval (default 95 %) from the
 * t distribution with n − 1 degrees of freedom: mean ± t × sd / √n.
 */
export function pairedChange(pairs: readonly Pair[], level = 0.95): PairedChange {
  if (!(level > 0 && level < 1)) throw new RangeError(`pairedChange: level must be within (0, 1), not ${level}`);
  const diffs = pairs.map((p) => p.after - p.before);
  const m = mean(diffs);
  const sd = sampleSd(diffs);
  const ci = meanChangeInterval(m, sd, diffs.length, level);
  return {
    n: pairs.length, meanBefore: mean(pairs.map((p) => p.before)), meanAfter: mean(pairs.map((p) => p.after)),
    meanChange: m, sdChange: sd, ci,
  };
}

export interface MeaningfulChange {
  n: number;
  improved: number;
  worsened: number;
  /** improved / n; undefined for no pairs. */
  shareImproved: number | undefined;
}

/**
 * How many pairs changed by at least `threshold` points in the better direction (e.g. SWEMWBS ≥ 3 up; UCLA-3
 * down is better), and how many by as much in the worse one.
 */
export function meaningfulChange(pairs: readonly Pair[], threshold: number, higherIsBetter: boolean): MeaningfulChange {
  if (!(threshold > 0)) throw new RangeError(`meaningfulChange: threshold must be positive, not ${threshold}`);
  let improved = 0;
  let worsened = 0;
  for (const p of pairs) {
    const gain = (p.after - p.before) * (higherIsBetter ? 1 : -1);
    if (gain >= threshold) improved++;
    else if (gain <= -threshold) worsened++;
  }
  return { n: pairs.length, improved, worsened, shareImproved: pairs.length ? improved / pairs.length : undefined };
}

export interface PairCompleteness {
  /** People who should have a pair (e.g. a measure at the start and a completed case). */
  eligible: number;
  complete: number;
  missing: number;
  /** missing / eligible; undefined when nobody is eligible. */
  shareMissing: number | undefined;
}

/** How many of those who should have a before and an after score have both. */
export function pairCompleteness(eligible: number, complete: number): PairCompleteness {
  if (!Number.isInteger(eligible) || !Number.isInteger(complete) || complete < 0 || complete > eligible) {
    throw new RangeError(`pairCompleteness: need whole numbers with 0 ≤ complete ≤ eligible, not ${complete}/${eligible}`);
  }
  return { eligible, complete, missing: eligible - complete, shareMissing: eligible ? (eligible - complete) / eligible : undefined };
}
