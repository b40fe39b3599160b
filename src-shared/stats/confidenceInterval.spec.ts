import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixturePaths';
import { meanConfidenceInterval } from './confidenceInterval';

/** scipy's stats.t.interval(0.95, n - 1, mean, sem) on seeded samples (test/fixtures/reference/student_t_reference.json). */
const reference: { means: Array<{ values: number[]; mean: number; sd: number; lower: number; upper: number }> } = JSON.parse(
  readFileSync(fixture('reference/student_t_reference.json'), 'utf8'),
);

describe('the 95% confidence interval of a mean over repeats', () => {
  it.each(reference.means.map((r) => [r.values.length, r] as const))('matches scipy with %i repeats', (_, r) => {
    const ci = meanConfidenceInterval(r.mean, r.sd, r.values.length)!;
    expect(ci.lower).toBeCloseTo(r.lower, 12);
    expect(ci.upper).toBeCloseTo(r.upper, 12);
  });

  it('is mean ± t(0.975, n − 1) · sd / √n: with 3 repeats, 4.303 standard errors either side', () => {
    const ci = meanConfidenceInterval(0.85, 0.01, 3)!;
    expect((ci.upper - 0.85) / (0.01 / Math.sqrt(3))).toBeCloseTo(4.302652729749462, 12);
    expect(0.85 - ci.lower).toBeCloseTo(ci.upper - 0.85, 15);
  });

  it('has none below two repeats or without an sd', () => {
    expect(meanConfidenceInterval(0.85, null, 1)).toBeNull();
    expect(meanConfidenceInterval(0.85, 0.01, 1)).toBeNull();
    expect(meanConfidenceInterval(0.85, null, 3)).toBeNull();
    expect(meanConfidenceInterval(0.85, 0, 3)).toEqual({ lower: 0.85, upper: 0.85 });
  });
});
