/**
 * A run's per-segment predictions as CSV, as the run panel exports them:
 *   npm run predictions -- --run ID --out FILE [--data-dir DIR]
 * One row per segment and split the run was evaluated on: segment_id,split,label_<emotion>…,pred_<emotion>….
 * --out may name an existing folder: the file then gets its default name there. `npm run metrics`
 * reads the file back. Exit code 0 when written, 2 for a usage mistake, 1 when the export failed.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultUserDataDir, resolveDataDir, userPath } from '../config/dataDir';
import { PredictionsService } from '../export/predictionsService';
import { predictionsFileName } from '@shared/export/predictionsCsv';
import { requireStore } from './args';
import { DATA_DIR_OPTION, DATA_DIR_USAGE, readCommandLine, runCommand, UsageError, usageFailure, wholeNumber } from './commandLine';
import { withHeadless } from './headless';

const COMMAND = {
  usage: [
    'Usage: npm run predictions -- --run ID --out FILE [--data-dir DIR]',
    '',
    "A fine-tune's or baseline's per-segment predictions as CSV (segment_id, split, label_<emotion>…, pred_<emotion>…), as the run panel exports them.",
    '  --run ID           the run (its number in the Run history)',
    '  --out FILE         where to write it; an existing folder gets the default file name',
    DATA_DIR_USAGE,
  ].join('\n'),
  options: { ...DATA_DIR_OPTION, run: { type: 'string' }, out: { type: 'string' } },
} as const;

async function main(): Promise<number> {
  const { values } = readCommandLine(COMMAND);
  if (values.run === undefined) throw new UsageError('Missing --run ID (the number in the Run history).');
  const runId = wholeNumber(values.run, '--run', { min: 1 })!;
  if (values.out === undefined) throw new UsageError('Missing --out FILE (where to write the CSV; an existing folder gets the default file name).');
  const out = userPath(values.out);
  const dataDir = resolveDataDir(values['data-dir'], process.env, defaultUserDataDir());
  try {
    requireStore(dataDir);
  } catch (err) {
    usageFailure(COMMAND, (err as Error).message);
  }
  return withHeadless(dataDir, (headless) => {
    const service = new PredictionsService(headless);
    const path = existsSync(out) && statSync(out).isDirectory() ? join(out, predictionsFileName(runId, headless.runs.summary(runId).name)) : out;
    const saved = service.exportPredictions(runId, path);
    console.log(`Saved the predictions of run #${runId} to ${saved.path}`);
    return 0;
  });
}

runCommand(COMMAND, main);
