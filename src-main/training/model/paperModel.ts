import * as tf from '@tensorflow/tfjs';
import type { Initialisation } from '@shared/api/entities';
import { FEATURE_COUNT } from '@shared/emotions';
import { headInputWidth, type ModelConfig } from '@shared/model/modelConfig';
import { encoderWeightShapes, headWeightShapes, type WeightShape } from '@shared/model/weightShapes';
import { recurrentOutputs } from '../gru/recurrentLayer';
import { glorotUniform, recurrentKernel } from './initialisers';
import { timeDistributedDense } from './timeDistributedDense';

/**
 * The paper's network as plain variables around the fused GRU, in two parts so a job builds
 * only what it trains or needs: the encoder, GRU(H, sequences) x L -> Dense(74) per timestep
 * (pre-training trains it; a fine-tune only runs it, once, from its pre-training run's
 * weights), and the Dense(6) emotion head. Variables are named as Keras names them, so
 * checkpoints read like a Keras model's weights.
 */

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

let instances = 0;

/**
 * Variables under their checkpoint names, created from `values` (which must hold every name of
 * `shapes` with its shape). tfjs needs names unique among live variables, so each part gets a
 * prefix of its own; the checkpoint names are kept apart.
 */
class NamedVariables {
  readonly list: tf.Variable[] = [];
  private readonly byVariable = new Map<tf.Variable, string>();
  private readonly byCheckpointName = new Map<string, tf.Variable>();

  constructor(shapes: readonly WeightShape[], values: tf.NamedTensorMap, source: string) {
    const prefix = `paper_model_${++instances}`;
    try {
      for (const { name, shape } of shapes) {
        const value = values[name];
        if (!value) throw new Error(`${source} has no weights for ${name}.`);
        if (value.shape.join() !== shape.join()) throw new Error(`${source}'s ${name} is [${value.shape}], the model's is [${shape}].`);
        const v = tf.variable(value, true, `${prefix}/${name}`);
        this.list.push(v);
        this.byVariable.set(v, name);
        this.byCheckpointName.set(name, v);
      }
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  get<R extends tf.Rank>(name: string): tf.Variable<R> {
    return this.byCheckpointName.get(name) as tf.Variable<R>;
  }

  checkpointName(v: tf.Variable): string | undefined {
    return this.byVariable.get(v);
  }

  dispose(): void {
    tf.dispose(this.list);
  }
}

interface NamedPart {
  checkpointName(v: tf.Variable): string | undefined;
}

/** Variables by their checkpoint names, across the parts that own them. */
function byName(parts: readonly NamedPart[], variables: readonly tf.Variable[]): Record<string, tf.Variable> {
  return Object.fromEntries(
    variables.map((v) => {
      const name = parts.map((p) => p.checkpointName(v)).find((n) => n !== undefined);
      if (name === undefined) throw new Error(`variable ${v.name} belongs to none of these model parts`);
      return [name, v];
    }),
  );
}

/** Builds the parts' first values, hands them over, then frees them (a variable keeps its own reference). */
function withValues<T>(make: () => tf.NamedTensorMap, use: (values: tf.NamedTensorMap) => T): T {
  const values = make();
  try {
    return use(values);
  } finally {
    tf.dispose(Object.values(values));
  }
}

/** A part of the network (encoder or head): its named variables and what every part answers. */
abstract class ModelPart implements NamedPart {
  protected readonly named: NamedVariables;

  protected constructor(shapes: readonly WeightShape[], values: tf.NamedTensorMap, source: string) {
    this.named = new NamedVariables(shapes, values, source);
  }

  /** Every variable, in checkpoint order (for the encoder: what pre-training trains). */
  variables(): tf.Variable[] {
    return [...this.named.list];
  }

  checkpointName(v: tf.Variable): string | undefined {
    return this.named.checkpointName(v);
  }

  byName(variables: readonly tf.Variable[]): Record<string, tf.Variable> {
    return byName([this], variables);
  }

  dispose(): void {
    this.named.dispose();
  }
}

export class Encoder extends ModelPart {
  readonly grus: GruVariables[] = [];
  readonly reconKernel: tf.Variable<tf.Rank.R2>;
  readonly reconBias: tf.Variable<tf.Rank.R1>;

  private constructor(
    readonly config: ModelConfig,
    values: tf.NamedTensorMap,
    source: string,
  ) {
    super(encoderWeightShapes(config), values, source);
    for (let l = 1; l <= config.gruLayers; l++) {
      this.grus.push({
        kernel: this.named.get(`gru_${l}/kernel`),
        recurrentKernel: this.named.get(`gru_${l}/recurrent_kernel`),
        bias: this.named.get(`gru_${l}/bias`),
      });
    }
    this.reconKernel = this.named.get('dense_74/kernel');
    this.reconBias = this.named.get('dense_74/bias');
  }

  /**
   * Fresh weights: Glorot-uniform kernels (GRU layer l from seed + 10 l, Dense(74) from
   * seed + 100), recurrent kernels under `scheme` from seed + 10 l + 1, zero biases.
   */
  static initial(config: ModelConfig, seed: number, scheme: Initialisation): Encoder {
    return withValues(
      () => {
        const h = config.hiddenUnits;
        const values: tf.NamedTensorMap = {};
        for (let l = 0, input = FEATURE_COUNT; l < config.gruLayers; l++, input = h) {
          values[`gru_${l + 1}/kernel`] = glorotUniform(input, 3 * h, seed + 10 * l);
          values[`gru_${l + 1}/recurrent_kernel`] = recurrentKernel(h, seed + 10 * l + 1, scheme);
          values[`gru_${l + 1}/bias`] = tf.zeros([2, 3 * h]);
        }
        values['dense_74/kernel'] = glorotUniform(h, FEATURE_COUNT, seed + 100);
        values['dense_74/bias'] = tf.zeros([FEATURE_COUNT]);
        return values;
      },
      (values) => new Encoder(config, values, 'The initialisation'),
    );
  }

  /** Given weights (a pre-training run's checkpoint), by checkpoint name; `source` names them in errors. */
  static fromWeights(config: ModelConfig, weights: tf.NamedTensorMap, source = 'The checkpoint'): Encoder {
    return new Encoder(config, weights, source);
  }

  /** x [B, T, 74]; mask [B, T] with 1 on real frames. Padded steps keep the state and output zeros. */
  encode(x: tf.Tensor3D, mask: tf.Tensor2D): EncoderOutputs {
    let sequence: tf.Tensor3D = x;
    for (const g of this.grus) {
      sequence = recurrentOutputs(sequence, { kernel: g.kernel, recurrentKernel: g.recurrentKernel, bias: g.bias }, { mask, zeroOutputForMask: true });
    }
    return { reconstruction: timeDistributedDense(sequence, this.reconKernel, this.reconBias), states: sequence };
  }

  /** The head's input, pooled over time with per-step weights [B, T] (one-hot last step, or 1/n on real steps). */
  headInput(outputs: EncoderOutputs, poolWeights: tf.Tensor2D): tf.Tensor2D {
    const sequence = this.config.headInput === 'reconstruction' ? outputs.reconstruction : outputs.states;
    return tf.sum(tf.mul(sequence, poolWeights.expandDims(2)), 1) as tf.Tensor2D;
  }
}

/** Dense(6) on the pooled Dense(74) outputs or GRU states (`headInput`). */
export class EmotionHead extends ModelPart {
  readonly kernel: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1>;

  private constructor(config: ModelConfig, values: tf.NamedTensorMap, source: string) {
    super(headWeightShapes(config), values, source);
    this.kernel = this.named.get('dense_6/kernel');
    this.bias = this.named.get('dense_6/bias');
  }

  /** Fresh weights: a Glorot-uniform kernel from seed + 200, a zero bias. */
  static initial(config: ModelConfig, seed: number): EmotionHead {
    return withValues(
      () => ({
        'dense_6/kernel': glorotUniform(headInputWidth(config, FEATURE_COUNT), 6, seed + 200),
        'dense_6/bias': tf.zeros([6]),
      }),
      (values) => new EmotionHead(config, values, 'The initialisation'),
    );
  }

  static fromWeights(config: ModelConfig, weights: tf.NamedTensorMap, source = 'The checkpoint'): EmotionHead {
    return new EmotionHead(config, weights, source);
  }

  predict(pooled: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(pooled, this.kernel), this.bias) as tf.Tensor2D;
  }
}

/** The whole network, for the baseline (everything trained) and for predictions. */
export class PaperModel {
  constructor(
    readonly encoder: Encoder,
    readonly head: EmotionHead,
  ) {}

  static initial(config: ModelConfig, seed: number, scheme: Initialisation): PaperModel {
    return new PaperModel(Encoder.initial(config, seed, scheme), EmotionHead.initial(config, seed));
  }

  /** Encoder variables, then the head's: the checkpoint's order. */
  variables(): tf.Variable[] {
    return [...this.encoder.variables(), ...this.head.variables()];
  }

  byName(variables: readonly tf.Variable[]): Record<string, tf.Variable> {
    return byName([this.encoder, this.head], variables);
  }

  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
  }
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
