/**
 * An ablation's results from its finished runs: per combination of factor values, its SSL arm
 * paired repeat by repeat with the baseline arm it shares (same label count, same repeat, so the
 * same labelled sample), the paired tests Holm-corrected per metric across every value × label
 * count × scope, and the best value per label count.
 */
import { TESTED_METRICS, type BestValue, type ExperimentResults, type ReferencePredictors, type TestFamily, type VariantResults } from '../api/entities';
import type { PlanVariant } from './ablationPlan';
import { aggregateArm, holmPerMetric, labelsSaved, pairedComparisons, testFamilies, type ExperimentRun } from './aggregate';

/** A finished run with the key of what it stands for: a fine-tune its variant's key, a baseline its arm's (the variant's baselineKey). */
export type KeyedRun = ExperimentRun & { key: string };

export function variantResults(input: {
  variants: readonly PlanVariant[];
  runs: readonly KeyedRun[];
  pretrainRunOf: (variant: PlanVariant) => number | null;
  referencesOf: (variant: PlanVariant) => ReferencePredictors;
}): { variants: VariantResults[]; testFamilies: TestFamily[]; best: BestValue[] } {
  const blocks = input.variants.map((variant) => {
    const runs = input.runs.filter((r) => (r.arm === 'ssl' ? r.key === variant.key : r.key === variant.baselineKey));
    return { variant, runs, comparisons: pairedComparisons(runs) };
  });
  // One Holm family per metric across every value: tag each comparison with its block to split them back.
  const adjusted = holmPerMetric(blocks.flatMap((b, block) => b.comparisons.map((c) => ({ ...c, block }))));
  const variants = blocks.map(({ variant, runs }, block): VariantResults => {
    const ssl = aggregateArm(runs, 'ssl');
    const baseline = aggregateArm(runs, 'baseline');
    return {
      key: variant.key,
      values: variant.values,
      label: variant.label,
      pretrainRunId: input.pretrainRunOf(variant),
      baselineKey: variant.baselineKey,
      ssl,
      baseline,
      references: input.referencesOf(variant),
      comparisons: adjusted.filter((c) => c.block === block).map(({ block: _b, ...c }) => c),
      labelsSaved: labelsSaved(ssl, baseline),
    };
  });
  return { variants, testFamilies: testFamilies(adjusted, Math.max(1, variants.length)), best: bestValues(variants) };
}

const BETTER: Record<(typeof TESTED_METRICS)[number], (a: number, b: number) => boolean> = { acc4: (a, b) => a > b, mae: (a, b) => a < b };

/** Per metric and label count, the value(s) with the best SSL mean overall, and the next best for the margin. */
export function bestValues(variants: readonly VariantResults[]): BestValue[] {
  if (variants.length < 2) return [];
  const counts = [...new Set(variants.flatMap((v) => v.ssl.map((p) => p.labelCount)))].sort((a, b) => a - b);
  return TESTED_METRICS.flatMap((metric) =>
    counts.flatMap((labelCount): BestValue[] => {
      const measured = variants
        .map((v) => ({ key: v.key, mean: v.ssl.find((p) => p.labelCount === labelCount)?.metrics[metric]?.overall?.mean }))
        .filter((m): m is { key: string; mean: number } => m.mean !== undefined && Number.isFinite(m.mean))
        .sort((a, b) => (BETTER[metric](a.mean, b.mean) ? -1 : BETTER[metric](b.mean, a.mean) ? 1 : 0));
      if (!measured.length) return [];
      const best = measured[0].mean;
      const tied = measured.filter((m) => Math.abs(m.mean - best) <= 1e-12);
      const next = measured.find((m) => Math.abs(m.mean - best) > 1e-12) ?? null;
      return [{ metric, labelCount, keys: tied.map((m) => m.key), mean: best, runnerUp: next }];
    }),
  );
}

export const isAblation = (results: Pick<ExperimentResults, 'factors'>) => results.factors.length > 0;

/** One value's results in the shape of a plain experiment's: what every single-experiment view, export and the CLI's JSON read. */
export function singleResults(results: ExperimentResults, variant: VariantResults): ExperimentResults {
  const { ssl, baseline, references, comparisons, labelsSaved: saved } = variant;
  return { ...results, ssl, baseline, references, comparisons, labelsSaved: saved, factors: [], variants: [], best: [] };
}

/**
 * What Table 1 reports of an experiment: a plain experiment as it is; an ablation by its value
 * with the best mean 4-class accuracy at its largest label count (named in the experiment's name,
 * so every export says which value it shows).
 */
export function table1Results(results: ExperimentResults): ExperimentResults {
  if (!isAblation(results) || !results.variants.length) return results;
  const largest = Math.max(...results.experiment.labelCounts);
  const best = results.best.find((b) => b.metric === 'acc4' && b.labelCount === largest);
  const variant = results.variants.find((v) => v.key === best?.keys[0]) ?? results.variants[0];
  const single = singleResults(results, variant);
  return { ...single, experiment: { ...single.experiment, name: `${results.experiment.name} · ${best ? 'best value' : 'value'}: ${variant.label}` } };
}
