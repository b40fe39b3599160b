/**
 * What `npm run experiment` prints at the end: a table per tested metric (SSL and baseline as
 * mean ± sd [95% CI], SSL − baseline with its interval, raw and Holm-adjusted p), or with
 * --json the whole results with the methods stated in words. An ablation prints the same per
 * factor value (its SSL arm beside the baseline it shares), then the best value per label count;
 * both open with what the results support, in plain words (experimentConclusions).
 */
import type { ExperimentHost, ExperimentPoint, ExperimentResults, MeanSd, TestedMetric } from '@shared/api/entities';
import { experimentConclusions, sslLearnedAt } from '@shared/experiments/conclusions';
import { REFERENCE_METHOD } from '@shared/experiments/references';
import { isAblation, singleResults } from '@shared/experiments/ablationResults';
import { varyableField } from '@shared/experiments/factors';
import { CI_METHOD, labelsSavedIntervalText, labelsSavedText, pValueMethodText } from '@shared/experiments/statsText';
import { DEGENERATE_RULE } from '@shared/metrics/degenerate';
import { formatInterval, formatP, formatSigned, METRIC_LABELS } from '@shared/figures/sweepSeries';

const largestLabelCount = (results: ExperimentResults) => (results.experiment.labelCounts.length ? Math.max(...results.experiment.labelCounts) : null);

/**
 * The results as JSON: every mean with sd and 95% interval, the paired tests per scope with raw
 * and Holm-adjusted p, and the methods in words. An ablation's JSON holds, per combination of
 * factor values, an object of the same shape as a plain experiment's (`values[].results`).
 * With `hosts`, it also says where the runs trained (`hosts`, see experimentHosts).
 */
export function experimentJson(results: ExperimentResults, hosts?: readonly ExperimentHost[]): unknown {
  const body = isAblation(results) ? ablationJson(results) : singleJson(results);
  return hosts ? { ...(body as Record<string, unknown>), hosts } : body;
}

function ablationJson(results: ExperimentResults): unknown {
  const labelOf = new Map(results.variants.map((v) => [v.key, v.label]));
  return {
    experiment: results.experiment,
    split: results.split,
    factors: results.factors.map((f) => ({ ...f, label: varyableField(f.field)?.label ?? f.field })),
    methods: {
      pairing: ABLATION_PAIRING,
      pValues: Object.fromEntries(results.testFamilies.map((f) => [f.metric, pValueMethodText(f)])),
      best: 'Per label count and metric, the factor value(s) with the best mean SSL score overall (highest 4-class accuracy, lowest MAE), and the next best for the margin.',
    },
    testFamilies: results.testFamilies,
    best: results.best.map((b) => ({ ...b, labels: b.keys.map((k) => labelOf.get(k) ?? k) })),
    values: results.variants.map((v) => ({
      key: v.key,
      values: v.values,
      label: v.label,
      pretrainRunId: v.pretrainRunId,
      baselineKey: v.baselineKey,
      results: singleJson(singleResults(results, v)),
    })),
  };
}

const ABLATION_PAIRING =
  "Each factor value's SSL fine-tunes are paired, repeat by repeat, with the baseline of the same label count and repeat (the same labelled sample); a baseline is shared by every value that does not change it.";

function singleJson(results: ExperimentResults): unknown {
  const largest = largestLabelCount(results);
  const conclusions = experimentConclusions(results);
  return {
    experiment: results.experiment,
    split: results.split,
    conclusions: conclusions.sentences,
    methods: {
      split: `Every number was measured on the experiment's ${results.split} split.`,
      referencePredictors: REFERENCE_METHOD,
      degenerate: `${DEGENERATE_RULE} Each point's "flagged" lists its runs that are, with the emotions.`,
      intervals: CI_METHOD,
      pValues: Object.fromEntries(results.testFamilies.map((f) => [f.metric, pValueMethodText(f)])),
      labelsSaved:
        "Smallest label count at which the baseline's mean 4-class accuracy reaches SSL's mean at 20, 50 and 200 labels, and the same for the lower and upper bounds of SSL's 95% CI there (the baseline's means taken as they are).",
    },
    ssl: results.ssl,
    baseline: results.baseline,
    references: results.references,
    comparisons: results.comparisons,
    testFamilies: results.testFamilies,
    labelsSaved: results.labelsSaved.map((s) => {
      const sslLearned = sslLearnedAt(conclusions, s.sslLabels);
      return { ...s, sslLearned, text: labelsSavedText(s, largest, sslLearned), interval: labelsSavedIntervalText(s, largest) };
    }),
  };
}

const meanCell = (m: MeanSd | undefined) => (m ? `${m.mean.toFixed(3)} ± ${m.sd === null ? '—' : m.sd.toFixed(3)} ${formatInterval(m.ci95)}` : '—');
/** " ⚑2/3": how many of a point's runs predict some emotion degenerately. */
const flagMark = (p: ExperimentPoint | undefined) => (p?.flagged.length ? ` ⚑${p.flagged.length}/${p.runIds.length}` : '');

function metricTable(results: ExperimentResults, metric: TestedMetric): string[] {
  const head = ['labels', `SSL ${METRIC_LABELS[metric]}`, `baseline ${METRIC_LABELS[metric]}`, 'SSL − baseline', 'p', 'p (Holm)', 'label mean', 'majority'];
  const counts = [...new Set([...results.ssl, ...results.baseline].map((p) => p.labelCount))].sort((a, b) => a - b);
  const rows = counts.map((labelCount) => {
    const point = (arm: 'ssl' | 'baseline') => results[arm].find((p) => p.labelCount === labelCount);
    const at = (arm: 'ssl' | 'baseline') => `${meanCell(point(arm)?.metrics[metric]?.overall)}${flagMark(point(arm))}`;
    const reference = (predictor: 'labelMean' | 'majorityClass') => {
      const m = results.references[predictor].find((p) => p.labelCount === labelCount)?.metrics[metric]?.overall;
      return m ? `${m.mean.toFixed(3)}${m.sd === null ? '' : ` ± ${m.sd.toFixed(3)}`}` : '—';
    };
    const c = results.comparisons.find((x) => x.labelCount === labelCount && x.metric === metric && x.scope === 'overall');
    const diff = c ? `${formatSigned(c.meanDifference)} ${formatInterval(c.ci95, 3, true)}` : '—';
    return [String(labelCount), at('ssl'), at('baseline'), diff, formatP(c?.pValue), formatP(c?.pAdjusted), reference('labelMean'), reference('majorityClass')];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

/** The printed summary: overall scores per label count, then how the numbers were computed; an ablation's per value. */
export function experimentTable(results: ExperimentResults): string {
  if (!isAblation(results)) return singleTable(results);
  const labelOf = new Map(results.variants.map((v) => [v.key, v.label]));
  const blocks = results.variants.flatMap((v) => {
    const baselineShared = results.variants.filter((o) => o.baselineKey === v.baselineKey).length;
    const head = `== ${v.label}: pre-training ${v.pretrainRunId === null ? 'not started' : `#${v.pretrainRunId}`}; baseline ${baselineShared > 1 ? `shared with ${baselineShared - 1} other value${baselineShared > 2 ? 's' : ''}` : 'its own'}`;
    return [head, singleTable(singleResults(results, v)), ''];
  });
  const best = (['acc4', 'mae'] as const).flatMap((metric) =>
    results.best
      .filter((b) => b.metric === metric)
      .map((b) => `  ${METRIC_LABELS[metric]}, ${b.labelCount} labels: ${b.keys.map((k) => labelOf.get(k) ?? k).join(', ')} (${b.mean.toFixed(3)}${b.runnerUp ? `; next ${labelOf.get(b.runnerUp.key) ?? b.runnerUp.key} ${b.runnerUp.mean.toFixed(3)}` : ''})`),
  );
  return [`${ABLATION_PAIRING}`, '', ...blocks, 'Best value per label count (mean SSL score overall):', ...(best.length ? best : ['  none measured yet'])].join('\n');
}

function singleTable(results: ExperimentResults): string {
  const largest = largestLabelCount(results);
  const family = (metric: TestedMetric) => results.testFamilies.find((f) => f.metric === metric);
  const blocks = (['acc4', 'mae'] as const).flatMap((metric) => [...metricTable(results, metric), `  p: ${family(metric) ? pValueMethodText(family(metric)!) : 'no test'}`, '']);
  const conclusions = experimentConclusions(results);
  const saved = results.labelsSaved.flatMap((s) =>
    sslLearnedAt(conclusions, s.sslLabels) ? [`  ${labelsSavedText(s, largest)}`, `    ${labelsSavedIntervalText(s, largest)}`] : [`  ${labelsSavedText(s, largest, false)}`],
  );
  const flagged = [...results.ssl, ...results.baseline].some((p) => p.flagged.length > 0);
  return [
    'What the results support:',
    ...conclusions.sentences.map((s) => `  ${s}`),
    '',
    `Overall scores on the ${results.split} split, mean ± sd [95% CI] over repeats (${CI_METHOD}). Per-emotion tests: --json.`,
    `label mean, majority: ${REFERENCE_METHOD}`,
    ...(flagged ? [`⚑k/n: k of the n runs predict some emotion degenerately (--json names them). ${DEGENERATE_RULE}`] : []),
    '',
    ...blocks,
    'Labels saved:',
    ...(saved.length ? saved : ['  needs both arms at 20, 50 or 200 labels']),
  ].join('\n');
}
