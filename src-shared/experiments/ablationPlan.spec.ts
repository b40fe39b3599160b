import { describe, expect, it } from 'vitest';
import { armConfig, planShape, variantPlan } from './ablationPlan';
import { experimentPlan, supervisedConfig } from './presets';

const quick = (factors: Array<{ field: string; values: Array<number | string> }>) => ({ ...experimentPlan('quick', [4, 8, 16], 2), factors });

describe('the runs of an ablation plan', () => {
  it('without factors: one pre-training, and an SSL fine-tune and a baseline per label count and repeat', () => {
    const shape = planShape(quick([]));
    expect(shape.variants.map((v) => v.key)).toEqual(['{}']);
    expect([shape.pretrainings.length, shape.baselineArms.length, shape.finetunes, shape.baselines, shape.runsTotal]).toEqual([1, 1, 6, 6, 12]);
  });

  it('a masking factor: one pre-training per span, one baseline arm shared by every span', () => {
    const plan = quick([{ field: 'mask.spanLength', values: [5, 15, 30] }]);
    const shape = planShape(plan);
    expect(shape.pretrainings.map((p) => p.config.mask!.spanLength)).toEqual([5, 15, 30]);
    expect(shape.baselineArms).toHaveLength(1);
    expect(shape.baselineArms[0].variants).toHaveLength(3);
    expect([shape.finetunes, shape.baselines]).toEqual([18, 6]);
    // Every span's supervised runs are the plan's own: the shared baseline is the one a plain experiment trains.
    for (const v of shape.variants) expect(supervisedConfig(variantPlan(plan, v), 4, 1)).toEqual(supervisedConfig(experimentPlan('quick', [4, 8, 16], 2), 4, 1));
  });

  it('a head factor: one pre-training shared by both poolings, a baseline arm each', () => {
    const shape = planShape(quick([{ field: 'model.pooling', values: ['last-valid', 'mean-valid'] }]));
    expect([shape.pretrainings.length, shape.baselineArms.length]).toEqual([1, 2]);
    expect(shape.baselineArms.map((a) => a.supervised.model.pooling)).toEqual(['last-valid', 'mean-valid']);
  });

  it('give a baseline arm the config of the variants it serves, with the label count\'s sample and the repeat\'s seed', () => {
    const plan = { ...quick([{ field: 'mask.spanLength', values: [5, 15] }, { field: 'learningRate', values: [0.001, 0.01] }]), sampling: 'independent' as const, repeatSeeds: 'per-repeat' as const };
    const shape = planShape(plan);
    for (const arm of shape.baselineArms) {
      const config = armConfig(plan, arm, 8, 1);
      for (const key of arm.variants) expect(config).toEqual(armConfig(plan, shape.variants.find((v) => v.key === key)!, 8, 1));
      expect(config).toEqual(supervisedConfig({ ...plan, supervised: arm.supervised, factors: [] }, 8, 1));
    }
    expect(shape.baselineArms.map((a) => armConfig(plan, a, 8, 1).learningRate)).toEqual([0.001, 0.01]);
    expect(armConfig(plan, shape.baselineArms[0], 8, 1).labels).toEqual(supervisedConfig(plan, 8, 1).labels);
  });

  it('span × width: a pre-training per combination, a baseline arm per width', () => {
    const shape = planShape(quick([{ field: 'mask.spanLength', values: [5, 15] }, { field: 'model.hiddenUnits', values: [8, 16] }]));
    expect(shape.variants.map((v) => v.label)).toEqual(['span = 5 · hidden = 8', 'span = 5 · hidden = 16', 'span = 15 · hidden = 8', 'span = 15 · hidden = 16']);
    expect(shape.pretrainings).toHaveLength(4);
    expect(shape.baselineArms.map((a) => a.values)).toEqual([{ 'model.hiddenUnits': 8 }, { 'model.hiddenUnits': 16 }]);
    expect(shape.baselineArms.map((a) => a.variants.length)).toEqual([2, 2]);
    expect([shape.finetunes, shape.baselines]).toEqual([24, 12]);
  });
});
