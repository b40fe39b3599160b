/**
 * Paired t-test of SSL against baseline over the repeats of one label count: both arms of
 * a repeat share their labelled sample, so their difference is the unit of analysis.
 */
import { meanConfidenceInterval, type Interval } from './confidenceInterval';
import { studentTwoSidedP } from './studentT';

export interface PairedTestResult {
  n: number;
  meanDifference: number;
  /** Null with fewer than two pairs or when every difference is the same. */
  t: number | null;
  pValue: number | null;
  /** 95% t interval of the mean difference; null with fewer than two pairs. */
  ci95: Interval | null;
}

/** Paired t-test of a against b (a - b), pair by pair. */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTestResult {
  if (a.length !== b.length) throw new Error(`A paired test needs pairs: ${a.length} values against ${b.length}.`);
  const d = a.map((v, i) => v - b[i]);
  const n = d.length;
  const mean = n ? d.reduce((s, v) => s + v, 0) / n : NaN;
  if (n < 2) return { n, meanDifference: mean, t: null, pValue: null, ci95: null };
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const ci95 = meanConfidenceInterval(mean, sd, n);
  if (sd === 0) return { n, meanDifference: mean, t: null, pValue: null, ci95 };
  const t = mean / (sd / Math.sqrt(n));
  return { n, meanDifference: mean, t, pValue: studentTwoSidedP(t, n - 1), ci95 };
}
