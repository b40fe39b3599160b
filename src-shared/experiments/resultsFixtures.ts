import type { ExperimentPoint, ExperimentResults, ExperimentSummary } from '../api/entities';
import { EMOTIONS } from '../emotions';

/** Fixtures for the experiment specs: a summary and results shaped as main sends them. */
export function experimentSummary(id: number, over: Partial<ExperimentSummary> = {}): ExperimentSummary {
  return {
    id,
    name: `sweep ${id}`,
    datasetId: 'builtin',
    preset: 'quick',
    status: 'running',
    labelCounts: [20, 50, 200],
    repeats: 2,
    pretrainRunId: 1,
    runsTotal: 13,
    runsDone: 0,
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: null,
    error: null,
    ...over,
  };
}

/**
 * One arm's points: acc4 rises and MAE falls with the label count; `offset` shifts the arm.
 * Run ids are `base + index * 10 + repeat`. With `repeats` 1 the sd is null.
 */
export function armPoints(labelCounts: readonly number[], offset: number, repeats = 3, base = 100): ExperimentPoint[] {
  return labelCounts.map((labelCount, i) => {
    const acc = Math.min(0.95, 0.8 + offset + 0.02 * Math.log10(labelCount));
    const mae = Math.max(0.05, 0.3 - offset - 0.02 * Math.log10(labelCount));
    const scopes = (v: number) =>
      Object.fromEntries(['overall', ...EMOTIONS].map((scope, k) => [scope, { mean: v + k * 0.001, sd: repeats > 1 ? 0.01 : null, n: repeats }]));
    return {
      labelCount,
      runIds: Array.from({ length: repeats }, (_, r) => base + i * 10 + r),
      metrics: { acc4: scopes(acc), mae: scopes(mae), f1Weighted: scopes(0.5) },
    };
  });
}

export function experimentResults(id: number, labelCounts: readonly number[] = [20, 50, 200], over: Partial<ExperimentResults> = {}): ExperimentResults {
  return {
    experiment: experimentSummary(id, { labelCounts: [...labelCounts] }),
    ssl: armPoints(labelCounts, 0.04, 3, 100),
    baseline: armPoints(labelCounts, 0, 3, 500),
    comparisons: labelCounts.flatMap((labelCount) => [
      { labelCount, metric: 'acc4' as const, meanDifference: 0.04, n: 3, t: 5.2, pValue: 0.035 },
      { labelCount, metric: 'mae' as const, meanDifference: -0.08, n: 3, t: -7.1, pValue: 0.019 },
    ]),
    labelsSaved: [{ sslLabels: labelCounts[0], sslAcc4: 0.866, baselineLabels: null }],
    ...over,
  };
}
