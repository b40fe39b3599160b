import { describe, expect, it } from 'vitest';
import type { ExperimentPoint, ExperimentResults, PairedComparison } from '../api/entities';
import { accuracyGap, bestReference, experimentConclusions, flaggedPerEmotion, gapNarrows, labelCountsText } from './conclusions';
import { experimentResults, meanOf } from '../../test/builders/resultsFixtures';

const COUNTS = [20, 50, 100, 200];

/** Sets each point's mean overall 4-class accuracy, label count by label count. */
function withAcc4(points: ExperimentPoint[], values: number[]): ExperimentPoint[] {
  return points.map((p, i) => ({ ...p, metrics: { ...p.metrics, acc4: { ...p.metrics.acc4, overall: meanOf(values[i], 0.01, 6) } } }));
}

/** The overall 4-class tests with these differences and Holm-adjusted p-values, every other comparison far from significant. */
function withTests(results: ExperimentResults, tests: Array<[difference: number, pAdjusted: number | null]>): PairedComparison[] {
  return results.comparisons.map((c) => {
    if (c.metric !== 'acc4' || c.scope !== 'overall') return { ...c, pValue: 0.5, pAdjusted: 1 };
    const [meanDifference, pAdjusted] = tests[COUNTS.indexOf(c.labelCount)];
    return { ...c, meanDifference, pValue: pAdjusted === null ? null : pAdjusted / 28, pAdjusted };
  });
}

/** Results whose reference predictors score 0.85 (majority class) and 0.82 (label mean) at every label count. */
function sweep(ssl: number[], baseline: number[], tests: Array<[number, number | null]>): ExperimentResults {
  const base = experimentResults(1, COUNTS);
  const flat = (points: ExperimentPoint[], v: number) => withAcc4(points, COUNTS.map(() => v));
  const results = {
    ...base,
    ssl: withAcc4(base.ssl, ssl),
    baseline: withAcc4(base.baseline, baseline),
    references: { labelMean: flat(base.references.labelMean, 0.82), majorityClass: flat(base.references.majorityClass, 0.85) },
  };
  return { ...results, comparisons: withTests(results, tests) };
}

describe('what an experiment supports, in plain words', () => {
  it('on a negative control: no arm beats the references, so significant differences between the arms are not read as wins', () => {
    const results = sweep([0.81, 0.82, 0.82, 0.82], [0.79, 0.77, 0.76, 0.74], [[0.02, 0.7], [0.05, 0.005], [0.06, 0.005], [0.08, 0.001]]);
    const c = experimentConclusions(results);
    expect(c.beatsReferences).toEqual({ ssl: [], baseline: [] });
    expect(c.differencesCount).toBe(false);
    expect(c.sslBeatsBaseline).toEqual([]);
    expect(c.sentences).toEqual([
      'Neither arm beats the reference predictors (label mean, majority class) in 4-class accuracy at any label count: the differences between SSL and the baseline are no evidence that either learned the emotions.',
    ]);
  });

  it('on a positive control: where SSL beats the references and the baseline, and that the gap narrows', () => {
    const results = sweep([0.89, 0.9, 0.91, 0.91], [0.84, 0.84, 0.86, 0.89], [[0.05, 0.02], [0.06, 0.001], [0.05, 0.04], [0.02, 0.2]]);
    const c = experimentConclusions(results);
    expect(c.beatsReferences).toEqual({ ssl: COUNTS, baseline: [100, 200] });
    expect(c.sslBeatsBaseline).toEqual([20, 50, 100]);
    expect(c.sentences).toEqual([
      'SSL beats both reference predictors in 4-class accuracy at every label count (20, 50, 100 and 200 labels); the baseline at 100 and 200 labels.',
      'SSL beats the baseline at 20, 50 and 100 labels (paired t-test of 4-class accuracy, Holm-corrected p < 0.05); the gap narrows as labels grow.',
    ]);
  });

  it('says when the gap does not narrow, and when the baseline is ahead', () => {
    const widening = experimentConclusions(sweep([0.86, 0.88, 0.9, 0.93], [0.85, 0.85, 0.86, 0.87], [[0.01, 0.3], [0.03, 0.01], [0.04, 0.01], [0.06, 0.01]]));
    expect(widening.sentences[1]).toBe('SSL beats the baseline at 50, 100 and 200 labels (paired t-test of 4-class accuracy, Holm-corrected p < 0.05); the gap does not narrow as labels grow.');
    const baselineAhead = experimentConclusions(sweep([0.86, 0.86, 0.86, 0.86], [0.86, 0.87, 0.9, 0.92], [[0, 0.9], [-0.01, 0.4], [-0.04, 0.01], [-0.06, 0.001]]));
    expect(baselineAhead.baselineBeatsSsl).toEqual([100, 200]);
    expect(baselineAhead.sentences.slice(1)).toEqual(['The baseline beats SSL at 100 and 200 labels (paired t-test of 4-class accuracy, Holm-corrected p < 0.05).']);
  });

  it('says when the arms do not differ, and when a significant lead rests on an arm that did not learn', () => {
    const same = experimentConclusions(sweep([0.87, 0.88, 0.89, 0.9], [0.86, 0.88, 0.89, 0.9], [[0.01, 0.3], [0, 1], [0, 1], [0, 1]]));
    expect(same.sentences[1]).toBe('SSL and the baseline do not differ significantly at any label count (paired t-test of 4-class accuracy, Holm-corrected p ≥ 0.05 throughout).');
    // The baseline learns with 200 labels; SSL's lead at 20 is over a baseline that fell below the references, by an SSL that did not clear them either.
    const hollow = experimentConclusions(sweep([0.84, 0.84, 0.84, 0.84], [0.8, 0.82, 0.85, 0.87], [[0.04, 0.01], [0.02, 0.3], [-0.01, 0.5], [-0.03, 0.2]]));
    expect(hollow.sslBeatsBaseline).toEqual([]);
    expect(hollow.sentences).toEqual([
      'SSL beats both reference predictors in 4-class accuracy at no label count; the baseline at 200 labels.',
      'At 20 labels the significant difference between the arms is no evidence of learning: the arm ahead does not beat the reference predictors there.',
    ]);
  });

  it('says what it cannot tell: no references scored, a single repeat, no finished run', () => {
    const noReferences = experimentConclusions({ ...sweep([0.9, 0.9, 0.9, 0.9], [0.8, 0.8, 0.8, 0.8], [[0.1, 0.01], [0.1, 0.01], [0.1, 0.01], [0.1, 0.01]]), references: { labelMean: [], majorityClass: [] } });
    expect(noReferences.referencesKnown).toBe(false);
    expect(noReferences.sentences[0]).toMatch(/reference predictors could not be scored/);
    expect(noReferences.sentences[1]).toMatch(/^SSL beats the baseline at 20, 50, 100 and 200 labels/);
    const oneRepeat = experimentConclusions(sweep([0.9, 0.9, 0.9, 0.9], [0.8, 0.8, 0.8, 0.8], COUNTS.map(() => [0.1, null])));
    expect(oneRepeat.sentences[1]).toBe('With fewer than two repeats there is no paired test: SSL and the baseline cannot be compared.');
    expect(experimentConclusions({ ssl: [], baseline: [], references: { labelMean: [], majorityClass: [] }, comparisons: [] }).sentences).toEqual(['No run has finished yet: nothing to conclude.']);
  });

  it('counts flagged runs', () => {
    const results = sweep([0.89, 0.9, 0.91, 0.91], [0.84, 0.84, 0.86, 0.89], [[0.05, 0.02], [0.06, 0.001], [0.05, 0.04], [0.02, 0.2]]);
    results.ssl[3] = { ...results.ssl[3], flagged: [{ runId: 1, emotions: ['fear'] }, { runId: 2, emotions: ['fear', 'surprise'] }] };
    expect(experimentConclusions(results).sentences.at(-1)).toBe('2 of 24 runs are flagged: for some emotion their predictions cannot tell segments apart, so their scores for it are a constant predictor\'s.');
  });

  it('lists label counts as a reader would', () => {
    expect(labelCountsText([20])).toBe('20 labels');
    expect(labelCountsText([20, 50])).toBe('20 and 50 labels');
    expect(labelCountsText([20, 50, 200])).toBe('20, 50 and 200 labels');
  });
});

describe('the readings the conclusions share with Table 1 and the controls bench', () => {
  it('the better reference, the gap between the arms and whether it narrows, flags per emotion', () => {
    const results = sweep([0.9, 0.9, 0.9, 0.9], [0.84, 0.86, 0.87, 0.88], [[0.06, 0.01], [0.04, 0.01], [0.03, 0.2], [0.02, 0.3]]);
    expect(bestReference(results.references, 50)).toBeCloseTo(0.85, 9);
    expect(bestReference(results.references, 999)).toBeNull();
    expect(accuracyGap(results, 20)).toBeCloseTo(0.06, 9);
    expect(gapNarrows(results)).toBe(true);
    expect(gapNarrows(sweep([0.9, 0.9, 0.9, 0.95], [0.84, 0.86, 0.87, 0.88], [[0.06, 0.01], [0.04, 0.01], [0.03, 0.2], [0.07, 0.3]]))).toBe(false);
    expect(gapNarrows({ ssl: results.ssl.slice(0, 1), baseline: results.baseline.slice(0, 1) })).toBeNull();
    const point = { flagged: [{ runId: 1, emotions: ['fear' as const, 'surprise' as const] }, { runId: 2, emotions: ['fear' as const] }] };
    expect(flaggedPerEmotion(point).filter((e) => e.runs)).toEqual([{ emotion: 'surprise', runs: 1 }, { emotion: 'fear', runs: 2 }]);
    expect(flaggedPerEmotion({ flagged: [] }).map((e) => e.runs)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
