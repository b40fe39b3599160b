import { EMOTIONS } from '../emotions';
import {
  binaryAccuracy,
  binaryConfusion,
  f1Binary,
  f1FourClassMacro,
  f1FourClassMicro,
  f1Weighted,
  fourClassAccuracy,
  weightedAccuracy,
} from './classification';
import { maeOverall, maePerEmotion } from './regression';
import { column, validateLabelsAndPredictions } from './validation';

export * from './classification';
export * from './f1';
export * from './regression';
export * from './rounding';
export * from './validation';

/** Per-emotion lists, each of length 6 in EMOTIONS order. */
export interface PerEmotionMetrics {
  f1_binary: number[];
  f1_weighted: number[];
  weighted_accuracy: number[];
  binary_accuracy: number[];
  f1_4class_micro: number[];
  f1_4class_macro: number[];
  tp: number[];
  tn: number[];
  fp: number[];
  fn: number[];
  n_pos: number[];
  n_neg: number[];
}

/**
 * Every metric, keyed exactly like `results` in test/fixtures/reference/metrics_vectors.json
 * (snake_case on purpose) so output can be compared with the reference key by key.
 */
export interface AllMetrics {
  mae_overall: number;
  mae_per_emotion: number[];
  acc4_overall: number;
  acc4_per_emotion: number[];
  per_emotion: PerEmotionMetrics;
}

/**
 * All metrics of predictions `p` against labels `y`, both [n][6] in EMOTIONS order.
 * Throws an Error naming the problem on empty, ragged, mismatched or non-finite input.
 */
export function computeAllMetrics(y: readonly (readonly number[])[], p: readonly (readonly number[])[]): AllMetrics {
  validateLabelsAndPredictions(y, p);
  const columns = EMOTIONS.map((_, j) => ({ y: column(y, j), p: column(p, j) }));
  const confusions = columns.map((c) => binaryConfusion(c.y, c.p));
  return {
    mae_overall: maeOverall(y, p),
    mae_per_emotion: maePerEmotion(y, p),
    acc4_overall: fourClassAccuracy(y.flat(), p.flat()),
    acc4_per_emotion: columns.map((c) => fourClassAccuracy(c.y, c.p)),
    per_emotion: {
      f1_binary: confusions.map(f1Binary),
      f1_weighted: confusions.map(f1Weighted),
      weighted_accuracy: confusions.map(weightedAccuracy),
      binary_accuracy: confusions.map(binaryAccuracy),
      f1_4class_micro: columns.map((c) => f1FourClassMicro(c.y, c.p)),
      f1_4class_macro: columns.map((c) => f1FourClassMacro(c.y, c.p)),
      tp: confusions.map((c) => c.tp),
      tn: confusions.map((c) => c.tn),
      fp: confusions.map((c) => c.fp),
      fn: confusions.map((c) => c.fn),
      n_pos: confusions.map((c) => c.nPos),
      n_neg: confusions.map((c) => c.nNeg),
    },
  };
}
