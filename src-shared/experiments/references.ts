import type { ExperimentPoint, ReferencePredictors } from '../api/entities';
import { EMOTIONS } from '../emotions';
import { metricRecords } from '../metrics/records';
import { FOUR_CLASSES, toFourClass } from '../metrics/rounding';
import { metricMeans } from './aggregate';

/**
 * Two predictors that use no audio, the floor every model of an experiment has to clear.
 *
 * Each is fitted, per label count and repeat, to that repeat's labelled sample: the very N
 * segments the SSL fine-tune and the baseline of the repeat trained on. That is the honest
 * floor of a few-label setting: with 20 labels a model knows no more of the label distribution
 * than those 20 segments tell, and the mean of the whole training split would be a reference
 * no model at that label count could have known. Both predict one value per emotion for every
 * segment, are scored on the same segments (and split) as the runs with the same metrics, and
 * are reported as mean ± sd over the repeats, as the runs are.
 */
export const REFERENCE_PREDICTORS = ['labelMean', 'majorityClass'] as const;
export type ReferencePredictor = (typeof REFERENCE_PREDICTORS)[number];

export const REFERENCE_LABELS: Record<ReferencePredictor, string> = {
  labelMean: 'Label mean (no audio)',
  majorityClass: 'Majority class (no audio)',
};
export const REFERENCE_SHORT: Record<ReferencePredictor, string> = { labelMean: 'Label mean', majorityClass: 'Majority' };

export const REFERENCE_METHOD =
  "Reference predictors use no audio: fitted to each repeat's labelled sample (the same segments its SSL fine-tune and baseline trained on), " +
  'they predict for every segment, per emotion, the sample\'s mean intensity ("label mean") or its most frequent four-class bin ("majority class"; 0, absent, for every CMU-MOSEI emotion). ' +
  'They are scored on the same segments as the runs; mean ± sd over the repeats.';

/** The one value per emotion a reference predictor gives every segment, fitted to these training labels ([n][6]). */
export function referenceValues(predictor: ReferencePredictor, trainingLabels: readonly (readonly number[])[]): number[] {
  if (!trainingLabels.length) throw new Error('A reference predictor needs at least one labelled segment.');
  return EMOTIONS.map((_, j) => {
    const column = trainingLabels.map((row) => row[j]);
    if (predictor === 'labelMean') return column.reduce((s, v) => s + v, 0) / column.length;
    const counts = FOUR_CLASSES.map((c) => column.filter((v) => toFourClass(v) === c).length);
    // The most frequent bin; the lowest on a tie.
    return counts.indexOf(Math.max(...counts));
  });
}

/** One repeat's labelled sample at one label count: the labels ([n][6]) its runs trained on. */
export interface LabelledSample {
  labelCount: number;
  repeat: number;
  labels: readonly (readonly number[])[];
}

/** Both reference predictors per label count, scored on `evaluation` (the labels [n][6] of the split the runs are reported on). */
export function referencePoints(samples: readonly LabelledSample[], evaluation: readonly (readonly number[])[]): ReferencePredictors {
  const counts = [...new Set(samples.map((s) => s.labelCount))].sort((a, b) => a - b);
  // Many samples give the same constant (the majority class nearly always does): score each once.
  const scoredBy = new Map<string, ReturnType<typeof metricRecords>>();
  const score = (row: number[]) => {
    const key = row.join();
    let scored = scoredBy.get(key);
    if (!scored) scoredBy.set(key, (scored = metricRecords(evaluation, evaluation.map(() => row))));
    return scored;
  };
  const points = (predictor: ReferencePredictor): ExperimentPoint[] =>
    evaluation.length === 0
      ? []
      : counts.map((labelCount) => {
          const group = samples.filter((s) => s.labelCount === labelCount).sort((a, b) => a.repeat - b.repeat);
          const scored = group.map((s) => score(referenceValues(predictor, s.labels)));
          return { labelCount, runIds: [], metrics: metricMeans(scored), flagged: [], checked: 0 };
        });
  return { labelMean: points('labelMean'), majorityClass: points('majorityClass') };
}
