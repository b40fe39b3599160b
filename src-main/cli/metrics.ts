/**
 * Prints every metric of a predictions file as pretty JSON.
 *
 *   npm run metrics -- FILE.json
 *   npm run metrics -- FILE.csv [--split validation|test]
 *
 * FILE.json holds `y` (labels) and `p` (predictions), each [n][6] in EMOTIONS order, like
 * test/fixtures/reference/metrics_vectors.json. FILE.csv is a run's predictions as the run panel
 * and `npm run predictions` write them (segment_id,split,label_<emotion>…,pred_<emotion>…); a file
 * holding two splits needs --split, since metrics over both mixed would mean nothing. A problem
 * with the file is one line on stderr and exit code 1; a usage mistake prints the usage, exit code 2.
 */
import { readFileSync } from 'node:fs';
// Relative, not '@shared/...': tsx maps the alias only when started from the project root.
import { computeAllMetrics, validateLabelsAndPredictions } from '../../src-shared/metrics/index';
import { readPredictionsCsv } from '../../src-shared/export/predictionsCsv';
import { EVALUATION_SPLITS } from '../../src-shared/data/splits';

import { readCommandLine, usageFailure } from './commandLine';

const COMMAND = {
  usage: [
    'Usage: npm run metrics -- FILE.json | FILE.csv [--split validation|test]',
    '',
    'Prints every metric of the labels and predictions of a file as JSON: a JSON file with "y" (labels) and "p" (predictions), each [n][6]',
    "in the workbench's emotion order, or a run's predictions CSV (npm run predictions; the run panel's Predictions CSV).",
    '  --split NAME       with a CSV: the split to score (needed when the file holds both)',
  ].join('\n'),
  options: { split: { type: 'string' } },
  positionals: { min: 1, max: 1 },
} as const;

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no such file: ${path}` : code === 'EISDIR' ? `${path} is a folder, not a file` : `cannot read ${path}: ${messageOf(error)}`);
  }
}

function readJson(path: string, text: string): { y: unknown; p: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${messageOf(error)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${path} must hold a JSON object with "y" and "p" arrays`);
  }
  const record = parsed as Record<string, unknown>;
  for (const key of ['y', 'p']) {
    if (!(key in record)) throw new Error(`${path} has no "${key}" array`);
  }
  return { y: record.y, p: record.p };
}

/** The split of a predictions CSV to score: the one asked for, or the only one it holds. */
function readCsv(path: string, text: string, split: string | undefined): { y: unknown; p: unknown } {
  const splits = readPredictionsCsv(text, path);
  if (split !== undefined) {
    const found = splits.find((s) => s.split === split);
    if (!found) throw new Error(`${path} holds no ${split} rows (it has ${splits.map((s) => s.split).join(' and ')})`);
    return found;
  }
  if (splits.length > 1) throw new Error(`${path} holds the ${splits.map((s) => s.split).join(' and ')} splits; choose one with --split ${splits.map((s) => s.split).join('|')}`);
  return splits[0];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function main(): number {
  const { values, positionals } = readCommandLine(COMMAND);
  const [file] = positionals;
  if (values.split !== undefined && !(EVALUATION_SPLITS as readonly string[]).includes(values.split)) usageFailure(COMMAND, `--split must be ${EVALUATION_SPLITS.join(' or ')}, not "${values.split}".`);
  try {
    const text = readText(file);
    const csv = /\.csv$/i.test(file) || /^\uFEFF?segment_id,/.test(text);
    if (!csv && values.split !== undefined) usageFailure(COMMAND, '--split goes with a predictions CSV; a JSON file holds one set of labels and predictions.');
    const input = csv ? readCsv(file, text, values.split) : readJson(file, text);
    const { y, p } = validateLabelsAndPredictions(input.y, input.p);
    process.stdout.write(`${JSON.stringify(computeAllMetrics(y, p), null, 2)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`metrics: ${messageOf(error)}\n`);
    return 1;
  }
}

process.exitCode = main();
