/**
 * F1 of one class from its counts: 2tp / (2tp + fp + fn), which equals the harmonic
 * mean of precision and recall.
 *
 * zero_division = 0, as in the reference (sklearn f1_score(..., zero_division=0)):
 * when a class has no true and no predicted samples the score is 0, not 1 and not NaN.
 * Whenever tp = 0 the score is 0 anyway, so that is the only case the choice affects.
 */
export function f1FromCounts(tp: number, fp: number, fn: number): number {
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? 0 : (2 * tp) / denominator;
}
