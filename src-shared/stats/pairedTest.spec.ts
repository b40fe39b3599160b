import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixturePaths';
import { pairedTTest } from './pairedTest';

/** scipy's ttest_rel and t.interval on seeded samples (test/fixtures/reference/student_t_reference.json). */
const reference: { paired: Array<{ a: number[]; b: number[]; meanDifference: number; t: number; p: number; lower: number; upper: number }> } = JSON.parse(
  readFileSync(fixture('reference/student_t_reference.json'), 'utf8'),
);

describe('the paired t-test', () => {
  it('tests differences pair by pair (scipy 1.17 ttest_rel)', () => {
    const r = pairedTTest([0.86, 0.87, 0.85], [0.81, 0.83, 0.82]);
    expect(r.meanDifference).toBeCloseTo(0.04, 12);
    expect(r.t).toBeCloseTo(6.928203230275542, 9);
    expect(r.pValue).toBeCloseTo(0.020204102886728578, 10);
    const four = pairedTTest([0.86, 0.88, 0.85, 0.9], [0.81, 0.83, 0.84, 0.82]);
    expect(four.t).toBeCloseTo(3.3074754631582572, 9);
    expect(four.pValue).toBeCloseTo(0.04547801319777095, 10);
  });

  it.each(reference.paired.map((r) => [r.a.length, r] as const))('matches scipy with %i pairs: t, p and the 95%% interval of the mean difference', (_, r) => {
    const test = pairedTTest(r.a, r.b);
    expect(test.meanDifference).toBeCloseTo(r.meanDifference, 14);
    expect(test.t! / r.t).toBeCloseTo(1, 11);
    expect(test.pValue! / r.p).toBeCloseTo(1, 10);
    expect(test.ci95!.lower).toBeCloseTo(r.lower, 12);
    expect(test.ci95!.upper).toBeCloseTo(r.upper, 12);
  });

  it('gives no t for one pair or identical differences, and refuses unpaired input', () => {
    expect(pairedTTest([1], [0])).toEqual({ n: 1, meanDifference: 1, t: null, pValue: null, ci95: null });
    const same = pairedTTest([1, 2], [0, 1]);
    expect(same.t).toBeNull();
    expect(same.pValue).toBeNull();
    // Every pair differs by exactly 1: the interval has no width, but it is still the data's.
    expect(same.ci95).toEqual({ lower: 1, upper: 1 });
    expect(() => pairedTTest([1, 2], [1])).toThrow(/pairs/);
  });
});
