import { expect } from 'chai';
import {
  mean, meaningfulChange, pairCompleteness, pairedChange, quantile, sampleSd, spread, studentTCdf, studentTQuantile,
} from '../../../src/reports/statistics.js';

const close = (actual: number | undefined, expected: number, eps = 1e-6) => {
  expect(actual, `expected ${expected}`).to.be.a('number');
  expect(Math.abs(actual! - expected), `${actual} ≈ ${expected}`).to.be.below(eps);
};

describe('reports/statistics: the figures behind the evaluation reports', () => {
  describe('quantiles (linear interpolation, type 7)', () => {
    it('gives the middle value, or the mean of the middle two, as the median', () => {
      expect(quantile([7, 1, 3], 0.5)).to.equal(3);
      expect(quantile([4, 1, 3, 2], 0.5)).to.equal(2.5);
    });

    it('interpolates the 90th percentile between order statistics (1..10: 9 + 0.1 × (10 − 9) = 9.1)', () => {
      close(quantile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 0.9), 9.1);
      // Days to first contact, hand-computed: sorted 0 1 2 2 3 5 8 13 21; h = 8 × 0.9 = 7.2 → 13 + 0.2 × 8 = 14.6
      const s = spread([5, 0, 13, 2, 21, 1, 8, 2, 3]);
      expect(s).to.include({ n: 9, median: 3 });
      close(s.p90, 14.6);
    });

    it('is undefined for no values and refuses a p outside 0..1', () => {
      expect(spread([])).to.deep.equal({ n: 0, median: undefined, p90: undefined });
      expect(quantile([5], 0)).to.equal(5);
      expect(quantile([5], 1)).to.equal(5);
      expect(() => quantile([1], 1.5)).to.throw(RangeError);
    });
  });

  describe("Student's t", () => {
    it('matches published two-sided 95 % critical values', () => {
      // Standard tables (t0.975): df 1 12.706, 2 4.303, 4 2.776, 10 2.228, 30 2.042, 120 1.980
      const table: [number, number][] = [[1, 12.7062047], [2, 4.3026527], [4, 2.7764451], [10, 2.2281389], [30, 2.0422725], [120, 1.9799304]];
      for (const [df, t] of table) close(studentTQuantile(0.975, df), t, 1e-6);
    });

    it('matches other levels and tends to the normal for many degrees of freedom', () => {
      close(studentTQuantile(0.995, 5), 4.0321430, 1e-6);
      close(studentTQuantile(0.95, 20), 1.7247182, 1e-6);
      close(studentTQuantile(0.975, 1e6), 1.959966, 1e-5);
      close(studentTQuantile(0.025, 10), -2.2281389, 1e-6);
    });

    it('has a CDF that is symmetric about zero', () => {
      close(studentTCdf(0, 7), 0.5, 1e-12);
      close(studentTCdf(2.364624, 7) + studentTCdf(-2.364624, 7), 1, 1e-12);
      close(studentTCdf(2.364624, 7), 0.975, 1e-6);
    });
  });

  describe('paired before/after change', () => {
    // Hand-computed: differences 4 1 4 1 6; mean 3.2; squared deviations 0.64 4.84 0.64 4.84 7.84 = 18.8;
    // variance 18.8 / 4 = 4.7; sd 2.1679483; se = sd / √5 = 0.9695360; t(0.975, 4) = 2.7764451;
    // half-width 2.6918634; 95 % CI 0.5081366 to 5.8918634.
    const pairs = [{ before: 10, after: 14 }, { before: 12, after: 13 }, { before: 15, after: 19 }, { before: 20, after: 21 }, { before: 18, after: 24 }];

    it('gives the mean change with its 95 % confidence interval from the t distribution', () => {
      const c = pairedChange(pairs);
      expect(c.n).to.equal(5);
      close(c.meanBefore, 15);
      close(c.meanAfter, 18.2);
      close(c.meanChange, 3.2);
      close(c.sdChange, 2.1679483);
      expect(c.ci?.level).to.equal(0.95);
      close(c.ci?.lower, 0.5081366);
      close(c.ci?.upper, 5.8918634);
    });

    it('widens the interval for a higher level (99 %: t(0.995, 4) = 4.6040949 → 3.2 ± 4.4638)', () => {
      const c = pairedChange(pairs, 0.99);
      close(c.ci?.lower, 3.2 - 4.6040949 * 0.9695360, 1e-5);
      close(c.ci?.upper, 3.2 + 4.6040949 * 0.9695360, 1e-5);
    });

    it('has no interval for one pair and nothing for none', () => {
      expect(pairedChange([{ before: 20, after: 25 }])).to.deep.include({ n: 1, meanChange: 5, sdChange: undefined, ci: undefined });
      expect(pairedChange([])).to.deep.include({ n: 0, meanChange: undefined, ci: undefined });
    });

    it('gives a zero-width interval when every pair changed by the same amount', () => {
      const c = pairedChange([{ before: 1, after: 3 }, { before: 5, after: 7 }, { before: 9, after: 11 }]);
      expect(c.ci).to.deep.equal({ level: 0.95, lower: 2, upper: 2 });
    });
  });

  describe('meaningful change', () => {
    it('counts SWEMWBS changes of 3 points or more up as improved, and 3 or more down as worse', () => {
      const m = meaningfulChange([{ before: 20, after: 23 }, { before: 20, after: 22 }, { before: 20, after: 17 }, { before: 15, after: 25 }], 3, true);
      expect(m).to.deep.equal({ n: 4, improved: 2, worsened: 1, shareImproved: 0.5 });
    });

    it('reads a fall as better where lower is better (UCLA-3 loneliness)', () => {
      const m = meaningfulChange([{ before: 8, after: 5 }, { before: 6, after: 6 }, { before: 4, after: 7 }], 1, false);
      expect(m).to.deep.equal({ n: 3, improved: 1, worsened: 1, shareImproved: 1 / 3 });
    });

    it('has no share for no pairs', () => {
      expect(meaningfulChange([], 3, true).shareImproved).to.equal(undefined);
    });
  });

  describe('complete pairs', () => {
    it('reports the pairs missing as a count and a share', () => {
      expect(pairCompleteness(40, 30)).to.deep.equal({ eligible: 40, complete: 30, missing: 10, shareMissing: 0.25 });
      expect(pairCompleteness(0, 0).shareMissing).to.equal(undefined);
      expect(() => pairCompleteness(3, 4)).to.throw(RangeError);
    });
  });

  it('mean and sample standard deviation', () => {
    expect(mean([])).to.equal(undefined);
    close(mean([1, 2, 3, 4]), 2.5);
    close(sampleSd([2, 4, 4, 4, 5, 5, 7, 9]), 2.1380899);
    expect(sampleSd([3])).to.equal(undefined);
  });
});
