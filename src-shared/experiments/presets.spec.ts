import { describe, expect, it } from 'vitest';
import { experimentPlan, normalisePlan, supervisedConfig } from './presets';

describe('the runs of a plan', () => {
  it('vary the seed of initialisation and shuffling with the repeat, both arms of a repeat sharing it and their sample', () => {
    const plan = experimentPlan('quick', [20, 50], 3);
    const seeds = [0, 1, 2].map((r) => supervisedConfig(plan, 20, r).seed);
    expect(new Set(seeds).size).toBe(3);
    // Fine-tune and baseline are built from the same config: one call per (label count, repeat).
    expect(supervisedConfig(plan, 20, 1)).toEqual(supervisedConfig(plan, 20, 1));
    expect(supervisedConfig(plan, 50, 1).seed).toBe(supervisedConfig(plan, 20, 1).seed);
  });

  it('nest the labelled samples of a repeat across label counts by default, or draw each anew', () => {
    const nested = experimentPlan('quick', [20, 50], 2);
    expect(nested.sampling).toBe('nested');
    expect(supervisedConfig(nested, 20, 1).labels).toEqual({ count: 20, seed: 1 });
    expect(supervisedConfig(nested, 50, 1).labels).toEqual({ count: 50, seed: 1 });
    const independent = experimentPlan('quick', [20, 50], 2, 'independent');
    const labelSeeds = [20, 50].flatMap((n) => [0, 1].map((r) => supervisedConfig(independent, n, r).labels.seed));
    expect(new Set(labelSeeds).size).toBe(4);
  });

  it('of an experiment planned before repeats varied their seeds keep the shared seed and nested samples', () => {
    const { sampling: _s, repeatSeeds: _r, ...old } = experimentPlan('paper');
    const plan = normalisePlan(old);
    expect(plan).toMatchObject({ sampling: 'nested', repeatSeeds: 'shared' });
    expect([0, 1, 2].map((r) => supervisedConfig(plan, 20, r).seed)).toEqual([1, 1, 1]);
  });
});
