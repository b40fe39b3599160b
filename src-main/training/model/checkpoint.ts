import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '@shared/api/entities';

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

/** Writes a checkpoint: weights, and the optimizer's state (an optimizer, or its saved tensors) when given. */
export async function saveCheckpoint(dir: string, weights: tf.NamedTensorMap, optimizer: tf.Optimizer | NamedTensor[] | null, state: CheckpointState): Promise<void> {
  const tmp = `${dir}.writing`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await writeTensors(tmp, 'weights', weights);
  if (optimizer) await writeTensors(tmp, 'optimizer', Array.isArray(optimizer) ? optimizer : await optimizer.getWeights());
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
  state: CheckpointState;
}

/** The checkpoint in `dir`, or null if there is none; a crash mid-save leaves `.old`, which is used then. */
export function loadCheckpoint(dir: string): LoadedCheckpoint | null {
  const from = existsSync(join(dir, 'state.json')) ? dir : existsSync(join(`${dir}.old`, 'state.json')) ? `${dir}.old` : null;
  if (!from) return null;
  const optimizer = existsSync(join(from, 'optimizer.json')) ? Object.entries(readTensors(from, 'optimizer')).map(([name, tensor]) => ({ name, tensor })) : null;
  return { weights: readTensors(from, 'weights'), optimizer, state: JSON.parse(readFileSync(join(from, 'state.json'), 'utf8')) as CheckpointState };
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
 * How often an unfinished run writes a resumable checkpoint: at most this many seconds of
 * training are lost to a crash or a kill. Writing one every epoch cost a paper sweep about
 * 13 GB of writes (an 8 MB checkpoint after each of its 1,620 baseline epochs, most of them
 * seconds long); this keeps it under 2 GB (`npm run bench -- paper` prints the figure).
 */
export const CHECKPOINT_EVERY_SECONDS = 600;

/**
 * What is written after an epoch: the final weights after the last (no optimizer state:
 * nothing resumes a finished run), a resumable checkpoint once `everySeconds` have passed
 * since the last one was written, else nothing.
 */
export function checkpointAfterEpoch(epoch: number, lastEpoch: number, secondsSinceWritten: number, everySeconds: number): 'final' | 'resumable' | null {
  if (epoch >= lastEpoch) return 'final';
  return secondsSinceWritten >= everySeconds ? 'resumable' : null;
}

/** The bytes of one checkpoint of a model with `parameters` float32 values: weights, and with Adam's state its two moments and step count. */
export function checkpointBytes(parameters: number, withOptimizer: boolean): number {
  return 4 * parameters * (withOptimizer ? 3 : 1) + (withOptimizer ? 4 : 0);
}

/**
 * A training run's checkpoints. After each epoch, `epochEnded` writes what
 * checkpointAfterEpoch says; an epoch it does not write is kept in memory instead (a copy of
 * the weights and the optimizer's state), so a cancel still resumes from the last completed
 * epoch: `flush` writes that copy. A crash or a kill loses at most `everySeconds` of
 * training. Model selection by validation loss will keep one more set of weights, the best
 * epoch's: `epochEnded` is where it is chosen, and it goes into the same folder.
 */
export class RunCheckpoints {
  private lastWritten: number;
  private pending: { weights: tf.NamedTensorMap; optimizer: NamedTensor[] | null; state: CheckpointState } | null = null;

  constructor(
    private readonly dir: string,
    private readonly variables: Record<string, tf.Variable>,
    private readonly optimizer: tf.Optimizer | null,
    private readonly lastEpoch: number,
    private readonly everySeconds: number,
    /** What else state.json holds (the standardisation statistics, a parent run...). */
    private readonly extraState: Record<string, unknown>,
    private readonly now: () => number = Date.now,
  ) {
    this.lastWritten = now();
  }

  async epochEnded(epoch: number, epochs: EpochRecord[]): Promise<void> {
    const state: CheckpointState = { ...this.extraState, epoch, epochs };
    const what = checkpointAfterEpoch(epoch, this.lastEpoch, (this.now() - this.lastWritten) / 1000, this.everySeconds);
    this.dropPending();
    if (what === null) {
      this.pending = {
        weights: Object.fromEntries(Object.entries(this.variables).map(([name, v]) => [name, tf.clone(v)])),
        optimizer: this.optimizer ? (await this.optimizer.getWeights()).map(({ name, tensor }) => ({ name, tensor: tf.clone(tensor) })) : null,
        state,
      };
      return;
    }
    await saveCheckpoint(this.dir, this.variables, what === 'final' ? null : this.optimizer, state);
    this.lastWritten = this.now();
  }

  /** Writes the last completed epoch if it is not on disk yet (a cancel: resume from there). */
  async flush(): Promise<void> {
    if (!this.pending) return;
    const { weights, optimizer, state } = this.pending;
    await saveCheckpoint(this.dir, weights, optimizer, state);
    this.lastWritten = this.now();
    this.dropPending();
  }

  dispose(): void {
    this.dropPending();
  }

  private dropPending(): void {
    if (!this.pending) return;
    tf.dispose([...Object.values(this.pending.weights), ...(this.pending.optimizer ?? []).map((t) => t.tensor)]);
    this.pending = null;
  }
}
