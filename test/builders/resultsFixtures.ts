import type { ExperimentPoint, ExperimentResults, ExperimentSummary, MeanSd, PairedComparison } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { meanConfidenceInterval } from '@shared/stats/confidenceInterval';
import { TESTED_SCOPES, testFamilies } from '@shared/experiments/aggregate';

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

/** A mean over n repeats as aggregation reports it: with its 95% t interval (none for one repeat). */
export function meanOf(mean: number, sd: number | null, n: number): MeanSd {
  return { mean, sd, n, ci95: meanConfidenceInterval(mean, sd, n) };
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
      Object.fromEntries(['overall', ...EMOTIONS].map((scope, k) => [scope, meanOf(v + k * 0.001, repeats > 1 ? 0.01 : null, repeats)]));
    return {
      labelCount,
      runIds: Array.from({ length: repeats }, (_, r) => base + i * 10 + r),
      metrics: { acc4: scopes(acc), mae: scopes(mae), f1Weighted: scopes(0.5) },
      flagged: [],
      checked: repeats,
    };
  });
}

/** Reference predictors at each label count: flat lines well under both arms (acc4 0.6, MAE 0.45; majority 0.55 and 0.5). */
export function referenceArms(labelCounts: readonly number[], repeats = 3): ExperimentResults['references'] {
  const flat = (acc: number, mae: number) =>
    labelCounts.map((labelCount) => {
      const scopes = (v: number) => Object.fromEntries(['overall', ...EMOTIONS].map((scope) => [scope, meanOf(v, repeats > 1 ? 0.005 : null, repeats)]));
      return { labelCount, runIds: [], metrics: { acc4: scopes(acc), mae: scopes(mae), f1Weighted: scopes(0.4) }, flagged: [], checked: 0 };
    });
  return { labelMean: flat(0.6, 0.45), majorityClass: flat(0.55, 0.5) };
}

/**
 * Paired comparisons at every label count and tested scope: acc4 +0.04 (p 0.035), MAE −0.08
 * (p 0.019), both with the same made-up interval and the Holm adjustment of a family of their size.
 */
export function comparisonsAt(labelCounts: readonly number[]): PairedComparison[] {
  const m = labelCounts.length * TESTED_SCOPES.length;
  return (['acc4', 'mae'] as const).flatMap((metric) =>
    TESTED_SCOPES.flatMap((scope) =>
      labelCounts.map((labelCount) => {
        const [meanDifference, lower, upper, t, pValue] = metric === 'acc4' ? [0.04, 0.01, 0.07, 5.2, 0.035] : [-0.08, -0.11, -0.05, -7.1, 0.019];
        return { labelCount, metric, scope, meanDifference, ci95: { lower, upper }, n: 3, t, pValue, pAdjusted: Math.min(1, Number((m * pValue).toFixed(6))) };
      }),
    ),
  );
}

export function experimentResults(id: number, labelCounts: readonly number[] = [20, 50, 200], over: Partial<ExperimentResults> = {}): ExperimentResults {
  const comparisons = comparisonsAt(labelCounts);
  return {
    experiment: experimentSummary(id, { labelCounts: [...labelCounts] }),
    split: 'validation',
    ssl: armPoints(labelCounts, 0.04, 3, 100),
    baseline: armPoints(labelCounts, 0, 3, 500),
    references: referenceArms(labelCounts),
    comparisons,
    testFamilies: testFamilies(comparisons),
    labelsSaved: [{ sslLabels: labelCounts[0], sslAcc4: 0.866, baselineLabels: null, sslAcc4Ci95: { lower: 0.841, upper: 0.891 }, baselineLabelsAtCi95: { lower: labelCounts.at(-1)!, upper: null } }],
    ...over,
  };
}
