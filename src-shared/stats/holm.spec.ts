import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixturePaths';
import { holmAdjust } from './holm';

/** statsmodels' multipletests(method='holm') (test/fixtures/reference/holm_reference.json and the script beside it). */
const reference: { provenance: string; families: Array<{ p: number[]; adjusted: number[]; rejectAt05: boolean[] }> } = JSON.parse(
  readFileSync(fixture('reference/holm_reference.json'), 'utf8'),
);

describe("Holm's step-down correction", () => {
  it('works a small family by hand: sorted p times m, m − 1, …, made monotone, capped at 1', () => {
    // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → 0.06 (never below an earlier one).
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005])).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(holmAdjust([0.4, 0.6])).toEqual([0.8, 0.8]);
    expect(holmAdjust([0.7, 0.9])).toEqual([1, 1]);
  });

  it.each(reference.families.map((f) => [f.p.length, f] as const))(`matches statsmodels on a family of %i tests`, (_, f) => {
    expect(reference.provenance).toMatch(/^statsmodels /);
    const adjusted = holmAdjust(f.p) as number[];
    adjusted.forEach((p, i) => expect(p).toBeCloseTo(f.adjusted[i], 14));
    expect(adjusted.map((p) => p <= 0.05)).toEqual(f.rejectAt05);
  });

  it('leaves out of the family the tests that could not be run, and refuses what is not a p-value', () => {
    expect(holmAdjust([null, 0.01, null, 0.04])).toEqual([null, 0.02, null, 0.04]);
    expect(holmAdjust([])).toEqual([]);
    expect(holmAdjust([null])).toEqual([null]);
    expect(() => holmAdjust([0.2, 1.5])).toThrow(/from 0 to 1, not 1.5/);
    expect(() => holmAdjust([Number.NaN])).toThrow(/p-value/);
  });
});
