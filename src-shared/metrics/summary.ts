/**
 * Summaries over repeated runs (the paper repeats each label count three times and plots
 * mean and standard deviation). Neither the paper nor the reference fixture states the
 * ddof, so the spread is the sample standard deviation (ddof = 1, like numpy std(ddof=1),
 * pandas and R's sd), named so that nobody mistakes it for the population one.
 */

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('mean of an empty list is undefined');
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (divides by n - 1). NaN for a single value, as numpy gives with ddof=1. */
export function sampleStandardDeviation(values: readonly number[]): number {
  const m = mean(values);
  if (values.length < 2) return Number.NaN;
  const squares = values.reduce((s, v) => s + (v - m) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

export interface RepeatSummary {
  n: number;
  mean: number;
  /** ddof = 1; NaN when n = 1. */
  sampleSd: number;
}

export function summarizeRepeats(values: readonly number[]): RepeatSummary {
  return { n: values.length, mean: mean(values), sampleSd: sampleStandardDeviation(values) };
}
