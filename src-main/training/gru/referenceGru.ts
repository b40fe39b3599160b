/**
 * A plain-ops reset_after GRU, for tests only; gradients come from tfjs autograd.
 * - ReferenceGruCell inside `tf.layers.rnn` gives the layer behaviour FusedGRU must reproduce,
 *   computed by tfjs-layers' own RNN loop (masking, returnSequences, returnState).
 * - referenceGruSequence is the same maths as a function, for checking gruSequence on cases
 *   the fixtures do not cover (masks with holes, initial states).
 *
 * Porting note: this stands in for `tf.layers.gru({resetAfter: true})`, which tfjs-layers
 * 4.22 rejects ("GRUCell does not support reset_after parameter set to true"). The cell is the
 * Keras GRUCell(reset_after=True) computation written out op by op, with Keras' weight layout.
 */
import * as tf from '@tensorflow/tfjs';
import type { GruSequenceOptions, GruSequenceResult, GruWeights } from './fusedGru';
import { layerInitialisers } from '../model/initialisers';

/** One Keras GRUCell(reset_after=True) step with Keras' weight layout. */
export function referenceGruStep(x: tf.Tensor2D, h: tf.Tensor2D, w: GruWeights): tf.Tensor2D {
  const [biasIn, biasRec] = tf.unstack(w.bias);
  const xp = tf.add(tf.matMul(x, w.kernel), biasIn);
  const hp = tf.add(tf.matMul(h, w.recurrentKernel), biasRec);
  const [xz, xr, xh] = tf.split(xp, 3, 1);
  const [hz, hr, hh] = tf.split(hp, 3, 1);
  const z = tf.sigmoid(tf.add(xz, hz));
  const r = tf.sigmoid(tf.add(xr, hr));
  const n = tf.tanh(tf.add(xh, tf.mul(r, hh)));
  return tf.add<tf.Tensor2D>(tf.mul(z, h), tf.mul(tf.sub(1, z), n));
}

/** Masked sequence with the same semantics as gruSequence (mask only; no lengths). */
export function referenceGruSequence(x: tf.Tensor3D, w: GruWeights, options: GruSequenceOptions = {}): GruSequenceResult {
  const [batch, steps] = x.shape;
  const units = w.recurrentKernel.shape[0];
  const xs = tf.unstack(x, 1) as tf.Tensor2D[];
  const ms = options.mask === undefined ? null : (tf.unstack(tf.expandDims(tf.cast(tf.notEqual(options.mask, 0), 'float32'), 2), 1) as tf.Tensor2D[]);
  let h = options.initialState ?? (tf.zeros([batch, units]) as tf.Tensor2D);
  const outputs: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    const hNew = referenceGruStep(xs[t], h, w);
    if (ms === null) {
      h = hNew;
      outputs.push(h);
      continue;
    }
    h = tf.add<tf.Tensor2D>(tf.mul(ms[t], hNew), tf.mul(tf.sub(1, ms[t]), h));
    outputs.push(options.zeroOutputForMask === true ? tf.mul<tf.Tensor2D>(ms[t], h) : h);
  }
  return { outputs: tf.stack(outputs, 1) as tf.Tensor3D, finalState: h };
}

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export class ReferenceGruCell extends tf.layers.RNNCell {
  static className = 'ReferenceGruCell';
  readonly units: number;
  stateSize: number;
  private kernel: tf.LayerVariable | null = null;
  private recurrentKernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: LayerArgs & { units: number }) {
    super(args);
    this.units = args.units;
    this.stateSize = args.units;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = shape[shape.length - 1] as number;
    const u = this.units;
    this.kernel = this.addWeight('kernel', [inputDim, 3 * u], 'float32', layerInitialisers.glorotUniform());
    this.recurrentKernel = this.addWeight('recurrent_kernel', [u, 3 * u], 'float32', layerInitialisers.orthogonal());
    this.bias = this.addWeight('bias', [2, 3 * u], 'float32', layerInitialisers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const [x, h] = inputs as tf.Tensor2D[];
      if (this.kernel === null || this.recurrentKernel === null || this.bias === null) throw new Error('not built');
      const w = { kernel: this.kernel.read(), recurrentKernel: this.recurrentKernel.read(), bias: this.bias.read() } as GruWeights;
      const hNew = referenceGruStep(x, h, w);
      return [hNew, hNew];
    });
  }
}
tf.serialization.registerClass(ReferenceGruCell);
