import { describe, expect, it } from 'vitest';
import { aggregateArm, compareArms, labelsSaved, type ExperimentRun } from './aggregate';
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
];

describe('experiment aggregation', () => {
  it('gives mean and sample sd over repeats per label count, overall and per emotion', () => {
    const [ssl20] = aggregateArm(runs, 'ssl');
    expect(ssl20.labelCount).toBe(20);
    expect(ssl20.runIds).toEqual([1, 2, 3]);
    expect(ssl20.metrics.acc4.overall.mean).toBeCloseTo(0.86, 12);
    expect(ssl20.metrics.acc4.overall.sd).toBeCloseTo(0.01, 12);
    expect(ssl20.metrics.acc4.fear.mean).toBeCloseTo(0.43, 12);
    expect(aggregateArm(runs, 'baseline').map((p) => p.labelCount)).toEqual([20, 200]);
  });

  it('pairs the arms by repeat for the paired test (scipy ttest_rel: t 6.9282, p 0.0202)', () => {
    const acc = compareArms(runs).find((c) => c.labelCount === 20 && c.metric === 'acc4')!;
    expect(acc.n).toBe(3);
    expect(acc.meanDifference).toBeCloseTo(0.04, 12);
    expect(acc.t).toBeCloseTo(6.928203230275542, 9);
    expect(acc.pValue).toBeCloseTo(0.020204102886728578, 10);
    expect(compareArms(runs).some((c) => c.labelCount === 200)).toBe(false); // no SSL runs there to pair
  });

  it('finds the smallest label count at which the baseline catches up', () => {
    const saved = labelsSaved(aggregateArm(runs, 'ssl'), aggregateArm(runs, 'baseline'));
    expect(saved).toEqual([{ sslLabels: 20, sslAcc4: expect.closeTo(0.86, 12), baselineLabels: 200 }]);
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
    const shared = { model: { ...published.model, hiddenUnits: 32 }, sequence: { ...published.sequence, maxFrames: 60 } };
    expect(quick.pretrain).toEqual({ ...published, ...shared, epochs: 5, learningRate: 0.003, mask: { ...published.mask, lossScope: 'masked-only' } });
    expect(quick.supervised).toEqual({ ...published, ...shared, epochs: 30, batchSize: 8, learningRate: 0.001, mask: null, validation: 'final' });
  });

  it('take ablation overrides: the mask for pre-training, the split and sequences for both arms', () => {
    const plan = withOverrides(experimentPlan('quick'), { mask: { spanLength: 10, spanCount: 2, value: -30, lossScope: 'masked-only' }, split: { kind: 'by-video', validationFraction: 0.2, seed: 3 } });
    expect(plan.pretrain.mask?.spanLength).toBe(10);
    expect(plan.pretrain.split.kind).toBe('by-video');
    expect(plan.supervised.split.kind).toBe('by-video');
    expect(plan.supervised.mask).toBeNull();
  });
});
