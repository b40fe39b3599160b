/**
 * A run's per-segment predictions as CSV, and the same file read back (npm run metrics):
 *   segment_id,split,label_happiness,…,label_fear,pred_happiness,…,pred_fear
 * one row per segment and split evaluated, labels as the dataset holds them and predictions as
 * the run stored them (float32, written in full so they read back exactly).
 */
import { EMOTIONS } from '../emotions';
import { EVALUATION_SPLITS, type EvaluationSplit } from '../data/splits';
import { parseCsv, toCsv, type CsvCell } from '../csv';
import { exportFileName } from '../figures/sweepSeries';

/** "run-12-quick-sweep-baseline-20-labels-predictions.csv", the same whether main or the window suggests it. */
export const predictionsFileName = (runId: number, runName: string) => exportFileName(['run', runId, runName, 'predictions'], 'csv');

export const PREDICTIONS_CSV_HEADER = ['segment_id', 'split', ...EMOTIONS.map((e) => `label_${e}`), ...EMOTIONS.map((e) => `pred_${e}`)] as const;

export interface PredictionRow {
  segmentId: string;
  split: EvaluationSplit;
  labels: readonly number[];
  predictions: readonly number[];
}

export function predictionsCsv(rows: readonly PredictionRow[]): string {
  const out: CsvCell[][] = [[...PREDICTIONS_CSV_HEADER]];
  for (const r of rows) out.push([r.segmentId, r.split, ...r.labels, ...r.predictions]);
  return toCsv(out);
}

/** Labels (`y`) and predictions (`p`), [n][6] in EMOTIONS order, of one split of a predictions CSV. */
export interface SplitPredictions {
  split: string;
  y: number[][];
  p: number[][];
}

/**
 * Reads a predictions CSV (as written above, or saved again by a spreadsheet: LF line ends and
 * columns in any order are fine), grouped by split in the order they appear. Throws an Error
 * naming the line and column of the first problem; `name` names the file in messages.
 */
export function readPredictionsCsv(text: string, name: string): SplitPredictions[] {
  let rows: string[][];
  try {
    rows = parseCsv(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`${name} is not a readable CSV file: ${(err as Error).message}`);
  }
  rows = rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
  if (!rows.length) throw new Error(`${name} is empty; it needs the header ${PREDICTIONS_CSV_HEADER.join(',')} and a row per segment`);
  const header = rows[0].map((h) => h.trim());
  const column = (title: string) => {
    const at = header.indexOf(title);
    if (at < 0) throw new Error(`${name} has no column "${title}"; a predictions CSV has ${PREDICTIONS_CSV_HEADER.join(',')} (npm run predictions writes one)`);
    return at;
  };
  const labelColumns = EMOTIONS.map((e) => column(`label_${e}`));
  const predictionColumns = EMOTIONS.map((e) => column(`pred_${e}`));
  const splitColumn = header.indexOf('split');
  const bySplit = new Map<string, SplitPredictions>();
  rows.slice(1).forEach((row, k) => {
    const line = k + 2;
    const number = (at: number) => {
      const cell = (row[at] ?? '').trim();
      const value = Number(cell);
      if (cell === '' || !Number.isFinite(value)) throw new Error(`${name}, line ${line}: "${header[at]}" is ${cell === '' ? 'empty' : `"${cell}"`}, not a finite number`);
      return value;
    };
    const split = splitColumn < 0 ? 'all' : (row[splitColumn] ?? '').trim();
    if (splitColumn >= 0 && !(EVALUATION_SPLITS as readonly string[]).includes(split)) {
      throw new Error(`${name}, line ${line}: the split is "${split}", not ${EVALUATION_SPLITS.join(' or ')}`);
    }
    const entry = bySplit.get(split) ?? { split, y: [], p: [] };
    entry.y.push(labelColumns.map(number));
    entry.p.push(predictionColumns.map(number));
    bySplit.set(split, entry);
  });
  if (!bySplit.size) throw new Error(`${name} has a header but no segment`);
  return [...bySplit.values()];
}
