/**
 * The generators from the command line:
 *   npm run synthetic -- [--full | --segments N] [--data-dir DIR]   add the first built-in generator's data as a dataset
 *   npm run synthetic -- --control positive|negative [--signal S] [--temporal-share T] [--noise N] [--segments N] [--seed N]
 *                                                                   add a control with other parameters
 *   ... --csd FOLDER                                                write either as a COVAREP + labels .csd pair instead
 */
import { defaultUserDataDir, resolveDataDir, userPath } from '../config/dataDir';
import { DATA_DIR_OPTION, DATA_DIR_USAGE, decimalNumber, readCommandLine, runCommand, UsageError, wholeNumber } from './commandLine';
import { DatasetService, FULL_DATASET_ID, FULL_DATASET_NAME } from '../data/datasetService';
import { FULL_BUILTIN, SMALL_BUILTIN, type SyntheticParams } from '../data/synthetic';
import { exportSyntheticCsd } from '../data/syntheticCsd';
import type { GeneratorParams } from '../data/generators';
import { openDataDir } from '../app/openDataDir';
import { DatasetRepository } from '../store/datasets';
import { SplitRepository } from '../store/splits';
import { CONTROL_NAMES, ControlParams, controlRole, NEGATIVE_CONTROL, POSITIVE_CONTROL } from '@shared/data/controls';

const COMMAND = {
  usage: [
    'Usage: npm run synthetic -- [--full | --segments N] [--csd FOLDER] [--data-dir DIR]',
    '       npm run synthetic -- --control positive|negative [--signal S] [--temporal-share T] [--noise N] [--segments N] [--seed N] [--csd FOLDER] [--data-dir DIR]',
    '',
    'Adds a generated, CMU-MOSEI-shaped dataset to the data directory, or writes it as a .csd pair.',
    '  --full             CMU-MOSEI\'s size: 23,259 segments (about 2.6 GB)',
    '  --segments N       this many segments',
    '  --control ROLE     a control, starting from the built-in positive or negative one, with:',
    '    --signal S           share (0-1) of each emotion score\'s variance the features carry (0: none, the negative control)',
    '    --temporal-share T   share (0-1) of the features\' imprint that one frame\'s noise hides',
    '    --noise N            per-frame noise where it hides, in units of the imprint',
    '    --seed N             the generator\'s seed',
    '  --csd FOLDER       write SYNTHETIC_COVAREP.csd and SYNTHETIC_Labels.csd into FOLDER instead',
    DATA_DIR_USAGE,
  ].join('\n'),
  options: {
    ...DATA_DIR_OPTION,
    full: { type: 'boolean' },
    segments: { type: 'string' },
    csd: { type: 'string' },
    control: { type: 'string' },
    signal: { type: 'string' },
    'temporal-share': { type: 'string' },
    noise: { type: 'string' },
    seed: { type: 'string' },
  },
} as const;

type Values = ReturnType<typeof readCommandLine<typeof COMMAND.options>>['values'];

/** A control's parameters from the flags: the built-in control of that role, with what the flags change. */
function controlFrom(values: Values): ControlParams {
  const role = values.control;
  if (role !== 'positive' && role !== 'negative') throw new UsageError(`--control must be positive or negative, not "${role}".`);
  if (values.full) throw new UsageError('--full makes the first built-in generator\'s data; a control\'s size is --segments.');
  const base = role === 'positive' ? POSITIVE_CONTROL : NEGATIVE_CONTROL;
  const params: ControlParams = {
    ...base,
    segments: wholeNumber(values.segments, '--segments', { min: 1 }) ?? base.segments,
    seed: wholeNumber(values.seed, '--seed', { min: 0, max: 2 ** 31 - 1 }) ?? base.seed,
    signal: decimalNumber(values.signal, '--signal', { min: 0, max: 1, inclusiveMax: true }) ?? base.signal,
    temporalShare: decimalNumber(values['temporal-share'], '--temporal-share', { min: 0, max: 1, inclusiveMax: true }) ?? base.temporalShare,
    noise: decimalNumber(values.noise, '--noise', { min: 0 }) ?? base.noise,
  };
  if (role === 'negative' && params.signal > 0) throw new UsageError('A negative control has no signal: leave out --signal, or make a positive control.');
  if (role === 'positive' && params.signal === 0) throw new UsageError('A positive control needs a signal above 0: --signal 0 is the negative control.');
  return ControlParams.parse(params);
}

/** Where a dataset of these parameters goes, and what it is called. */
function datasetOf(params: GeneratorParams): { id: string; name: string } {
  if ('generator' in params) {
    const { signal, temporalShare, noise, segments, seed } = params;
    return {
      id: `control-${controlRole(params)}-s${signal}-t${temporalShare}-n${noise}-${segments}-${seed}`,
      name: `${CONTROL_NAMES[controlRole(params)]}: signal ${signal}, temporal share ${temporalShare}, noise ${noise}, ${segments} segments, seed ${seed}`,
    };
  }
  return params.segments === FULL_BUILTIN.segments
    ? { id: FULL_DATASET_ID, name: FULL_DATASET_NAME }
    : { id: `synthetic-${params.segments}`, name: `Synthetic (${params.segments} segments) — not real CMU-MOSEI` };
}

async function main(): Promise<number> {
  const { values } = readCommandLine(COMMAND);
  let params: GeneratorParams;
  if (values.control !== undefined) params = controlFrom(values);
  else {
    for (const flag of ['signal', 'temporal-share', 'noise', 'seed'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} sets a control's parameter: add --control positive or --control negative.`);
    const base: SyntheticParams = values.full ? FULL_BUILTIN : SMALL_BUILTIN;
    params = { ...base, segments: wholeNumber(values.segments, '--segments', { min: 1 }) ?? base.segments };
  }
  const started = Date.now();
  const csd = values.csd;
  if (csd) {
    const { covarepPath, labelsPath } = await exportSyntheticCsd(params, userPath(csd));
    console.log(`Wrote ${params.segments} synthetic segments:\n  ${covarepPath}\n  ${labelsPath}`);
  } else {
    const dataDir = resolveDataDir(values['data-dir'], process.env, defaultUserDataDir());
    const { db } = openDataDir(dataDir);
    const service = new DatasetService(dataDir, new DatasetRepository(db), new SplitRepository(db));
    const { id, name } = datasetOf(params);
    const dataset = await service.ensureSynthetic(id, name, params);
    db.close();
    console.log(`Dataset "${dataset.name}" (${dataset.id}: ${dataset.segments} segments, ${dataset.frames.toLocaleString('en-US')} frames) is in ${dataDir}`);
  }
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return 0;
}

runCommand(COMMAND, main);
