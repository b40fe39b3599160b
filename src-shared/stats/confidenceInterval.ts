import { studentTQuantile } from './studentT';

export interface Interval {
  lower: number;
  upper: number;
}

/** The confidence level of every interval the workbench reports. */
export const CI_LEVEL = 0.95;

/**
 * The t-based confidence interval of a mean over n repeats: mean ± t(1 − α/2, n − 1) · sd / √n,
 * with the sample sd. None for fewer than two values (no sd, no degrees of freedom).
 */
export function meanConfidenceInterval(mean: number, sd: number | null, n: number, level = CI_LEVEL): Interval | null {
  if (n < 2 || sd === null || !Number.isFinite(sd) || !Number.isFinite(mean)) return null;
  const half = (studentTQuantile(1 - (1 - level) / 2, n - 1) * sd) / Math.sqrt(n);
  return { lower: mean - half, upper: mean + half };
}
