/**
 * The built-in generator from the command line:
 *   npm run synthetic -- [--full | --segments N] [--data-dir DIR]   add it as a dataset of the data directory
 *   npm run synthetic -- [--full | --segments N] --csd FOLDER        write it as a COVAREP + labels .csd pair
 */
import { argValue, defaultUserDataDir, resolveDataDir, userPath } from '../config/dataDir';
import { DatasetService, FULL_DATASET_ID, FULL_DATASET_NAME } from '../data/datasetService';
import { FULL_BUILTIN, SMALL_BUILTIN, type SyntheticParams } from '../data/synthetic';
import { exportSyntheticCsd } from '../data/syntheticCsd';
import { openDataDir } from '../app/openDataDir';
import { DatasetRepository } from '../store/datasets';
import { SplitRepository } from '../store/splits';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const segmentsArg = argValue(argv, '--segments');
  const base: SyntheticParams = argv.includes('--full') ? FULL_BUILTIN : SMALL_BUILTIN;
  const segments = segmentsArg === undefined ? base.segments : Number(segmentsArg);
  if (!Number.isInteger(segments) || segments < 1) {
    console.error(`--segments must be a positive whole number, not "${segmentsArg}".`);
    return 2;
  }
  const params = { ...base, segments };
  const started = Date.now();
  const csd = argValue(argv, '--csd');
  if (csd) {
    const { covarepPath, labelsPath } = await exportSyntheticCsd(params, userPath(csd));
    console.log(`Wrote ${segments} synthetic segments:\n  ${covarepPath}\n  ${labelsPath}`);
  } else {
    const dataDir = resolveDataDir(argv, process.env, defaultUserDataDir());
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

main().then((code) => process.exit(code));
