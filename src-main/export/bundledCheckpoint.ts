import { z } from 'zod';
import { WorkbenchError } from '@shared/api/contract';
import { EpochRecord } from '@shared/api/entities';
import { FEATURE_COUNT } from '@shared/emotions';
import { checkpointWeightShapes, type WeightShape } from '@shared/model/weightShapes';
import type { BundledRun } from './runBundleFormat';

/**
 * The checkpoint files of a bundled run, checked against the run's own configuration before
 * anything is written: a bundle's checksum only says the file is as it was sealed, and a
 * run whose weights do not fit its model would import as "done" and fail (or mislead)
 * every fine-tune and evaluation after. Checked, for weights and optimizer state:
 * - exactly the tensors the run's kind and model config imply (GRU layers, hidden units,
 *   Dense(74), Dense(6) on the configured head input), each with its shape, none extra;
 * - the binary file's length is exactly what the manifest's tensors need;
 * - every value finite;
 * and `state.json`: the epoch reached, the standardisation statistics (74 finite means and
 * deviations) a pre-training or baseline is resumed and fine-tuned with, any epoch records.
 * A done run must carry its weights; a run that did not finish may carry none.
 */

const Manifest = z.object({
  format: z.literal('tfjs-weights'),
  weightsManifest: z
    .array(z.object({ paths: z.array(z.string()), weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), dtype: z.string() })) }))
    .length(1),
});
type ManifestEntry = z.infer<typeof Manifest>['weightsManifest'][0]['weights'][number];

const Statistics = z.object({ mean: z.array(z.number()).length(FEATURE_COUNT), std: z.array(z.number()).length(FEATURE_COUNT) });
const State = z.object({ epoch: z.number().int().min(1), stats: Statistics.optional(), epochs: z.array(EpochRecord).optional() });

/** best.*: the weights model selection keeps, which an unfinished run needs to resume its selection. */
const CHECKPOINT_FILES = ['weights.json', 'weights.bin', 'optimizer.json', 'optimizer.bin', 'best.json', 'best.bin', 'state.json'];
const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4 };
const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** What is wrong with a run, phrased to follow its name ("lacks …", "has …"). */
class CheckpointProblem extends Error {}
function problem(message: string): never {
  throw new CheckpointProblem(message);
}
/** What is wrong inside one of its checkpoint files. */
function fileProblem(message: string): never {
  problem(`has a checkpoint that does not fit it: ${message}`);
}

function describeModel(run: BundledRun): string {
  const { gruLayers, hiddenUnits, headInput } = run.config.model;
  const encoder = `${gruLayers} GRU layer${gruLayers === 1 ? '' : 's'} of ${hiddenUnits} units, then Dense(74)`;
  const head = `Dense(6) on the ${headInput === 'reconstruction' ? 'Dense(74) outputs' : 'GRU states'}`;
  return run.kind === 'pretrain' ? encoder : run.kind === 'finetune' ? head : `${encoder}, then ${head}`;
}

function parseJsonFile<T>(files: Record<string, Buffer>, name: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(files[name].toString('utf8'));
  } catch {
    return fileProblem(`${name} is not valid JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return fileProblem(`${name} is not what a checkpoint holds there (${parsed.error.issues.map((i) => `${i.path.join('.') || 'top level'}: ${i.message}`).slice(0, 3).join('; ')})`);
  return parsed.data;
}

/** One tensor file pair (`<base>.json` manifest + `<base>.bin`): names and shapes as expected, bytes consistent, values finite. */
function checkTensors(files: Record<string, Buffer>, base: 'weights' | 'optimizer' | 'best', expected: Array<WeightShape & { dtype: string; matches: (name: string) => boolean }>, model: string): void {
  const json = `${base}.json`;
  const bin = `${base}.bin`;
  if (!files[bin]) problem(`has ${json} but not ${bin}`);
  const [group] = parseJsonFile(files, json, Manifest).weightsManifest;
  if (group.paths.length !== 1 || group.paths[0] !== bin) fileProblem(`${json} names the data files ${JSON.stringify(group.paths)}, not "${bin}"`);
  const tensors = group.weights;
  for (const want of expected) {
    if (!tensors.some((t) => want.matches(t.name))) fileProblem(`${json} lacks the tensor "${want.name}" ${shapeText(want.shape)} that its model (${model}) has`);
  }
  const order = base === 'optimizer'; // the optimizer's moments are restored by position
  tensors.forEach((t, i) => {
    const want = order ? expected[i] : expected.find((w) => w.matches(t.name));
    if (!want || !want.matches(t.name)) fileProblem(`${json} holds a tensor "${t.name}" that its model (${model}) does not have${order ? ' at that position' : ''}`);
    if (shapeText(t.shape) !== shapeText(want.shape)) fileProblem(`${json}: the tensor "${t.name}" is ${shapeText(t.shape)}, but its model (${model}) needs ${shapeText(want.shape)}`);
    if (t.dtype !== want.dtype) fileProblem(`${json}: the tensor "${t.name}" is ${t.dtype}, not ${want.dtype}`);
  });
  if (tensors.length !== expected.length) fileProblem(`${json} holds ${tensors.length} tensors, some twice; its model (${model}) has ${expected.length}`);
  const sizes = tensors.map((t) => t.shape.reduce((n, d) => n * d, 1) * BYTES_PER_VALUE[t.dtype]);
  const needed = sizes.reduce((s, n) => s + n, 0);
  if (files[bin].length !== needed) fileProblem(`${bin} is ${files[bin].length} bytes, but the tensors ${json} lists need ${needed}`);
  let offset = 0;
  tensors.forEach((t: ManifestEntry, i) => {
    if (t.dtype === 'float32') {
      for (let at = offset, k = 0; at < offset + sizes[i]; at += 4, k++) {
        const value = files[bin].readFloatLE(at);
        if (!Number.isFinite(value)) fileProblem(`${bin}: the tensor "${t.name}" holds ${value} (value ${k + 1} of ${sizes[i] / 4}); a checkpoint's values are finite`);
      }
    }
    offset += sizes[i];
  });
}

function checkState(run: BundledRun, files: Record<string, Buffer>): void {
  const state = parseJsonFile(files, 'state.json', State);
  if (state.epoch > run.config.epochs) fileProblem(`state.json says epoch ${state.epoch}, but the run has ${run.config.epochs} epochs`);
  // A done run trained every epoch, unless early stopping ended it sooner.
  if (run.status === 'done' && state.epoch !== run.config.epochs && !run.config.earlyStopping) {
    fileProblem(`state.json says epoch ${state.epoch}, but the run is done, so its checkpoint is of epoch ${run.config.epochs}`);
  }
  if (run.kind !== 'finetune') {
    if (!state.stats) fileProblem('state.json lacks the standardisation statistics (stats.mean, stats.std) the run was trained with');
    else if (![...state.stats.mean, ...state.stats.std].every(Number.isFinite)) fileProblem('state.json: the standardisation statistics hold a value that is not finite');
  }
}

function checkRun(run: BundledRun, parent: BundledRun | null): void {
  const model = describeModel(run);
  if (parent && (parent.config.model.gruLayers !== run.config.model.gruLayers || parent.config.model.hiddenUnits !== run.config.model.hiddenUnits)) {
    problem(`is configured for ${run.config.model.gruLayers} GRU layers of ${run.config.model.hiddenUnits} units, but the encoder of its pre-training run #${parent.sourceRunId} has ${parent.config.model.gruLayers} of ${parent.config.model.hiddenUnits}`);
  }
  const files = Object.fromEntries(Object.entries(run.files).map(([name, base64]) => [name, Buffer.from(base64, 'base64')]));
  const names = Object.keys(files);
  const stranger = names.find((n) => !CHECKPOINT_FILES.includes(n));
  if (stranger) problem(`has a file "${stranger}" that a checkpoint does not hold (only ${CHECKPOINT_FILES.join(', ')})`);
  if (!names.length && run.status !== 'done') return; // stopped before its first checkpoint
  const missing = ['weights.json', 'weights.bin', 'state.json'].filter((n) => !files[n]);
  if (missing.length) problem(`lacks ${missing.join(', ')}${run.status === 'done' ? ': a done run carries its saved weights' : ''}`);
  const weights = checkpointWeightShapes(run.kind, run.config.model);
  checkTensors(files, 'weights', weights.map((w) => ({ ...w, dtype: 'float32', matches: (name: string) => name === w.name })), model);
  if (files['best.json'] || files['best.bin']) {
    if (!files['best.json']) problem('has best.bin but not best.json');
    checkTensors(files, 'best', weights.map((w) => ({ ...w, dtype: 'float32', matches: (name: string) => name === w.name })), model);
  }
  if (files['optimizer.json'] || files['optimizer.bin']) {
    if (run.kind === 'finetune') problem('has an optimizer state, which a fine-tune never saves');
    // Adam's state: its step count, then each weight's first moments, then its second moments.
    const moment = (suffix: 'm' | 'v') => weights.map((w) => ({ ...w, name: `${w.name}/${suffix}`, dtype: 'float32', matches: (name: string) => name.endsWith(`/${w.name}/${suffix}`) }));
    const iter = { name: 'iter', shape: [], dtype: 'int32', matches: (name: string) => name === 'iter' };
    checkTensors(files, 'optimizer', [iter, ...moment('m'), ...moment('v')], model);
  }
  checkState(run, files);
}

/** Refuses a bundle any of whose runs carries a checkpoint that does not fit it, naming the run, the file, the tensor and what is wrong. */
export function checkBundledCheckpoints(runs: readonly BundledRun[], label: string): void {
  for (const run of runs) {
    const parent = run.parentSourceRunId === null ? null : (runs.find((r) => r.sourceRunId === run.parentSourceRunId) ?? null);
    try {
      checkRun(run, parent);
    } catch (err) {
      if (!(err instanceof CheckpointProblem)) throw err;
      throw new WorkbenchError(
        'invalid_params',
        `${label} cannot be imported: its run #${run.sourceRunId} "${run.name}" (${run.kind}, ${run.status}) ${err.message}. Export the run again from the workbench it came from.`,
      );
    }
  }
}
