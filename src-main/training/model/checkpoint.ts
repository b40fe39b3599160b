import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '@shared/api/entities';
import { processCpuMilliseconds } from '../../platform/cpuClock';

/**
 * A run's checkpoint in tfjs's weights format (a manifest of named tensors and one binary
 * file), plus the optimizer's state and a small JSON of what the run had done. Written to
 * a temporary folder and renamed over the previous one, so a kill at any moment leaves
 * either the old checkpoint or the new one, never half of one. A run keeps one checkpoint:
 * its last, resumable (with the optimizer's state) until the run ends, then its final
 * weights alone (see RunCheckpoints).
 */
type NamedTensor = { name: string; tensor: tf.Tensor };

export interface CheckpointState {
  /** The last epoch whose weights these are. */
  epoch: number;
  /** The records of epochs 1..epoch (absent in checkpoints written before they were kept). */
  epochs?: EpochRecord[];
  [key: string]: unknown;
}

async function writeTensors(dir: string, name: string, tensors: tf.NamedTensorMap | NamedTensor[]): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const buffers = Array.isArray(data) ? data : [data];
  writeFileSync(join(dir, `${name}.bin`), Buffer.concat(buffers.map((b) => Buffer.from(b))));
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ format: 'tfjs-weights', weightsManifest: [{ paths: [`${name}.bin`], weights: specs }] }));
}

function readTensors(dir: string, name: string): tf.NamedTensorMap {
  const manifest = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
  const bin = readFileSync(join(dir, `${name}.bin`));
  return tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), manifest.weightsManifest[0].weights);
}

/** Tensors getWeights() made for this call (Adam's step count), not the optimizer's own variables: the caller disposes them. */
const madeForTheCall = (saved: NamedTensor[]) => saved.map((t) => t.tensor).filter((t) => !(t instanceof tf.Variable));

/** The optimizer's state as tensors the caller owns: its variables (Adam's moments) copied, the rest as they are. */
async function optimizerState(optimizer: tf.Optimizer): Promise<NamedTensor[]> {
  return (await optimizer.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor instanceof tf.Variable ? tf.clone(tensor) : tensor }));
}

/**
 * Writes a checkpoint: weights; the optimizer's state (an optimizer, or its saved tensors) when
 * given; and `best`, the weights of the epoch model selection keeps so far (see
 * jobs/selection.ts), as `best.json` / `best.bin` beside them so a resumed run still knows them.
 */
export async function saveCheckpoint(
  dir: string,
  weights: tf.NamedTensorMap,
  optimizer: tf.Optimizer | NamedTensor[] | null,
  state: CheckpointState,
  best: tf.NamedTensorMap | null = null,
): Promise<void> {
  const tmp = `${dir}.writing`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await writeTensors(tmp, 'weights', weights);
  if (Array.isArray(optimizer)) await writeTensors(tmp, 'optimizer', optimizer);
  else if (optimizer) {
    const saved = await optimizer.getWeights();
    try {
      await writeTensors(tmp, 'optimizer', saved);
    } finally {
      tf.dispose(madeForTheCall(saved));
    }
  }
  if (best) await writeTensors(tmp, 'best', best);
  writeFileSync(join(tmp, 'state.json'), JSON.stringify(state));
  const old = `${dir}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

export interface LoadedCheckpoint {
  weights: tf.NamedTensorMap;
  optimizer: NamedTensor[] | null;
  /** The selected epoch's weights, when the run selects by validation loss (null otherwise). */
  best: tf.NamedTensorMap | null;
  state: CheckpointState;
}

/** The checkpoint in `dir`, or null if there is none; a crash mid-save leaves `.old`, which is used then. */
export function loadCheckpoint(dir: string): LoadedCheckpoint | null {
  const from = existsSync(join(dir, 'state.json')) ? dir : existsSync(join(`${dir}.old`, 'state.json')) ? `${dir}.old` : null;
  if (!from) return null;
  const optimizer = existsSync(join(from, 'optimizer.json')) ? Object.entries(readTensors(from, 'optimizer')).map(([name, tensor]) => ({ name, tensor })) : null;
  const best = existsSync(join(from, 'best.json')) ? readTensors(from, 'best') : null;
  return { weights: readTensors(from, 'weights'), optimizer, best, state: JSON.parse(readFileSync(join(from, 'state.json'), 'utf8')) as CheckpointState };
}

/** Copies saved values into the model's variables; every variable must be present with its shape. */
export function assignWeights(variables: Record<string, tf.Variable>, weights: tf.NamedTensorMap): void {
  for (const [name, v] of Object.entries(variables)) {
    const w = weights[name];
    if (!w) throw new Error(`The checkpoint has no weights for ${name}.`);
    if (w.shape.join() !== v.shape.join()) throw new Error(`The checkpoint's ${name} is [${w.shape}], the model's is [${v.shape}].`);
    v.assign(w);
  }
}

/**
 * How often an unfinished run writes a resumable checkpoint, in seconds of the CPU time its
 * training process has used (processCpuMilliseconds), not of the wall clock: a crash or a kill
 * loses at most 10 minutes of the process's work, and the checkpoints a run writes (so the bytes
 * a sweep writes) follow its work, whatever else loads the machine, while the disk is spared a
 * write after every epoch of seconds. CPU time counts every thread: with 2 XNNPACK threads it runs
 * up to twice as fast as the wall clock, so such a run checkpoints up to twice as often by wall time.
 */
export const CHECKPOINT_EVERY_CPU_SECONDS = 600;

/**
 * And at least once an hour by the wall clock: a process that hardly computes itself (a GPU
 * backend does the work) would otherwise go hours without one. On a CPU backend this rarely adds
 * a write: 10 minutes of CPU time take an hour only at a load of six runs per core.
 */
export const CHECKPOINT_AT_LEAST_EVERY_WALL_SECONDS = 3600;

/**
 * What is written after an epoch: the run's final weights after the last one (the last planned,
 * or the one early stopping ends the run with; no optimizer state: nothing resumes a finished
 * run), a resumable checkpoint once `everySeconds` have passed since the last one was written
 * (on the caller's clock: RunCheckpoints counts CPU seconds), else nothing.
 */
export function checkpointAfterEpoch(epoch: number, lastEpoch: number, secondsSinceWritten: number, everySeconds: number, stopsHere = false): 'final' | 'resumable' | null {
  if (epoch >= lastEpoch || stopsHere) return 'final';
  return secondsSinceWritten >= everySeconds ? 'resumable' : null;
}

/** The bytes of one checkpoint of a model with `parameters` float32 values: weights, and with Adam's state its two moments and step count. */
export function checkpointBytes(parameters: number, withOptimizer: boolean): number {
  return 4 * parameters * (withOptimizer ? 3 : 1) + (withOptimizer ? 4 : 0);
}

/** Model selection as checkpoints need it (jobs/selection.ts's BestWeights). */
export interface EpochSelection {
  /** After an epoch is validated: keeps a copy of the weights if it is now the best. */
  observe(records: readonly EpochRecord[], variables: Record<string, tf.Variable>): void;
  /** The epoch whose weights are kept (null: none yet, or not selecting). */
  readonly epoch: number | null;
  /** The kept weights (null when nothing is kept). */
  weights(): tf.NamedTensorMap | null;
  /** Puts the selected epoch's weights into the variables; returns that epoch. */
  restore(records: readonly EpochRecord[], variables: Record<string, tf.Variable>): number | null;
}

export interface RunCheckpointOptions {
  dir: string;
  variables: Record<string, tf.Variable>;
  optimizer: tf.Optimizer | null;
  /** The run's planned epochs. */
  lastEpoch: number;
  /** Seconds on `now` between resumable checkpoints (CPU seconds on the default clock). */
  everySeconds: number;
  /** What else state.json holds (the standardisation statistics, a parent run...). */
  extraState: Record<string, unknown>;
  /** Model selection; absent: the last epoch's weights are the run's. */
  selection?: EpochSelection;
  /** Early stopping: whether the run ends after these epochs. */
  stopsAfter?: (records: readonly EpochRecord[]) => boolean;
  /** The interval's clock, in milliseconds; default the training process's CPU time (see CHECKPOINT_EVERY_CPU_SECONDS). */
  now?: () => number;
  /** The wall clock (milliseconds) for CHECKPOINT_AT_LEAST_EVERY_WALL_SECONDS. */
  wallNow?: () => number;
}

interface PendingCheckpoint {
  weights: tf.NamedTensorMap;
  optimizer: NamedTensor[] | null;
  best: tf.NamedTensorMap | null;
  state: CheckpointState;
}

const copyOf = (tensors: Record<string, tf.Tensor>): tf.NamedTensorMap => Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, tf.clone(t)]));

/**
 * A training run's checkpoints. After each epoch, `epochEnded` lets model selection see it,
 * then writes what checkpointAfterEpoch says; an epoch it does not write is kept in memory
 * instead (a copy of the weights, the optimizer's state and the best epoch's weights), so a
 * cancel still resumes from the last completed epoch: `flush` writes that copy. A crash or a
 * kill loses at most `everySeconds` of the process's CPU time of training.
 *
 * A resumable checkpoint holds the last epoch's weights, the optimizer's state and, with model
 * selection, the best epoch's weights so far (`best.*`), so a resumed run keeps its choice. The
 * final one holds the run's weights alone: the selected epoch's (the best one's with model
 * selection, else the last's), which fine-tunes freeze, evaluation uses and bundles carry.
 */
export class RunCheckpoints {
  private lastWritten: number;
  private lastWrittenWall: number;
  private pending: PendingCheckpoint | null = null;
  private readonly now: () => number;
  private readonly wallNow: () => number;

  constructor(private readonly options: RunCheckpointOptions) {
    this.now = options.now ?? processCpuMilliseconds;
    this.wallNow = options.wallNow ?? Date.now;
    this.lastWritten = this.now();
    this.lastWrittenWall = this.wallNow();
  }

  async epochEnded(epoch: number, epochs: EpochRecord[]): Promise<void> {
    const { dir, variables, optimizer, selection } = this.options;
    selection?.observe(epochs, variables);
    const state: CheckpointState = { ...this.options.extraState, epoch, epochs, bestEpoch: selection?.epoch ?? null };
    const stopsHere = this.options.stopsAfter?.(epochs) ?? false;
    const wallDue = (this.wallNow() - this.lastWrittenWall) / 1000 >= CHECKPOINT_AT_LEAST_EVERY_WALL_SECONDS;
    const since = wallDue ? Infinity : (this.now() - this.lastWritten) / 1000;
    const what = checkpointAfterEpoch(epoch, this.options.lastEpoch, since, this.options.everySeconds, stopsHere);
    this.dropPending();
    if (what === 'final') {
      // The run ends here: its weights become the selected epoch's, and only they are kept.
      const selectedEpoch = selection ? selection.restore(epochs, variables) : epoch;
      await saveCheckpoint(dir, variables, null, { ...state, selectedEpoch });
    } else if (what === 'resumable') {
      await saveCheckpoint(dir, variables, optimizer, state, selection?.weights() ?? null);
    } else {
      const best = selection?.weights() ?? null;
      this.pending = {
        weights: copyOf(variables),
        optimizer: optimizer ? await optimizerState(optimizer) : null,
        best: best && copyOf(best),
        state,
      };
      return;
    }
    this.lastWritten = this.now();
    this.lastWrittenWall = this.wallNow();
  }

  /** Writes the last completed epoch if it is not on disk yet (a cancel: resume from there). */
  async flush(): Promise<void> {
    if (!this.pending) return;
    const { weights, optimizer, best, state } = this.pending;
    await saveCheckpoint(this.options.dir, weights, optimizer, state, best);
    this.lastWritten = this.now();
    this.lastWrittenWall = this.wallNow();
    this.dropPending();
  }

  dispose(): void {
    this.dropPending();
  }

  private dropPending(): void {
    if (!this.pending) return;
    const { weights, optimizer, best } = this.pending;
    tf.dispose([...Object.values(weights), ...(optimizer ?? []).map((t) => t.tensor), ...Object.values(best ?? {})]);
    this.pending = null;
  }
}
