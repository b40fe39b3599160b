import { describe, expect, it } from 'vitest';
import { CONTROL_PARAM_LABELS, ControlParams, controlRole, defaultDatasetId, NEGATIVE_CONTROL, NEGATIVE_CONTROL_ID, POSITIVE_CONTROL, POSITIVE_CONTROL_ID, syntheticLabel } from './controls';

describe('the built-in controls', () => {
  it('differ only in the signal: the negative control is the positive one with the effect switched off', () => {
    expect(ControlParams.parse(POSITIVE_CONTROL)).toEqual(POSITIVE_CONTROL);
    expect(NEGATIVE_CONTROL).toEqual({ ...POSITIVE_CONTROL, signal: 0 });
    expect(controlRole(POSITIVE_CONTROL)).toBe('positive');
    expect(controlRole(NEGATIVE_CONTROL)).toBe('negative');
    expect(controlRole({ ...POSITIVE_CONTROL, signal: 0.2 })).toBe('positive');
    expect(ControlParams.safeParse({ ...POSITIVE_CONTROL, signal: 1.5 }).success).toBe(false);
  });

  it('are labelled as synthetic and as the control they are', () => {
    expect(syntheticLabel(POSITIVE_CONTROL)).toBe('synthetic — positive control');
    expect(syntheticLabel(NEGATIVE_CONTROL)).toBe('synthetic — negative control');
    expect(syntheticLabel(null)).toBe('synthetic');
    expect(CONTROL_PARAM_LABELS.map((p) => `${p.label}: ${p.describe(POSITIVE_CONTROL)}`)).toEqual([
      "Signal strength: 1 of each emotion score's variance comes from factors the features carry",
      "Visible only over time: 1 of the features' imprint lies where one frame's noise hides it",
      "Per-frame noise: 5 × the imprint's scale, in those features",
      'Present in: happiness 50%, sadness 30%, anger 20%, surprise 30%, disgust 30%, fear 30%',
      "Intensity: in thirds from 0 to 3, one third more per 0.3 standard deviations of an emotion's score past its presence threshold",
      'Size: 2,400 segments, 6 per video, 60-160 frames each',
      'Seed: 20240611',
    ]);
  });

  it('start forms on the positive control when there is one', () => {
    expect(defaultDatasetId([{ id: 'builtin-small' }, { id: NEGATIVE_CONTROL_ID }, { id: POSITIVE_CONTROL_ID }])).toBe(POSITIVE_CONTROL_ID);
    expect(defaultDatasetId([{ id: 'imported' }, { id: 'other' }])).toBe('imported');
    expect(defaultDatasetId([])).toBeUndefined();
  });
});
