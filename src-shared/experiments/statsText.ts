/**
 * The statistics in words, the same wherever they appear (the Experiments view, the CLI's JSON,
 * Table 1's notes, the figures' captions): how intervals are computed, what a p-value was
 * tested and corrected across, and how uncertain "labels saved" is.
 */
import type { LabelsSaved, TestFamily } from '../api/entities';
import { EMOTIONS } from '../emotions';
import { formatInterval, formatValue, METRIC_LABELS } from '../figures/sweepSeries';
import { CI_LEVEL } from '../stats/confidenceInterval';
import { counted } from '../format';
import { studentTQuantile } from '../stats/studentT';

/** How every 95% interval of a mean over repeats is computed. */
export const CI_METHOD = '95% CI: t-based over the repeats, mean ± t(0.975, n − 1) · sd / √n; none with a single repeat';

/** "t(0.975, 2) = 4.30": the multiplier n repeats give, so a reader sees why few repeats make wide intervals. */
export function tMultiplierText(n: number): string | null {
  return n >= 2 ? `t(0.975, ${n - 1}) = ${studentTQuantile(1 - (1 - CI_LEVEL) / 2, n - 1).toFixed(2)}` : null;
}


/** "{overall, six emotions}", or the scopes the family holds when some are missing. */
function scopesText(scopes: readonly string[]): string {
  const emotions = EMOTIONS.filter((e) => scopes.includes(e));
  if (scopes.includes('overall') && emotions.length === EMOTIONS.length) return '{overall, six emotions}';
  return `{${scopes.join(', ')}}`;
}

/**
 * "Paired t-test over repeats (two-sided), Holm-adjusted across 14 tests of 4-class accuracy:
 * 2 label counts × {overall, six emotions}". Says what the adjusted p-values were corrected for.
 */
export function pValueMethodText(family: TestFamily): string {
  const metric = METRIC_LABELS[family.metric] ?? family.metric;
  if (family.tests === 0) return `${metric}: no paired t-test possible (each needs two repeats that differ in both arms)`;
  // An ablation's family spans every factor value: say so, so the family's size reads right.
  const values = family.values > 1 ? `${counted(family.values, 'factor value')} × ` : '';
  const grid = `${values}${counted(family.labelCounts.length, 'label count')} × ${scopesText(family.scopes)}`;
  const left = family.untested ? `; ${counted(family.untested, 'comparison')} without a p-value (one paired repeat, or identical differences) left out` : '';
  return `${metric}: paired t-test over repeats (two-sided), Holm-adjusted across ${counted(family.tests, 'test')} (${grid}${left})`;
}

/**
 * "SSL at 20 labels (4-class acc. 0.853) ≈ baseline at 200 labels", in words a researcher can quote.
 * Where SSL does not beat the reference predictors (`sslLearned` false, see experimentConclusions)
 * the baseline reaching it is no saving: two ways of not learning, so none is claimed.
 */
export function labelsSavedText(entry: Pick<LabelsSaved, 'sslLabels' | 'sslAcc4' | 'baselineLabels'>, largestLabelCount: number | null, sslLearned = true): string {
  const ssl = `SSL at ${entry.sslLabels} labels (4-class acc. ${formatValue(entry.sslAcc4)})`;
  if (!sslLearned) return `${ssl}: no labels saved to claim, since SSL does not beat the reference predictors there`;
  if (entry.baselineLabels === null) {
    return `${ssl}: not reached by the baseline within the sweep${largestLabelCount ? ` (up to ${largestLabelCount} labels)` : ''}`;
  }
  if (entry.baselineLabels <= entry.sslLabels) return `${ssl}: the baseline already reaches it at ${entry.baselineLabels} labels (no labels saved)`;
  return `${ssl} ≈ baseline at ${entry.baselineLabels} labels (${(entry.baselineLabels / entry.sslLabels).toFixed(1)}× the labels)`;
}

/** How many times SSL's labels the baseline needs to reach a bound: "5.0×", "none" or "beyond the sweep". */
function savingAt(baselineLabels: number | null, sslLabels: number): string {
  if (baselineLabels === null) return 'beyond the sweep';
  return baselineLabels <= sslLabels ? 'none' : `${(baselineLabels / sslLabels).toFixed(1)}×`;
}

/**
 * The interval "labels saved" rests on: where the baseline's mean reaches the lower and the upper
 * bound of SSL's 95% CI, and the range of savings that spans.
 */
export function labelsSavedIntervalText(entry: LabelsSaved, largestLabelCount: number | null): string {
  const ci = entry.sslAcc4Ci95;
  const at = entry.baselineLabelsAtCi95;
  if (!ci || !at) return `No interval: a single repeat at ${entry.sslLabels} labels, so how uncertain this is cannot be said.`;
  const sweep = `within the sweep${largestLabelCount ? ` (up to ${largestLabelCount} labels)` : ''}`;
  const bound = (name: string, value: number) => `the ${name} bound ${formatValue(value)}`;
  const reach = (name: string, value: number, labels: number | null) =>
    labels === null ? `does not reach ${bound(name, value)} ${sweep}` : `reaches ${bound(name, value)} at ${labels} labels`;
  const where =
    at.lower === null && at.upper === null
      ? `reaches neither ${bound('lower', ci.lower)} nor ${bound('upper', ci.upper)} ${sweep}`
      : `${reach('lower', ci.lower, at.lower)} and ${reach('upper', ci.upper, at.upper)}`;
  const low = savingAt(at.lower, entry.sslLabels);
  const high = savingAt(at.upper, entry.sslLabels);
  const range = low === high ? `${low} at either bound` : `anywhere from ${low} to ${high}`;
  return `SSL's 95% CI there is ${formatInterval(ci)}: the baseline's mean ${where}, so the labels saved are ${range}.`;
}
