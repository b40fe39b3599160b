import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '@shared/api/entities';

/**
 * A run's checkpoint in tfjs's weights format (a manifest of named tensors and one binary
 * file), plus the optimizer's state and a small JSON of what the run had done. Written to
 * a temporary folder and renamed over the previous one, so a kill at any moment leaves
 * either the old checkpoint or the new one, never half of one.
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

/**
 * `best`: the weights of the epoch model selection keeps (see jobs/selection.ts), written beside
 * the last epoch's as `best.json` / `best.bin` so a resumed run still knows them.
 */
export async function saveCheckpoint(dir: string, variables: Record<string, tf.Variable>, optimizer: tf.Optimizer | null, state: CheckpointState, best: tf.NamedTensorMap | null = null): Promise<void> {
  const tmp = `${dir}.writing`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await writeTensors(tmp, 'weights', variables);
  if (optimizer) await writeTensors(tmp, 'optimizer', await optimizer.getWeights());
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
