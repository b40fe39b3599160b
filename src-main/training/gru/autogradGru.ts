/**
 * The paper's reset_after GRU as plain tfjs ops, differentiated by tfjs itself: the way
 * tf.layers.gru runs (tfjs-layers only has the reset_before variant, so it cannot be used
 * for this model as it is). On native backends (tfjs-node, tfjs-node-gpu) each op is one
 * native kernel and the tensors never leave the device, which may beat the fused layer's
 * host-side walk; `recurrentLayer.ts` picks whichever a timing on the backend found faster.
 * Same weights (Keras layout), same masking, initial state and padded-output semantics as
 * fusedGru.ts, whose specs check its hand-written gradients against this one's.
 */
import * as tf from '@tensorflow/tfjs';
import type { GruSequenceOptions, GruSequenceResult, GruWeights } from './fusedGru';

export type AutogradGruOptions = Pick<GruSequenceOptions, 'mask' | 'zeroOutputForMask' | 'initialState'>;

/** Outputs [B, T, H] of one layer over x [B, T, D]. */
export function autogradGruOutputs(x: tf.Tensor3D, w: GruWeights, options: AutogradGruOptions = {}): tf.Tensor3D {
  return tf.tidy(() => autogradGruSequence(x, w, options).outputs);
}

/** Outputs [B, T, H] and final state [B, H] of one layer over x [B, T, D]; `lengths` is the fused layer's only. */
export function autogradGruSequence(x: tf.Tensor3D, w: GruWeights, options: AutogradGruOptions = {}): GruSequenceResult {
  return tf.tidy(() => {
    const [batch, steps, inputs] = x.shape;
    const units = w.recurrentKernel.shape[0];
    const [biasIn, biasRec] = tf.unstack(w.bias) as [tf.Tensor1D, tf.Tensor1D];
    // Every step's input projection at once: one large product.
    const projected = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [batch * steps, inputs]), w.kernel), biasIn), [batch, steps, 3 * units]);
    const perStep = tf.unstack(projected, 1) as tf.Tensor2D[];
    const [recurrentZr, recurrentH] = tf.split(w.recurrentKernel, [2 * units, units], 1) as [tf.Tensor2D, tf.Tensor2D];
    const [biasZr, biasH] = tf.split(biasRec, [2 * units, units]) as [tf.Tensor1D, tf.Tensor1D];
    const live = options.mask == null ? null : (tf.unstack(tf.reshape(tf.cast(tf.notEqual(options.mask, 0), 'float32'), [batch, steps, 1]), 1) as tf.Tensor2D[]);
    let h = options.initialState ?? (tf.zeros([batch, units]) as tf.Tensor2D);
    const outputs: tf.Tensor2D[] = [];
    for (let t = 0; t < steps; t++) {
      const [inZr, inH] = tf.split(perStep[t], [2 * units, units], 1) as [tf.Tensor2D, tf.Tensor2D];
      const zr = tf.sigmoid(tf.add(inZr, tf.add(tf.matMul(h, recurrentZr), biasZr)));
      const [z, r] = tf.split(zr, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      const n = tf.tanh(tf.add(inH, tf.mul(r, tf.add(tf.matMul(h, recurrentH), biasH))));
      const cell = tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D;
      if (live === null) {
        h = cell;
        outputs.push(cell);
        continue;
      }
      // Padded samples keep their state; their output is the state or zeros (the option).
      const m = live[t];
      const kept = tf.add(h, tf.mul(m, tf.sub(cell, h))) as tf.Tensor2D;
      outputs.push(options.zeroOutputForMask ? (tf.mul(m, cell) as tf.Tensor2D) : kept);
      h = kept;
    }
    return { outputs: tf.stack(outputs, 1) as tf.Tensor3D, finalState: h };
  });
}
