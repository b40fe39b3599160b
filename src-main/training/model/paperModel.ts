import * as tf from '@tensorflow/tfjs';
import { EMOTIONS, FEATURE_COUNT } from '@shared/emotions';
import type { ModelConfig } from '@shared/model/modelConfig';
import { gruOutputs } from '../gru/fusedGru';
import { Rng } from '@shared/random';

/** One GRU layer's weights in Keras' reset_after layout. */
interface GruVariables {
  kernel: tf.Variable<tf.Rank.R2>;
  recurrentKernel: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R2>;
}

export interface EncoderOutputs {
  /** Dense(74) per timestep: the reconstruction pre-training is trained on. [B, T, 74] */
  reconstruction: tf.Tensor3D;
  /** The last GRU's states. [B, T, H] */
  states: tf.Tensor3D;
}

/**
 * The paper's network as plain variables around the fused GRU: GRU(H, sequences) x L ->
 * Dense(74) per timestep, plus the Dense(6) emotion head. Variables are named as Keras
 * names them, so checkpoints read like a Keras model's weights.
 */
let instances = 0;

export class PaperModel {
  readonly grus: GruVariables[] = [];
  /** Keras-style names of the variables, which checkpoints use; tfjs needs unique ones per live model. */
  private readonly names = new Map<tf.Variable, string>();
  private readonly prefix = `paper_model_${++instances}`;
  readonly reconKernel: tf.Variable<tf.Rank.R2>;
  readonly reconBias: tf.Variable<tf.Rank.R1>;
  readonly headKernel: tf.Variable<tf.Rank.R2>;
  readonly headBias: tf.Variable<tf.Rank.R1>;

  constructor(
    readonly config: ModelConfig,
    seed: number,
  ) {
    let input = FEATURE_COUNT;
    const h = config.hiddenUnits;
    for (let l = 0; l < config.gruLayers; l++) {
      this.grus.push({
        kernel: this.named(tf.initializers.glorotUniform({ seed: seed + 10 * l }).apply([input, 3 * h]) as tf.Tensor2D, `gru_${l + 1}/kernel`),
        recurrentKernel: this.named(orthogonalBlocks(h, seed + 10 * l + 1), `gru_${l + 1}/recurrent_kernel`),
        bias: this.named(tf.zeros([2, 3 * h]), `gru_${l + 1}/bias`),
      });
      input = h;
    }
    this.reconKernel = this.named(tf.initializers.glorotUniform({ seed: seed + 100 }).apply([h, FEATURE_COUNT]) as tf.Tensor2D, 'dense_74/kernel');
    this.reconBias = this.named(tf.zeros([FEATURE_COUNT]), 'dense_74/bias');
    const headIn = config.headInput === 'reconstruction' ? FEATURE_COUNT : h;
    this.headKernel = this.named(tf.initializers.glorotUniform({ seed: seed + 200 }).apply([headIn, EMOTIONS.length]) as tf.Tensor2D, 'dense_6/kernel');
    this.headBias = this.named(tf.zeros([EMOTIONS.length]), 'dense_6/bias');
  }

  private named<R extends tf.Rank>(initial: tf.Tensor<R>, name: string): tf.Variable<R> {
    const v = tf.variable(initial, true, `${this.prefix}/${name}`);
    this.names.set(v, name);
    return v;
  }

  /** Variables by their checkpoint names. */
  byName(variables: tf.Variable[]): Record<string, tf.Variable> {
    return Object.fromEntries(variables.map((v) => [this.names.get(v)!, v]));
  }

  /** Every variable pre-training trains (GRUs and the reconstruction layer). */
  encoderVariables(): tf.Variable[] {
    return [...this.grus.flatMap((g) => [g.kernel, g.recurrentKernel, g.bias]), this.reconKernel, this.reconBias];
  }

  headVariables(): tf.Variable[] {
    return [this.headKernel, this.headBias];
  }

  allVariables(): tf.Variable[] {
    return [...this.encoderVariables(), ...this.headVariables()];
  }

  /** x [B, T, 74]; mask [B, T] with 1 on real frames. Padded steps keep the state and output zeros. */
  encode(x: tf.Tensor3D, mask: tf.Tensor2D): EncoderOutputs {
    let sequence: tf.Tensor3D = x;
    for (const g of this.grus) {
      sequence = gruOutputs(sequence, { kernel: g.kernel, recurrentKernel: g.recurrentKernel, bias: g.bias }, { mask, zeroOutputForMask: true });
    }
    const [b, t, h] = sequence.shape;
    const flat = sequence.reshape([b * t, h]);
    const reconstruction = tf.add(tf.matMul(flat, this.reconKernel), this.reconBias).reshape([b, t, FEATURE_COUNT]) as tf.Tensor3D;
    return { reconstruction, states: sequence };
  }

  /** The head's input, pooled over time with per-step weights [B, T] (one-hot last step, or 1/n on real steps). */
  headInput(outputs: EncoderOutputs, poolWeights: tf.Tensor2D): tf.Tensor2D {
    const sequence = this.config.headInput === 'reconstruction' ? outputs.reconstruction : outputs.states;
    return tf.sum(tf.mul(sequence, poolWeights.expandDims(2)), 1) as tf.Tensor2D;
  }

  head(pooled: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(pooled, this.headKernel), this.headBias) as tf.Tensor2D;
  }

  dispose(): void {
    tf.dispose(this.allVariables());
  }
}

/**
 * A seeded random orthogonal h x h matrix: Gram-Schmidt on a normal matrix, columns signed
 * as QR's R diagonal (what Keras' Orthogonal does). Written here because tfjs's initializer
 * warns on every matrix above 2000 elements, which floods a training process's output.
 */
export function orthogonalMatrix(h: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const q = Array.from({ length: h }, () => Float64Array.from({ length: h }, () => rng.normal())); // columns
  for (let j = 0; j < h; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < h; i++) dot += q[j][i] * q[k][i];
      for (let i = 0; i < h; i++) q[j][i] -= dot * q[k][i];
    }
    const norm = Math.hypot(...q[j]);
    for (let i = 0; i < h; i++) q[j][i] /= norm;
  }
  const out = new Float32Array(h * h);
  for (let r = 0; r < h; r++) for (let c = 0; c < h; c++) out[r * h + c] = q[c][r];
  return out;
}

/** Keras initialises each of the three recurrent gate blocks orthogonally. */
function orthogonalBlocks(h: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => tf.concat([0, 1, 2].map((i) => tf.tensor2d(orthogonalMatrix(h, seed + i), [h, h])), 1));
}

/**
 * Per-step pooling weights for a batch: 'last-valid' puts 1 on each sequence's last real
 * step (wherever the padding is), 'mean-valid' spreads 1/n over its real steps.
 */
export function poolingWeights(validMask: Uint8Array, batch: number, steps: number, pooling: ModelConfig['pooling']): Float32Array {
  const w = new Float32Array(batch * steps);
  for (let b = 0; b < batch; b++) {
    const row = validMask.subarray(b * steps, (b + 1) * steps);
    const count = row.reduce((n, v) => n + v, 0);
    if (count === 0) continue;
    if (pooling === 'last-valid') w[b * steps + row.lastIndexOf(1)] = 1;
    else for (let t = 0; t < steps; t++) if (row[t]) w[b * steps + t] = 1 / count;
  }
  return w;
}
