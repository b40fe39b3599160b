/**
 * The built-in generator from the command line:
 *   npm run synthetic -- [--full | --segments N] [--data-dir DIR]   add it as a dataset of the data directory
 *   npm run synthetic -- [--full | --segments N] --csd FOLDER        write it as a COVAREP + labels .csd pair
 */
import { defaultUserDataDir, resolveDataDir, userPath } from '../config/dataDir';
import { DATA_DIR_OPTION, DATA_DIR_USAGE, readCommandLine, runCommand, wholeNumber } from './commandLine';
import { DatasetService, FULL_DATASET_ID, FULL_DATASET_NAME } from '../data/datasetService';
import { FULL_BUILTIN, SMALL_BUILTIN, type SyntheticParams } from '../data/synthetic';
import { exportSyntheticCsd } from '../data/syntheticCsd';
import { openDataDir } from '../app/openDataDir';
import { DatasetRepository } from '../store/datasets';
import { SplitRepository } from '../store/splits';

const COMMAND = {
  usage: [
    'Usage: npm run synthetic -- [--full | --segments N] [--csd FOLDER] [--data-dir DIR]',
    '',
    'Adds a generated, CMU-MOSEI-shaped dataset to the data directory, or writes it as a .csd pair.',
    '  --full             CMU-MOSEI\'s size: 23,259 segments (about 2.6 GB)',
    '  --segments N       this many segments',
    '  --csd FOLDER       write SYNTHETIC_COVAREP.csd and SYNTHETIC_Labels.csd into FOLDER instead',
    DATA_DIR_USAGE,
  ].join('\n'),
  options: { ...DATA_DIR_OPTION, full: { type: 'boolean' }, segments: { type: 'string' }, csd: { type: 'string' } },
} as const;

async function main(): Promise<number> {
  const { values } = readCommandLine(COMMAND);
  const base: SyntheticParams = values.full ? FULL_BUILTIN : SMALL_BUILTIN;
  const segments = wholeNumber(values.segments, '--segments', { min: 1 }) ?? base.segments;
  const params = { ...base, segments };
  const started = Date.now();
  const csd = values.csd;
  if (csd) {
    const { covarepPath, labelsPath } = await exportSyntheticCsd(params, userPath(csd));
    console.log(`Wrote ${segments} synthetic segments:\n  ${covarepPath}\n  ${labelsPath}`);
  } else {
    const dataDir = resolveDataDir(values['data-dir'], process.env, defaultUserDataDir());
    const { db } = openDataDir(dataDir);
    const service = new DatasetService(dataDir, new DatasetRepository(db), new SplitRepository(db));
    const id = segments === FULL_BUILTIN.segments ? FULL_DATASET_ID : `synthetic-${segments}`;
    const name = segments === FULL_BUILTIN.segments ? FULL_DATASET_NAME : `Synthetic (${segments} segments) — not real CMU-MOSEI`;
    const dataset = await service.ensureSynthetic(id, name, params);
    db.close();
    console.log(`Dataset "${dataset.name}" (${dataset.segments} segments, ${dataset.frames.toLocaleString('en-US')} frames) is in ${dataDir}`);
  }
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return 0;
}

runCommand(COMMAND, main);
