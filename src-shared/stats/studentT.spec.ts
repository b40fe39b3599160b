import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixturePaths';
import { regularizedBeta, studentTQuantile, studentTwoSidedP } from './studentT';

/** scipy's t quantiles (test/fixtures/reference/student_t_reference.json and the script beside it). */
const reference: { provenance: string; quantiles: Array<{ p: number; df: number; t: number }> } = JSON.parse(readFileSync(fixture('reference/student_t_reference.json'), 'utf8'));

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.max(1, Math.abs(expected));

describe('Student t tail probabilities', () => {
  // Reference values computed with scipy 1.17: 2 * stats.t.sf(t, df), special.betainc.
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
});

describe('Student t quantile', () => {
  it('matches the closed forms for 1 and 2 degrees of freedom (Cauchy: −cot(πp); df 2: (2p − 1) / √(2p(1 − p)))', () => {
    for (const p of [1e-9, 0.001, 0.025, 0.1, 0.3, 0.5, 0.51, 0.7, 0.9, 0.975, 0.999]) {
      expect(relativeError(studentTQuantile(p, 1), -1 / Math.tan(Math.PI * p))).toBeLessThan(1e-12);
      expect(relativeError(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)))).toBeLessThan(1e-12);
    }
  });

  // The critical values printed in t-tables (upper-tail probability 0.05, 0.025, 0.005), to their 3 decimals.
  it.each([
    [1, [6.314, 12.706, 63.657]],
    [2, [2.92, 4.303, 9.925]],
    [3, [2.353, 3.182, 5.841]],
    [4, [2.132, 2.776, 4.604]],
    [5, [2.015, 2.571, 4.032]],
    [10, [1.812, 2.228, 3.169]],
    [30, [1.697, 2.042, 2.75]],
    [100, [1.66, 1.984, 2.626]],
  ])('gives the printed t-table values for %i df', (df, values) => {
    expect([0.95, 0.975, 0.995].map((p) => Number(studentTQuantile(p, df).toFixed(3)))).toEqual(values);
  });

  it(`matches scipy's stats.t.ppf over tails, centre and degrees of freedom from 0.5 to 10^6 (${reference.quantiles.length} values)`, () => {
    expect(reference.provenance).toMatch(/^scipy 1\.1[1-9]/);
    // Repeats give 1 to 49 df; from 1000 df on, log Gamma's rounding of large arguments is what limits.
    const tolerance = (df: number) => (df <= 100 ? 1e-12 : df <= 1000 ? 1e-11 : 1e-8);
    const errors = reference.quantiles.map((r) => ({ ...r, error: relativeError(studentTQuantile(r.p, r.df), r.t) }));
    const failing = errors.filter((r) => !(r.error < tolerance(r.df)));
    expect(failing).toEqual([]);
  });

  it('is odd in p − ½, infinite at 0 and 1, and refuses what is not a probability or a positive df', () => {
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(0.25, 7)).toBe(-studentTQuantile(0.75, 7));
    expect(studentTQuantile(0, 4)).toBe(-Infinity);
    expect(studentTQuantile(1, 4)).toBe(Infinity);
    expect(() => studentTQuantile(1.5, 4)).toThrow(/probability from 0 to 1/);
    expect(() => studentTQuantile(Number.NaN, 4)).toThrow(/probability/);
    expect(() => studentTQuantile(0.9, 0)).toThrow(/positive degrees of freedom/);
  });
});
