import { describe, expect, it } from 'vitest';
import type { RunDetail, TrainConfig } from '../api/entities';
import { differingFields, flattenConfig, groupRuns, runFieldValue } from './compare';

const config = (span: number | null, lr = 0.001): TrainConfig => ({
  epochs: 3,
  batchSize: 8,
  learningRate: lr,
  model: { hiddenUnits: 4, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' },
  labels: { count: null, seed: 0 },
  seed: 1,
  mask: span === null ? null : { spanLength: span, spanCount: 1, value: -30, lossScope: 'all-valid' },
  sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' },
  split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 },
  validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null,
});

function run(id: number, span: number | null, losses: number[], mae: number | null, seed = id): RunDetail {
  return {
    id, name: `r${id}`, kind: 'pretrain', status: 'done', datasetId: 'd', parentRunId: null, config: config(span), seed,
    backend: 'wasm', backendReason: null, createdAt: '', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:01:30Z', error: null,
    lastLoss: losses.at(-1) ?? null, maeOverall: mae, acc4Overall: null, labelCount: null, experimentId: null, tags: ['a', 'b'], notes: '', archived: false, origin: null, pretrainMask: config(span).mask, maeTest: null, acc4Test: null, flags: null,
    epochs: losses.map((loss, i) => ({ epoch: i + 1, loss, valLoss: null, seconds: 1 })),
    metrics: mae === null ? [] : [{ scope: 'overall', name: 'mae', value: mae }],
    testMetrics: [],
    predictions: [],
  };
}

describe('config comparison', () => {
  it('flattens a config to leaf paths, a null mask being one leaf', () => {
    const flat = flattenConfig(config(30));
    expect(flat['config.mask.spanLength']).toBe(30);
    expect(flat['config.model.hiddenUnits']).toBe(4);
    expect(flattenConfig(config(null))['config.mask']).toBeNull();
    expect(Object.keys(flattenConfig(config(null)))).not.toContain('config.mask.spanLength');
  });

  it('lists only the fields that differ, including ones a config lacks', () => {
    expect(differingFields([flattenConfig(config(30)), flattenConfig(config(30))])).toEqual([]);
    expect(differingFields([flattenConfig(config(30)), flattenConfig(config(10, 0.01))])).toEqual(['config.learningRate', 'config.mask.spanLength']);
    expect(differingFields([flattenConfig(config(30)), flattenConfig(config(null))])).toEqual([
      'config.mask', 'config.mask.lossScope', 'config.mask.spanCount', 'config.mask.spanLength', 'config.mask.value',
    ]);
  });

  it('reads table columns and config paths of a run', () => {
    const r = run(1, 30, [1], 0.5);
    expect(runFieldValue(r, 'maskSpan')).toBe(30);
    expect(runFieldValue(r, 'config.mask.value')).toBe(-30);
    expect(runFieldValue(r, 'duration')).toBe(90);
    expect(runFieldValue(r, 'tags')).toBe('a, b');
    expect(runFieldValue(run(2, null, [1], null), 'maskSpan')).toBeNull();
    expect(runFieldValue(r, 'config.no.such')).toBeNull();
  });
});

describe('grouping runs by a field', () => {
  it('gives mean and sample sd of metrics and of the loss curve per group, ordered by value, missing last', () => {
    const groups = groupRuns(
      [run(1, 30, [3, 2], 1), run(2, 10, [5], 0.4), run(3, 30, [5, 4, 1], 2), run(4, 30, [4, 3], 3), run(5, null, [1], null)],
      'config.mask.spanLength',
    );
    expect(groups.map((g) => g.label)).toEqual(['10', '30', 'none']);
    const span30 = groups[1]!;
    expect(span30.runIds).toEqual([1, 3, 4]);
    expect(span30.seeds).toEqual([1, 3, 4]);
    // MAE 1, 2, 3: mean 2, sample sd 1.
    // With its 95% t interval: 2 ± t(0.975, 2) · 1 / √3 (t from scipy).
    const half = 4.302652729749462 / Math.sqrt(3);
    expect(span30.metrics.mae!.overall).toEqual({ mean: 2, sd: 1, n: 3, ci95: { lower: expect.closeTo(2 - half, 12), upper: expect.closeTo(2 + half, 12) } });
    // Epoch 1: 3, 5, 4 -> mean 4, sd 1. Epoch 3 only run 3 reached: n 1, no sd.
    expect(span30.loss[0]).toEqual({ epoch: 1, mean: 4, sd: 1, n: 3, ci95: { lower: expect.closeTo(4 - half, 12), upper: expect.closeTo(4 + half, 12) } });
    expect(span30.loss[2]).toEqual({ epoch: 3, mean: 1, sd: null, n: 1, ci95: null });
    expect(span30.valLoss).toEqual([]);
    expect(groups[0]!.metrics.mae!.overall).toEqual({ mean: 0.4, sd: null, n: 1, ci95: null });
    expect(groups[2]!.metrics).toEqual({});
  });

  it('averages the test metrics of a group when asked, leaving out runs without a test part', () => {
    const withTest = (id: number, mae: number | null) => ({ ...run(id, 30, [1], 9), testMetrics: mae === null ? [] : [{ scope: 'overall' as const, name: 'mae', value: mae }] });
    const [group] = groupRuns([withTest(1, 0.2), withTest(2, 0.4), withTest(3, null)], 'config.mask.spanLength', 'test');
    expect(group!.metrics.mae!.overall).toMatchObject({ mean: expect.closeTo(0.3, 12), n: 2 });
    expect(groupRuns([withTest(1, 0.2)], 'config.mask.spanLength')[0]!.metrics.mae!.overall.mean).toBe(9);
  });
});
