/**
 * Table 1 of the paper from an experiment: per-emotion F1 of the SSL arm at the sweep's
 * largest label count (mean and sd over repeats), beside the F1 rows the paper quotes.
 * Pure: the preview, every export format, main and the CLI all start from `buildTable1`.
 */
import type { ExperimentPoint, ExperimentResults, MeanSd } from '../api/entities';
import { EMOTIONS } from '../emotions';
import { REFERENCE_LABELS, REFERENCE_METHOD, REFERENCE_PREDICTORS } from '../experiments/references';
import { flaggedPerEmotion } from '../experiments/conclusions';
import { tMultiplierText } from '../experiments/statsText';
import { DEGENERATE_RULE } from '../metrics/degenerate';
import { PAPER_TABLE1_F1, PAPER_TABLE1_SOURCE } from '../figures/literature';
import { exportFileName } from '../figures/sweepSeries';
import type { F1Metric, Table1, Table1Format, Table1Row } from './table1Model';

export const DEFAULT_F1: F1Metric = 'f1Weighted';

/** Short names for the switch and the table's heading. */
export const F1_LABELS: Record<F1Metric, string> = {
  f1Weighted: 'Weighted F1 (presence)',
  f1Binary: 'Binary F1 (presence)',
  f1FourClassMacro: 'Four-class macro F1',
  f1FourClassMicro: 'Four-class micro F1',
};

// The definitions of src-shared/metrics/classification.ts, in words.
const PRESENCE = 'an emotion is present when its label intensity is above 0, and predicted present from 0.5 up';
const FOUR_CLASSES = 'intensity classes 0, 1, 2 and 3 (label and prediction rounded half up, clipped to 0-3)';
export const F1_DEFINITIONS: Record<F1Metric, string> = {
  f1Weighted: `Weighted F1 per emotion: the F1 of "present" and of "absent", averaged with weights equal to their support in the labels evaluated (sklearn f1_score average='weighted'); ${PRESENCE}.`,
  f1Binary: `Binary F1 per emotion: the F1 of the "present" class (sklearn f1_score average='binary', pos_label=1, zero_division=0); ${PRESENCE}.`,
  f1FourClassMacro: `Four-class macro F1 per emotion: the unweighted mean of the F1 of the ${FOUR_CLASSES} (sklearn f1_score labels=[0,1,2,3], average='macro', zero_division=0).`,
  f1FourClassMicro: `Four-class micro F1 per emotion over the ${FOUR_CLASSES} (sklearn f1_score average='micro'); it equals four-class accuracy.`,
};

/** Decimals shown: measured values to 3, the paper's values as printed (2). */
export const RUNS_DECIMALS = 3;
export const LITERATURE_DECIMALS = 2;
export const MISSING = '—';

export const TABLE1_FILE_TYPES: Record<Table1Format, { extension: string; mimeType: string; label: string }> = {
  md: { extension: 'md', mimeType: 'text/markdown', label: 'Markdown' },
  csv: { extension: 'csv', mimeType: 'text/csv', label: 'CSV' },
  tex: { extension: 'tex', mimeType: 'application/x-tex', label: 'LaTeX' },
  html: { extension: 'html', mimeType: 'text/html', label: 'HTML report' },
};

/** "table1-experiment-3-quick-sweep.md"; a non-default F1 is named too, so switching does not overwrite. */
export function table1FileName(table: Pick<Table1, 'experimentId' | 'experimentName' | 'f1Metric'>, format: Table1Format): string {
  const f1 = table.f1Metric === DEFAULT_F1 ? [] : [table.f1Metric.replace(/^f1/, 'f1 ')];
  return exportFileName(['table1', 'experiment', table.experimentId, table.experimentName, ...f1], TABLE1_FILE_TYPES[format].extension);
}

/** Where a cell's numbers come from decides how they print. */
export interface CellParts {
  mean: string;
  /** Null: no sd to show (one repeat, or a quoted value). */
  sd: string | null;
  /** The 95% interval's bounds; null where there is no sd. */
  ci: { lower: string; upper: string } | null;
  /** Shown for a measured value without sd ("n=1"); null otherwise. */
  n: number | null;
}

/** The mark of a cell some of whose runs predict degenerately; its footnote is among the notes. */
export const DEGENERATE_MARK = '†';
export const cellFlagged = (row: Pick<Table1Row, 'degenerate'>, i: number): boolean => (row.degenerate[i] ?? 0) > 0;

export function cellParts(row: Pick<Table1Row, 'source'>, cell: MeanSd | null): CellParts | null {
  if (!cell || !Number.isFinite(cell.mean)) return null;
  if (row.source === 'literature') return { mean: cell.mean.toFixed(LITERATURE_DECIMALS), sd: null, ci: null, n: null };
  const sd = cell.sd !== null && Number.isFinite(cell.sd) ? cell.sd.toFixed(RUNS_DECIMALS) : null;
  const ci = sd !== null && cell.ci95 ? { lower: cell.ci95.lower.toFixed(RUNS_DECIMALS), upper: cell.ci95.upper.toFixed(RUNS_DECIMALS) } : null;
  return { mean: cell.mean.toFixed(RUNS_DECIMALS), sd, ci, n: sd === null ? cell.n : null };
}

/** "0.771 ± 0.012 [0.741, 0.801]" (mean ± sd [95% CI]), "0.771 (n=1)", "0.77" (quoted) or "—" (no value). */
export function cellText(row: Pick<Table1Row, 'source'>, cell: MeanSd | null): string {
  const p = cellParts(row, cell);
  if (!p) return MISSING;
  if (p.sd !== null) return `${p.mean} ± ${p.sd}${p.ci ? ` [${p.ci.lower}, ${p.ci.upper}]` : ''}`;
  return p.n !== null ? `${p.mean} (n=${p.n})` : p.mean;
}

export const emotionHeading = (emotion: string) => emotion.charAt(0).toUpperCase() + emotion.slice(1);

export function table1Title(table: Table1): string {
  return `Table 1 · Per-emotion F1 of the SSL model at ${table.labelCount} labels`;
}
export function table1Subtitle(table: Table1): string {
  return `Experiment #${table.experimentId} "${table.experimentName}" · ${F1_LABELS[table.f1Metric]} · ${table.split} split`;
}

/** The label count Table 1 reports: the largest the experiment planned (the paper's 1200). */
function largestLabelCount(results: ExperimentResults): number {
  const counts = results.experiment.labelCounts.length ? results.experiment.labelCounts : results.ssl.map((p) => p.labelCount);
  return counts.length ? Math.max(...counts) : 0;
}

const list = (items: readonly string[]) => items.join(', ');

/** How many of a point's runs predict each emotion degenerately (EMOTIONS order); null when none of its runs could be checked. */
function degenerateCounts(point: ExperimentPoint | null): Array<number | null> {
  return point && point.checked > 0 ? flaggedPerEmotion(point).map((e) => e.runs) : EMOTIONS.map(() => null);
}

/** Notes under the table: what was measured, how it prints, and what the comparison can and cannot say. */
function notes(results: ExperimentResults, f1: F1Metric, labelCount: number, cells: ReadonlyArray<MeanSd | null>, dataset: Table1Context['dataset']): string[] {
  const { experiment } = results;
  const point = results.ssl.find((p) => p.labelCount === labelCount);
  const runs = point ? ` (${point.runIds.length} repeat${point.runIds.length === 1 ? '' : 's'}: runs ${list(point.runIds.map((id) => `#${id}`))})` : '';
  const out = [
    `The paper does not say which F1 definition its Table 1 uses. The workbench computes four (${list(Object.values(F1_LABELS))}); this table shows ${F1_LABELS[f1]}.`,
    `SSL row: mean ± sample standard deviation [95% confidence interval] over the repeats of this experiment's SSL fine-tunes at ${labelCount} labels${runs}, on its ${results.split} split, to ${RUNS_DECIMALS} decimals. ` +
      `The interval is t-based: mean ± t(0.975, n − 1) · sd / √n${point && point.runIds.length >= 2 ? `, here ${tMultiplierText(point.runIds.length)} for n = ${point.runIds.length}` : ''}. ` +
      `A value from a single repeat prints as "mean (n=1)", without sd or interval; ${MISSING} marks a missing value.`,
  ];
  if (!point) out.push(`No SSL fine-tune at ${labelCount} labels has finished${experiment.status === 'running' ? ' yet' : ''}, so the SSL row is empty.`);
  else {
    if (point.runIds.length < experiment.repeats) out.push(`Only ${point.runIds.length} of the ${experiment.repeats} planned repeats at ${labelCount} labels have finished (experiment ${experiment.status}).`);
    const missing = EMOTIONS.filter((_, i) => cells[i] === null);
    if (missing.length) out.push(`${F1_LABELS[f1]} was not recorded for ${list(missing)} at ${labelCount} labels, so those cells are empty.`);
  }
  const flagged = point ? flaggedPerEmotion(point).filter((e) => e.runs > 0) : [];
  if (flagged.length && point) {
    out.push(`${DEGENERATE_MARK} Degenerate predictions: ${list(flagged.map((e) => `${e.emotion} in ${e.runs} of ${point.runIds.length} runs`))}. ${DEGENERATE_RULE} Compare such a cell with the reference rows, not with the paper's.`);
  }
  out.push(`Reference rows (${list(REFERENCE_PREDICTORS.map((p) => `"${REFERENCE_LABELS[p]}"`))}) at ${labelCount} labels, on the same ${results.split} segments: ${REFERENCE_METHOD}`);
  if (labelCount !== 1200) out.push(`The paper's SSL row used 1200 labels; this experiment's largest label count is ${labelCount}.`);
  out.push(
    `The other rows are quoted from ${PAPER_TABLE1_SOURCE} as printed (${LITERATURE_DECIMALS} decimals), not computed here. ` +
      'BLSTM and the best prior results were trained on the CMU-MOSEI natural split with far more labels than 1200, so the comparison is not like for like.',
  );
  if (dataset?.synthetic) out.push(`The dataset "${dataset.name}" is synthetic, not CMU-MOSEI: its F1 values say nothing about the paper's claims.`);
  return out;
}

export interface Table1Context {
  /** The experiment's dataset, for the note on synthetic data. */
  dataset?: { name: string; synthetic: boolean } | null;
}

export function buildTable1(results: ExperimentResults, f1: F1Metric, context: Table1Context = {}): Table1 {
  const { experiment } = results;
  const labelCount = largestLabelCount(results);
  const point = results.ssl.find((p) => p.labelCount === labelCount) ?? null;
  const cells = EMOTIONS.map((emotion) => point?.metrics[f1]?.[emotion] ?? null);
  const none = EMOTIONS.map(() => null);
  const references = REFERENCE_PREDICTORS.map((predictor): Table1Row => {
    const at = results.references[predictor].find((p) => p.labelCount === labelCount);
    return { label: `${REFERENCE_LABELS[predictor]}, ${labelCount} labels`, source: 'reference', labelCount, cells: EMOTIONS.map((emotion) => at?.metrics[f1]?.[emotion] ?? null), degenerate: none };
  });
  const rows: Table1Row[] = [
    { label: `SSL (this experiment, ${labelCount} labels)`, source: 'runs', labelCount, cells, degenerate: degenerateCounts(point) },
    ...references,
    ...PAPER_TABLE1_F1.map((r) => ({ label: r.label, source: 'literature' as const, labelCount: r.labelCount, cells: r.values.map((mean) => ({ mean, sd: null, n: 1, ci95: null })), degenerate: none })),
  ];
  return {
    experimentId: experiment.id,
    experimentName: experiment.name,
    labelCount,
    split: results.split,
    f1Metric: f1,
    f1Definition: F1_DEFINITIONS[f1],
    emotions: [...EMOTIONS],
    rows,
    runIds: point ? [...point.runIds] : [],
    notes: notes(results, f1, labelCount, cells, context.dataset),
  };
}
