import { describe, expect, it } from 'vitest';
import { pairedTTest, regularizedBeta, studentTwoSidedP } from './pairedTest';

describe('Student t and the paired test', () => {
  // Reference values computed with scipy 1.17: 2 * stats.t.sf(t, df), special.betainc, stats.ttest_rel.
  it.each([
    [1, 1, 0.5],
    [2, 2, 0.18350341907227397],
    [2.2281388519649385, 10, 0.05],
    [4.302652729911275, 2, 0.05],
    [0.5, 30, 0.6207230048851272],
  ])('p(|T| > %f) with %i df', (t, df, p) => {
    expect(studentTwoSidedP(t, df)).toBeCloseTo(p, 10);
  });

  it('computes the regularized incomplete beta at known points', () => {
    expect(regularizedBeta(0.5, 2, 3)).toBeCloseTo(0.6875, 12);
    expect(regularizedBeta(0.2, 0.5, 0.5)).toBeCloseTo(0.2951672353008665, 12);
  });

  it('tests differences pair by pair', () => {
    const r = pairedTTest([0.86, 0.87, 0.85], [0.81, 0.83, 0.82]);
    expect(r.meanDifference).toBeCloseTo(0.04, 12);
    expect(r.t).toBeCloseTo(6.928203230275542, 9);
    expect(r.pValue).toBeCloseTo(0.020204102886728578, 10);
    const four = pairedTTest([0.86, 0.88, 0.85, 0.9], [0.81, 0.83, 0.84, 0.82]);
    expect(four.t).toBeCloseTo(3.3074754631582572, 9);
    expect(four.pValue).toBeCloseTo(0.04547801319777095, 10);
  });

  it('gives no t for one pair or identical differences, and refuses unpaired input', () => {
    expect(pairedTTest([1], [0])).toEqual({ n: 1, meanDifference: 1, t: null, pValue: null });
    expect(pairedTTest([1, 2], [0, 1]).t).toBeNull();
    expect(() => pairedTTest([1, 2], [1])).toThrow(/pairs/);
  });
});
