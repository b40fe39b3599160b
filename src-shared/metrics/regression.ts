import { EMOTIONS } from '../emotions';
import { column, type EmotionMatrix } from './validation';

/** Mean of |p - y| over paired values, on the raw intensities (no rounding, no clipping). */
export function meanAbsoluteError(y: readonly number[], p: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += Math.abs(p[i] - y[i]);
  return sum / y.length;
}

/** MAE over all n*6 entries at once. */
export function maeOverall(y: EmotionMatrix, p: EmotionMatrix): number {
  return meanAbsoluteError(y.flat(), p.flat());
}

/** MAE of each emotion column, in EMOTIONS order. */
export function maePerEmotion(y: EmotionMatrix, p: EmotionMatrix): number[] {
  return EMOTIONS.map((_, j) => meanAbsoluteError(column(y, j), column(p, j)));
}
