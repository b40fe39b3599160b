import { describe, expect, it } from 'vitest';
import { TrainConfig } from '../api/entities';
import { experimentPlan } from './presets';
import { numberText } from '../numberText';
import { changesBaseline, changesPretrain, configValue, factorCombinations, factorProblems, parseFactorValues, valueLabel, VARYABLE_FIELDS, withFactorValues } from './factors';

describe('the settings an ablation may vary', () => {
  it('each name a path every run config records, with a schema that accepts the preset value there', () => {
    const plan = experimentPlan('quick');
    for (const field of VARYABLE_FIELDS) {
      const config = field.scope === 'supervised' ? plan.supervised : plan.pretrain;
      const value = configValue(config, field.id);
      expect(value, field.id).not.toBeNull();
      expect(field.schema.safeParse(value).success, field.id).toBe(true);
    }
  });

  it('say which runs they change: masking leaves the baseline alone, the head leaves the pre-training alone, model width changes both', () => {
    expect([changesPretrain('mask.spanLength'), changesBaseline('mask.spanLength')]).toEqual([true, false]);
    expect([changesPretrain('pretrain.epochs'), changesBaseline('pretrain.epochs')]).toEqual([true, false]);
    expect([changesPretrain('model.pooling'), changesBaseline('model.pooling')]).toEqual([false, true]);
    expect([changesPretrain('model.hiddenUnits'), changesBaseline('model.hiddenUnits')]).toEqual([true, true]);
  });

  it('set a value only on the runs the field changes, leaving the input config as it was', () => {
    const plan = experimentPlan('quick');
    const before = structuredClone(plan);
    const pre = withFactorValues(plan.pretrain, { 'mask.spanLength': 5, 'pretrain.epochs': 2, learningRate: 0.01 }, 'pretrain');
    expect(pre.mask!.spanLength).toBe(5);
    expect(pre.epochs).toBe(2);
    expect(pre.learningRate).toBe(plan.pretrain.learningRate);
    const sup = withFactorValues(plan.supervised, { 'mask.spanLength': 5, 'pretrain.epochs': 2, learningRate: 0.01 }, 'supervised');
    expect(sup.mask).toBeNull();
    expect(sup.epochs).toBe(plan.supervised.epochs);
    expect(sup.learningRate).toBe(0.01);
    expect(TrainConfig.safeParse(pre).success && TrainConfig.safeParse(sup).success).toBe(true);
    expect(plan).toEqual(before);
  });
});

describe('factor values as typed', () => {
  it('read numbers separated by commas or spaces, the minus sign included, and choices by name', () => {
    expect(parseFactorValues('mask.spanLength', '5, 15 30')).toEqual({ values: [5, 15, 30] });
    expect(parseFactorValues('mask.value', '\u221230,0')).toEqual({ values: [-30, 0] });
    // Every minus sign of a value as the tables print it (numberText), the exponent's too.
    expect(parseFactorValues('mask.value', `${numberText(-1e-7)}, ${numberText(-2.5e-8)}`)).toEqual({ values: [-1e-7, -2.5e-8] });
    expect(parseFactorValues('mask.lossScope', 'all-valid,masked-only')).toEqual({ values: ['all-valid', 'masked-only'] });
  });

  it('refuse what a single run may not have, naming the setting, the values and what is allowed', () => {
    expect(parseFactorValues('mask.spanLength', '10, 0, 2.5')).toEqual({ error: 'Mask span length (steps): "0", "2.5" are not allowed; use whole numbers from 1 to 10000.' });
    expect(parseFactorValues('model.pooling', 'last-valid, max')).toEqual({ error: 'Pooling of a sequence: "max" is not allowed; use last-valid or mean-valid.' });
    expect(parseFactorValues('learningRate', '0.001, abc')).toMatchObject({ error: expect.stringMatching(/^Learning rate of fine-tunes and baselines: "abc" is not allowed; use numbers above 0 to 10/) });
    expect(parseFactorValues('split.validationFraction', '0.2, 1')).toMatchObject({ error: expect.stringContaining('"1"') });
    expect(parseFactorValues('mask.spanLength', '10')).toEqual({ error: 'Mask span length (steps): give at least two values to compare (one value is a setting, not a factor).' });
    expect(parseFactorValues('mask.spanLength', '10, 10')).toEqual({ error: 'Mask span length (steps): 10 given twice; each value once.' });
    expect(parseFactorValues('model.colour', '1, 2')).toMatchObject({ error: expect.stringMatching(/^model.colour is not a setting an experiment can vary; choose one of mask.spanLength, /) });
  });

  it('refuse, with the request path of each, more than two factors, a setting varied twice and too many combinations', () => {
    const span = { field: 'mask.spanLength', values: [5, 10, 15, 20] };
    expect(factorProblems([span, { field: 'mask.spanLength', values: [1, 2] }])).toEqual([{ path: 'factors.1.field', message: 'Mask span length (steps) is varied twice; give all its values in one factor.' }]);
    expect(factorProblems([span, { field: 'model.hiddenUnits', values: [8, 16, 32, 64] }])).toEqual([{ path: 'factors', message: expect.stringMatching(/^16 combinations of values are more than the 12/) }]);
    expect(factorProblems([span, { field: 'model.hiddenUnits', values: [8, 0.5] }])).toEqual([{ path: 'factors.1.values.1', message: 'Hidden units per GRU (model width): 0.5 is not allowed; use whole numbers from 1 to 4096.' }]);
    expect(factorProblems([span, { field: 'mask.value', values: [0, 1] }, { field: 'model.pooling', values: ['last-valid', 'mean-valid'] }]).map((p) => p.path)).toContain('factors');
  });
});

describe('combinations of factor values', () => {
  it('are the cross product, the first factor varying slowest, and read as "span = 5 · hidden = 8"', () => {
    const combos = factorCombinations([{ field: 'mask.spanLength', values: [5, 10] }, { field: 'model.hiddenUnits', values: [8, 16] }]);
    expect(combos).toEqual([{ 'mask.spanLength': 5, 'model.hiddenUnits': 8 }, { 'mask.spanLength': 5, 'model.hiddenUnits': 16 }, { 'mask.spanLength': 10, 'model.hiddenUnits': 8 }, { 'mask.spanLength': 10, 'model.hiddenUnits': 16 }]);
    expect(factorCombinations([])).toEqual([{}]);
    expect(valueLabel('mask.value', -30)).toBe('mask value = \u221230');
  });
});

describe('varying the split kind', () => {
  it("gives the SDK's folds, which bring their own test fold, no test share from the preset", () => {
    const plan = experimentPlan('quick');
    expect(plan.supervised.split.testFraction).toBe(0.2);
    for (const kind of ['pretrain', 'supervised'] as const) {
      const config = kind === 'pretrain' ? plan.pretrain : plan.supervised;
      expect(withFactorValues(config, { 'split.kind': 'sdk-standard' }, kind).split).toEqual({ ...config.split, kind: 'sdk-standard', testFraction: 0 });
      expect(withFactorValues(config, { 'split.kind': 'by-video' }, kind).split).toEqual({ ...config.split, kind: 'by-video', testFraction: 0.2 });
      // Without the kind varied, a test share given with the SDK's folds stays, for the rules to refuse.
      const asked = { ...config, split: { ...config.split, kind: 'sdk-standard' as const, testFraction: 0.3 } };
      expect(withFactorValues(asked, { 'split.seed': 3 }, kind).split).toEqual({ ...asked.split, seed: 3 });
    }
  });
});
