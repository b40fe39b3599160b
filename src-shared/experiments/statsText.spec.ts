import { describe, expect, it } from 'vitest';
import type { LabelsSaved } from '../api/entities';
import { CI_METHOD, labelsSavedIntervalText, labelsSavedText, pValueMethodText, tMultiplierText } from './statsText';

const saved = (over: Partial<LabelsSaved> = {}): LabelsSaved => ({
  sslLabels: 20,
  sslAcc4: 0.8654,
  baselineLabels: 200,
  sslAcc4Ci95: { lower: 0.8412, upper: 0.8896 },
  baselineLabelsAtCi95: { lower: 100, upper: null },
  ...over,
});

describe('the statistics in words', () => {
  it('words the labels saved', () => {
    expect(labelsSavedText(saved(), 1200)).toBe('SSL at 20 labels (4-class acc. 0.865) ≈ baseline at 200 labels (10.0× the labels)');
    expect(labelsSavedText(saved({ baselineLabels: null }), 1200)).toBe('SSL at 20 labels (4-class acc. 0.865): not reached by the baseline within the sweep (up to 1200 labels)');
    // Where SSL does not beat the reference predictors, the baseline catching up is no saving.
    expect(labelsSavedText(saved(), 1200, false)).toBe('SSL at 20 labels (4-class acc. 0.865): no labels saved to claim, since SSL does not beat the reference predictors there');
    expect(labelsSavedText(saved({ sslLabels: 50, sslAcc4: 0.8, baselineLabels: 20 }), 1200)).toMatch(/already reaches it at 20 labels \(no labels saved\)/);
  });

  it("words the interval labels saved rests on: where the baseline reaches either bound of SSL's CI", () => {
    expect(labelsSavedIntervalText(saved(), 1200)).toBe(
      "SSL's 95% CI there is [0.841, 0.890]: the baseline's mean reaches the lower bound 0.841 at 100 labels and does not reach the upper bound 0.890 within the sweep (up to 1200 labels), so the labels saved are anywhere from 5.0× to beyond the sweep.",
    );
    expect(labelsSavedIntervalText(saved({ baselineLabelsAtCi95: { lower: 20, upper: 400 } }), 1200)).toMatch(/reaches the lower bound 0\.841 at 20 labels and reaches the upper bound 0\.890 at 400 labels, so the labels saved are anywhere from none to 20\.0×\.$/);
    expect(labelsSavedIntervalText(saved({ baselineLabelsAtCi95: { lower: 200, upper: 200 } }), 1200)).toMatch(/labels saved are 10\.0× at either bound\.$/);
    expect(labelsSavedIntervalText(saved({ baselineLabels: null, baselineLabelsAtCi95: { lower: null, upper: null } }), 1200)).toBe(
      "SSL's 95% CI there is [0.841, 0.890]: the baseline's mean reaches neither the lower bound 0.841 nor the upper bound 0.890 within the sweep (up to 1200 labels), so the labels saved are beyond the sweep at either bound.",
    );
    expect(labelsSavedIntervalText(saved({ sslAcc4Ci95: null, baselineLabelsAtCi95: null }), 1200)).toBe(
      'No interval: a single repeat at 20 labels, so how uncertain this is cannot be said.',
    );
  });

  it('says what each p-value was tested and corrected across', () => {
    expect(pValueMethodText({ metric: 'acc4', values: 1, tests: 14, labelCounts: [20, 50], scopes: ['overall', 'happiness', 'sadness', 'anger', 'surprise', 'disgust', 'fear'], untested: 0 })).toBe(
      '4-class accuracy: paired t-test over repeats (two-sided), Holm-adjusted across 14 tests (2 label counts × {overall, six emotions})',
    );
    expect(pValueMethodText({ metric: 'mae', values: 1, tests: 3, labelCounts: [20], scopes: ['overall', 'fear', 'anger'], untested: 1 })).toBe(
      'MAE: paired t-test over repeats (two-sided), Holm-adjusted across 3 tests (1 label count × {overall, fear, anger}; 1 comparison without a p-value (one paired repeat, or identical differences) left out)',
    );
    // An ablation's family spans every factor value: 3 values × 2 label counts × 7 scopes.
    expect(pValueMethodText({ metric: 'acc4', values: 3, tests: 42, labelCounts: [20, 50], scopes: ['overall', 'happiness', 'sadness', 'anger', 'surprise', 'disgust', 'fear'], untested: 0 })).toBe(
      '4-class accuracy: paired t-test over repeats (two-sided), Holm-adjusted across 42 tests (3 factor values × 2 label counts × {overall, six emotions})',
    );
    expect(pValueMethodText({ metric: 'mae', values: 1, tests: 0, labelCounts: [], scopes: [], untested: 4 })).toMatch(/^MAE: no paired t-test possible/);
  });

  it('states how intervals are computed and the multiplier a number of repeats gives', () => {
    expect(CI_METHOD).toContain('mean ± t(0.975, n − 1) · sd / √n');
    expect(tMultiplierText(2)).toBe('t(0.975, 1) = 12.71');
    expect(tMultiplierText(3)).toBe('t(0.975, 2) = 4.30');
    expect(tMultiplierText(1)).toBeNull();
  });
});
