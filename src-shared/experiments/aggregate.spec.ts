import { describe, expect, it } from 'vitest';
import { aggregateArm, compareArms, labelsSaved, testFamilies, type ExperimentRun } from './aggregate';
import { experimentPlan, supervisedConfig, withOverrides } from './presets';
import { paperTrainConfig } from '../model/presets';

const run = (id: number, arm: ExperimentRun['arm'], labelCount: number, repeat: number, acc4: number, mae: number): ExperimentRun => ({
  id, arm, labelCount, repeat,
  metrics: [
    { scope: 'overall', name: 'acc4', value: acc4 },
    { scope: 'overall', name: 'mae', value: mae },
    { scope: 'fear', name: 'acc4', value: acc4 / 2 },
  ],
});

const runs = [
  run(1, 'ssl', 20, 0, 0.86, 0.26), run(2, 'ssl', 20, 1, 0.87, 0.27), run(3, 'ssl', 20, 2, 0.85, 0.25),
  run(4, 'baseline', 20, 0, 0.81, 0.3), run(5, 'baseline', 20, 1, 0.83, 0.29), run(6, 'baseline', 20, 2, 0.82, 0.31),
  run(7, 'baseline', 200, 0, 0.86, 0.27), run(8, 'baseline', 200, 1, 0.87, 0.26),
  run(9, 'baseline', 50, 0, 0.84, 0.28), run(10, 'baseline', 50, 1, 0.84, 0.28),
];

/** t(0.975, 2) from scipy: the 95% interval of a mean over 3 repeats is this many standard errors either side. */
const T_975_2 = 4.302652729749462;

describe('experiment aggregation', () => {
  it('gives mean and sample sd over repeats per label count, overall and per emotion', () => {
    const [ssl20] = aggregateArm(runs, 'ssl');
    expect(ssl20.labelCount).toBe(20);
    expect(ssl20.runIds).toEqual([1, 2, 3]);
    expect(ssl20.metrics.acc4.overall.mean).toBeCloseTo(0.86, 12);
    expect(ssl20.metrics.acc4.overall.sd).toBeCloseTo(0.01, 12);
    expect(ssl20.metrics.acc4.fear.mean).toBeCloseTo(0.43, 12);
    expect(aggregateArm(runs, 'baseline').map((p) => p.labelCount)).toEqual([20, 50, 200]);
  });

  it('gives the 95% t interval of every mean, and none for a single repeat', () => {
    const [ssl20] = aggregateArm(runs, 'ssl');
    const half = (T_975_2 * 0.01) / Math.sqrt(3);
    expect(ssl20.metrics.acc4.overall.ci95!.lower).toBeCloseTo(0.86 - half, 12);
    expect(ssl20.metrics.acc4.overall.ci95!.upper).toBeCloseTo(0.86 + half, 12);
    const [single] = aggregateArm([run(1, 'ssl', 20, 0, 0.86, 0.26)], 'ssl');
    expect(single.metrics.acc4.overall).toEqual({ mean: 0.86, sd: null, n: 1, ci95: null });
  });

  it('pairs the arms by repeat for the paired test (scipy ttest_rel: t 6.9282, p 0.0202)', () => {
    const acc = compareArms(runs).find((c) => c.labelCount === 20 && c.metric === 'acc4' && c.scope === 'overall')!;
    expect(acc.n).toBe(3);
    expect(acc.meanDifference).toBeCloseTo(0.04, 12);
    expect(acc.t).toBeCloseTo(6.928203230275542, 9);
    expect(acc.pValue).toBeCloseTo(0.020204102886728578, 10);
    // scipy: stats.t.interval(0.95, 2, loc=0.04, scale=stats.sem([0.05, 0.04, 0.03])).
    expect(acc.ci95!.lower).toBeCloseTo(0.015158622882496697, 12);
    expect(acc.ci95!.upper).toBeCloseTo(0.0648413771175033, 12);
    expect(compareArms(runs).some((c) => c.labelCount === 200)).toBe(false); // no SSL runs there to pair
  });

  it('tests every emotion as well as the overall score, and Holm-adjusts each metric across its label counts × scopes', () => {
    const comparisons = compareArms(runs);
    // acc4 is recorded overall and for fear, MAE only overall: three tests at 20 labels.
    expect(comparisons.map((c) => `${c.metric}/${c.scope}/${c.labelCount}`)).toEqual(['acc4/overall/20', 'acc4/fear/20', 'mae/overall/20']);
    const fear = comparisons.find((c) => c.scope === 'fear')!;
    // Fear's accuracy is half the overall one here, so its differences are too: the same t and p.
    expect(fear.meanDifference).toBeCloseTo(0.02, 12);
    expect(fear.pValue).toBeCloseTo(0.020204102886728578, 10);
    // Two tests of acc4 with the same p: Holm gives both min(1, 2p); MAE's family has one test, left as it is.
    for (const c of comparisons.filter((x) => x.metric === 'acc4')) expect(c.pAdjusted).toBeCloseTo(2 * 0.020204102886728578, 10);
    const mae = comparisons.find((c) => c.metric === 'mae')!;
    expect(mae.pAdjusted).toBe(mae.pValue);
    expect(testFamilies(comparisons)).toEqual([
      { metric: 'acc4', tests: 2, values: 1, labelCounts: [20], scopes: ['overall', 'fear'], untested: 0 },
      { metric: 'mae', tests: 1, values: 1, labelCounts: [20], scopes: ['overall'], untested: 0 },
    ]);
  });

  it('leaves a comparison without a p-value (one paired repeat) out of the Holm family', () => {
    const withSingle = [...runs, run(11, 'ssl', 50, 0, 0.9, 0.2)];
    const comparisons = compareArms(withSingle);
    const single = comparisons.find((c) => c.labelCount === 50 && c.metric === 'acc4' && c.scope === 'overall')!;
    expect(single).toMatchObject({ n: 1, pValue: null, pAdjusted: null, ci95: null });
    expect(comparisons.find((c) => c.labelCount === 20 && c.scope === 'fear')!.pAdjusted).toBeCloseTo(2 * 0.020204102886728578, 10);
    expect(testFamilies(comparisons)[0]).toEqual({ metric: 'acc4', tests: 2, values: 1, labelCounts: [20], scopes: ['overall', 'fear'], untested: 2 });
  });

  it('finds the smallest label count at which the baseline catches up, and where it reaches either bound of SSL\'s interval', () => {
    const saved = labelsSaved(aggregateArm(runs, 'ssl'), aggregateArm(runs, 'baseline'));
    const half = (T_975_2 * 0.01) / Math.sqrt(3);
    expect(saved).toEqual([
      {
        sslLabels: 20,
        sslAcc4: expect.closeTo(0.86, 12),
        baselineLabels: 200,
        sslAcc4Ci95: { lower: expect.closeTo(0.86 - half, 12), upper: expect.closeTo(0.86 + half, 12) },
        // The baseline's means: 0.82 at 20, 0.84 at 50, 0.865 at 200 labels; SSL's interval is 0.835 to 0.885.
        baselineLabelsAtCi95: { lower: 50, upper: null },
      },
    ]);
    const one = labelsSaved(aggregateArm([run(1, 'ssl', 20, 0, 0.86, 0.26)], 'ssl'), aggregateArm(runs, 'baseline'));
    expect(one[0]).toMatchObject({ baselineLabels: 200, sslAcc4Ci95: null, baselineLabelsAtCi95: null });
  });
});

describe('experiment presets', () => {
  it('follow the paper: 18 label counts, 3 repeats, 30 epochs, the same sample seed in both arms', () => {
    const paper = experimentPlan('paper');
    expect(paper.labelCounts).toHaveLength(18);
    expect(paper.repeats).toBe(3);
    expect(paper.supervised.epochs).toBe(30);
    expect(paper.pretrain.mask).toEqual({ spanLength: 30, spanCount: 1, value: -30, lossScope: 'all-valid' });
    expect(supervisedConfig(paper, 50, 2).labels).toEqual({ count: 50, seed: 2 });
    const quick = experimentPlan('quick', [10, 30], 4);
    expect(quick).toMatchObject({ labelCounts: [10, 30], repeats: 4 });
    expect(quick.supervised.model.hiddenUnits).toBeLessThan(paper.supervised.model.hiddenUnits);
  });

  it('keep the paper preset as published, and make every difference of the quick preset a recorded field', () => {
    const paper = experimentPlan('paper');
    const published = paperTrainConfig();
    expect(paper.pretrain).toEqual(published);
    expect(paper.supervised).toEqual({ ...published, mask: null, validation: 'final' });
    const quick = experimentPlan('quick');
    expect(quick.labelCounts).toEqual([20, 50, 100, 200]);
    expect(quick.repeats).toBe(6);
    const shared = { model: { ...published.model, hiddenUnits: 32 }, sequence: { ...published.sequence, maxFrames: 60 }, split: { ...published.split, testFraction: 0.2 } };
    expect(quick.pretrain).toEqual({ ...published, ...shared, epochs: 5, learningRate: 0.003, mask: { ...published.mask, lossScope: 'masked-only' } });
    expect(quick.supervised).toEqual({
      ...published,
      ...shared,
      epochs: 300,
      batchSize: 8,
      learningRate: 0.003,
      mask: null,
      validation: 'each-epoch',
      selection: 'best-validation-loss',
      earlyStopping: { patience: 10 },
    });
  });

  it('take ablation overrides: the mask for pre-training, the split and sequences for both arms', () => {
    const plan = withOverrides(experimentPlan('quick'), { mask: { spanLength: 10, spanCount: 2, value: -30, lossScope: 'masked-only' }, split: { kind: 'by-video', validationFraction: 0.2, seed: 3, testFraction: 0 } });
    expect(plan.pretrain.mask?.spanLength).toBe(10);
    expect(plan.pretrain.split.kind).toBe('by-video');
    expect(plan.supervised.split.kind).toBe('by-video');
    expect(plan.supervised.mask).toBeNull();
  });
});
