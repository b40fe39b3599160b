import { describe, expect, it } from 'vitest';
import type { ExperimentPoint, ExperimentResults } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { experimentResults, meanOf } from '../../test/builders/resultsFixtures';
import { flaggedText, formatSweep, negativeChecks, positiveChecks } from './controlsReport';

const COUNTS = [20, 50, 200];

/** Points with these overall 4-class accuracies per label count, binary F1 `f1` for every emotion. */
function points(points: ExperimentPoint[], acc4: number[], f1 = 0.4): ExperimentPoint[] {
  return points.map((p, i) => ({
    ...p,
    metrics: { ...p.metrics, acc4: { ...p.metrics.acc4, overall: meanOf(acc4[i], 0.01, 3) }, f1Binary: Object.fromEntries(EMOTIONS.map((e) => [e, meanOf(f1, 0.01, 3)])) },
  }));
}

/** A sweep whose references score 0.86 (always absent) and 0.82 (label mean), with these arms and overall 4-class tests [difference, Holm p]. */
function sweep(ssl: number[], baseline: number[], tests: Array<[number, number]>, refF1 = 0): ExperimentResults {
  const base = experimentResults(1, COUNTS);
  return {
    ...base,
    ssl: points(base.ssl, ssl),
    baseline: points(base.baseline, baseline),
    references: { majorityClass: points(base.references.majorityClass, COUNTS.map(() => 0.86), refF1), labelMean: points(base.references.labelMean, COUNTS.map(() => 0.82), refF1) },
    comparisons: base.comparisons.map((c) => {
      if (c.metric !== 'acc4' || c.scope !== 'overall') return { ...c, pValue: 0.4, pAdjusted: 1 };
      const [meanDifference, pAdjusted] = tests[COUNTS.indexOf(c.labelCount)];
      return { ...c, meanDifference, pValue: pAdjusted / 21, pAdjusted };
    }),
  };
}

const POSITIVE = () => sweep([0.89, 0.9, 0.91], [0.84, 0.85, 0.9], [[0.05, 0.01], [0.05, 0.001], [0.01, 0.3]]);
const NEGATIVE = () => sweep([0.83, 0.83, 0.83], [0.84, 0.84, 0.83], [[-0.01, 1], [-0.01, 1], [0, 1]]);
const failing = (checks: Array<{ holds: boolean; claim: string }>) => checks.filter((c) => !c.holds).map((c) => c.claim);

describe('the controls report', () => {
  it('holds every positive check on a sweep where SSL learns, beats the baseline with few labels and nothing is flagged', () => {
    expect(failing(positiveChecks(POSITIVE()))).toEqual([]);
  });

  it('fails the positive control when a run is flagged, naming the arm, label count and emotions', () => {
    const results = POSITIVE();
    results.ssl[2] = { ...results.ssl[2], flagged: [{ runId: 7, emotions: ['fear'] }, { runId: 8, emotions: ['fear', 'surprise'] }] };
    expect(failing(positiveChecks(results))).toEqual(['no arm flagged: SSL at 200 (surprise 1, fear 2)']);
  });

  it('fails the positive control when SSL does not beat the references, the baseline or the test at few labels, or finds presence in too few emotions', () => {
    const results = sweep([0.85, 0.9, 0.91], [0.86, 0.85, 0.84], [[-0.01, 0.9], [0.05, 0.001], [0.07, 0.01]]);
    results.ssl[1] = points([results.ssl[1]], [0.9], 0)[0];
    expect(failing(positiveChecks(results))).toEqual([
      "20 labels: SSL's 4-class accuracy 0.850 is above both reference predictors (always absent 0.860, label mean 0.820)",
      '20 labels: SSL above the baseline by -0.010',
      'the gap narrows as labels grow: 20: -0.010, 50: 0.050, 200: 0.070',
      "50 labels: SSL's binary F1 is above 0 for 0 of 6 emotions",
      '20 labels: paired test of overall 4-class accuracy significant after Holm (p 0.043, Holm 0.90)',
      'the conclusions say SSL beats the baseline at 20 labels',
    ]);
  });

  it('holds every negative check when neither arm is above always absent and no test survives Holm, and fails on any significant test, of either metric', () => {
    expect(failing(negativeChecks(NEGATIVE()))).toEqual([]);
    const results = NEGATIVE();
    results.comparisons = results.comparisons.map((c) => (c.metric === 'mae' && c.scope === 'sadness' && c.labelCount === 200 ? { ...c, meanDifference: -0.05, pAdjusted: 0.012 } : c));
    // Which test failed, by how much, and what an MAE difference is worth where neither arm learned.
    expect(failing(negativeChecks(results))).toEqual([
      "no SSL-vs-baseline test of MAE significant after Holm (p < 0.05) in 21 tests: 1 is (200 labels, sadness: SSL − baseline −0.050, Holm p 0.012); where neither arm beats the reference predictors, an MAE difference is one in how far each strays from the labels' mean, not learning",
    ]);
    expect(negativeChecks(NEGATIVE()).find((c) => c.claim.includes('4-class accuracy significant'))?.claim).toBe('no SSL-vs-baseline test of 4-class accuracy significant after Holm (p < 0.05) in 21 tests (smallest Holm p 1.0)');
    const above = sweep([0.87, 0.83, 0.83], [0.84, 0.84, 0.83], [[0.03, 1], [-0.01, 1], [0, 1]]);
    expect(failing(negativeChecks(above))).toEqual([
      '20 labels: neither arm above always absent (SSL 0.870, baseline 0.840, always absent 0.860)',
      'the conclusions say neither arm beats the reference predictors',
    ]);
  });

  it('prints the table with flags, the tests, the conclusions and the checks', () => {
    const results = POSITIVE();
    results.baseline[0] = { ...results.baseline[0], flagged: [{ runId: 3, emotions: ['fear'] }] };
    const lines = formatSweep(results, positiveChecks(results));
    expect(lines.find((l) => /^ {2}20 +baseline/.test(l))).toMatch(/0\.840 ± 0\.010 .* 1\/3 fear 1$/);
    expect(lines.find((l) => /^ {2}20 +always absent/.test(l))).toMatch(/0\.860 ± 0\.010 .*0\.00 0\.00 0\.00 0\.00 0\.00 0\.00$/);
    expect(lines).toContain('  20     overall    +0.050   5.20     4.8e-4    0.010 *');
    expect(lines).toContain('  What the results support:');
    expect(lines.some((l) => l.startsWith('    SSL beats the baseline at 20 and 50 labels'))).toBe(true);
    expect(lines).toContain('  NO   no arm flagged: baseline at 20 (fear 1)');
  });

  it('counts flagged emotions over a point\'s runs', () => {
    expect(flaggedText({ ...POSITIVE().ssl[0], flagged: [{ runId: 1, emotions: ['surprise', 'fear'] }, { runId: 2, emotions: ['fear'] }] })).toBe('surprise 1, fear 2');
  });
});
