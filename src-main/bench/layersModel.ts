/**
 * The benchmark's competitor: the paper's network built from tf.layers as a tfjs user would
 * (Masking(0), tf.layers.gru(256, returnSequences) x 2, TimeDistributed(Dense(74)), and for
 * the supervised arm Dense(6) on the pooled outputs), trained on the same batches with the
 * same losses and Adam. tf.layers.gru only has the reset_before variant (resetAfter=true is
 * refused), so its maths differ slightly from the paper's; its recurrent activation is set
 * to the sigmoid (tfjs's default is the hard sigmoid) so the work per step is the same.
 */
import * as tf from '@tensorflow/tfjs';
import { FEATURE_COUNT } from '@shared/emotions';

export interface LayersNetwork {
  encoder: tf.LayersModel;
  head: tf.layers.Layer;
  variables(withHead: boolean): tf.Variable[];
  dispose(): void;
}

export function layersNetwork(steps: number, units: number, layers: number): LayersNetwork {
  const input = tf.input({ shape: [steps, FEATURE_COUNT] });
  let x = tf.layers.masking({ maskValue: 0 }).apply(input) as tf.SymbolicTensor;
  // Glorot rather than tfjs's orthogonal recurrent initialiser, which is slow (and warns) at this size: starting values do not change a step's work.
  for (let l = 0; l < layers; l++) x = tf.layers.gru({ units, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: FEATURE_COUNT }) }).apply(x) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs: input, outputs: output });
  const head = tf.layers.dense({ units: 6, inputShape: [FEATURE_COUNT] });
  head.build([null, FEATURE_COUNT]);
  const own = (ws: tf.LayerVariable[]) => ws.map((w) => w.read() as tf.Variable);
  return {
    encoder,
    head,
    variables: (withHead) => [...own(encoder.trainableWeights), ...(withHead ? own(head.trainableWeights) : [])],
    dispose: () => {
      encoder.dispose();
      // The head is only ever applied to tensors, never to a symbolic input, so Layer.dispose refuses it.
      for (const w of head.weights) w.dispose();
    },
  };
}

/** The pre-training loss of pretrain.ts (weighted squared error per real step) on the tf.layers network. */
export function layersReconstructionLoss(net: LayersNetwork, x: tf.Tensor3D, target: tf.Tensor3D, weights: tf.Tensor2D): tf.Scalar {
  const squared = tf.sum(tf.square(tf.sub(net.encoder.apply(x, { training: true }) as tf.Tensor3D, target)), 2);
  return tf.div(tf.sum(tf.mul(squared, weights)), tf.maximum(tf.mul(tf.sum(weights), FEATURE_COUNT), 1e-12)) as tf.Scalar;
}

/** The supervised arm's loss (supervised.ts): Dense(6) on the outputs pooled with per-step weights, MSE. */
export function layersEmotionLoss(net: LayersNetwork, x: tf.Tensor3D, pool: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  const pooled = tf.sum(tf.mul(net.encoder.apply(x, { training: true }) as tf.Tensor3D, tf.expandDims(pool, 2)), 1);
  return tf.losses.meanSquaredError(labels, net.head.apply(pooled) as tf.Tensor2D) as tf.Scalar;
}
