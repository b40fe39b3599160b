import { describe, expect, it } from 'vitest';
import { referencePoints, referenceValues } from './references';

const row = (...v: number[]) => v;

describe('reference predictors', () => {
  // Three labelled segments; emotions in the workbench's order.
  const sample = [row(0, 1, 0, 0, 3, 0), row(1, 1, 0, 0, 0, 0), row(2 / 3, 2, 0, 1 / 3, 0, 0)];

  it('label mean: each emotion\'s mean intensity over the labelled sample', () => {
    const v = referenceValues('labelMean', sample);
    [(0 + 1 + 2 / 3) / 3, 4 / 3, 0, 1 / 9, 1, 0].forEach((expected, j) => expect(v[j]).toBeCloseTo(expected, 12));
  });

  it('majority class: each emotion\'s most frequent four-class bin (the lowest on a tie), as its value', () => {
    // happiness bins 0, 1, 1 -> 1; sadness 1, 1, 2 -> 1; anger 0; surprise 0, 0, 0 (1/3 rounds to 0); disgust 3, 0, 0 -> 0.
    expect(referenceValues('majorityClass', sample)).toEqual([1, 1, 0, 0, 0, 0]);
    // A tie between bins 0 and 2: the lower.
    expect(referenceValues('majorityClass', [row(0, 0, 0, 0, 0, 0), row(2, 0, 0, 0, 0, 0)])[0]).toBe(0);
  });

  it('scores both on the evaluated segments with every metric, mean and sd over the repeats of each label count', () => {
    const evaluation = [row(0, 0, 0, 0, 0, 0), row(1, 1, 0, 0, 0, 0), row(2, 0, 1, 0, 0, 0), row(0, 0, 0, 0, 0, 0)];
    const samples = [
      // Repeat 0 at 2 labels: happiness mean 1 (majority: bin 0 vs 2 tie -> 0).
      { labelCount: 2, repeat: 0, labels: [row(0, 0, 0, 0, 0, 0), row(2, 0, 0, 0, 0, 0)] },
      // Repeat 1 at 2 labels: happiness mean 0.5 (bins 0 and 1 -> 0).
      { labelCount: 2, repeat: 1, labels: [row(0, 0, 0, 0, 0, 0), row(1, 0, 0, 0, 0, 0)] },
    ];
    const { labelMean, majorityClass } = referencePoints(samples, evaluation);
    expect(labelMean.map((p) => [p.labelCount, p.runIds, p.flagged])).toEqual([[2, [], []]]);
    // Happiness MAE, predicting 1: |0-1|,|1-1|,|2-1|,|0-1| -> 0.75; predicting 0.5: 0.5, 0.5, 1.5, 0.5 -> 0.75.
    expect(labelMean[0].metrics.mae.happiness.mean).toBeCloseTo(0.75, 12);
    expect(labelMean[0].metrics.mae.happiness.sd).toBeCloseTo(0, 12);
    // Happiness 4-class accuracy, predicting 1 (bin 1): 1 of 4; predicting 0.5 (bin 1): 1 of 4.
    expect(labelMean[0].metrics.acc4.happiness.mean).toBeCloseTo(0.25, 12);
    // Majority predicts 0 everywhere: happiness 4-class accuracy 2 of 4; sadness 3 of 4; weighted F1 of "absent for every segment".
    expect(majorityClass[0].metrics.acc4.happiness).toMatchObject({ mean: 0.5, sd: 0, n: 2 });
    expect(majorityClass[0].metrics.acc4.sadness.mean).toBe(0.75);
    // Weighted F1 of anger when always absent: absent F1 = 2·3/(2·3+1) = 6/7 with support 3, present F1 0 with support 1 -> 18/28.
    expect(majorityClass[0].metrics.f1Weighted.anger.mean).toBeCloseTo(18 / 28, 12);
    expect(referencePoints(samples, [])).toEqual({ labelMean: [], majorityClass: [] });
  });
});
