/**
 * Which GRU implementation the model trains with in this process: the fused layer (fusedGru.ts,
 * hand-written backward pass) or the same maths as plain ops (autogradGru.ts). Both give the
 * same results to float precision; they differ in speed by backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName, RecurrentChoice } from '@shared/api/entities';
import { autogradGruOutputs } from './autogradGru';
import { gruOutputs, type GruSequenceOptions, type GruWeights } from './fusedGru';

export type RecurrentLayerName = RecurrentChoice['layer'];

let inUse: RecurrentLayerName = 'fused';

export function useRecurrentLayer(name: RecurrentLayerName): void {
  inUse = name;
}

/** Outputs [B, T, H] of one GRU layer, by the implementation in use. */
export function recurrentOutputs(x: tf.Tensor3D, weights: GruWeights, options: Pick<GruSequenceOptions, 'mask' | 'zeroOutputForMask'>): tf.Tensor3D {
  return inUse === 'fused' ? gruOutputs(x, weights, options) : autogradGruOutputs(x, weights, options);
}

/** Backends whose own kernels may beat the fused layer, so both are timed on them once. */
export const CALIBRATED_BACKENDS: readonly BackendName[] = ['tensorflow', 'tensorflow-gpu'];

/**
 * The implementation for a backend: on the native backends, the faster of the two as timed
 * (`measured`, ms per training step); on WASM and plain JS, the fused layer without timing
 * (there plain ops run one small kernel per gate and step, and autograd's matMul gradients
 * take the slow transposed path).
 */
export function chooseRecurrentLayer(backend: BackendName, measured: { fused: number; autograd: number } | null): RecurrentChoice {
  if (!CALIBRATED_BACKENDS.includes(backend)) {
    return { layer: 'fused', measured: null, why: 'fused GRU: the layer built for this backend (plain ops, one small kernel per gate and step here, are not timed)' };
  }
  if (!measured) return { layer: 'fused', measured: null, why: 'fused GRU: not timed on this backend' };
  const layer = measured.autograd < measured.fused ? 'autograd' : 'fused';
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const timing = `a training step took ${ms(measured.fused)} fused, ${ms(measured.autograd)} with the backend's own kernels`;
  return { layer, measured, why: `${layer === 'fused' ? 'fused GRU' : "GRU on the backend's own kernels"}: ${timing}` };
}

/** The shapes of the one-off timing: the paper's layer on shorter clips, so it takes seconds. */
const PROBE = { batch: 32, steps: 50, inputs: 74, units: 256 } as const;

/** Median milliseconds of one training step of one GRU layer with each implementation (1 warm-up, 3 timed). */
export async function timeRecurrentLayers(): Promise<{ fused: number; autograd: number }> {
  const { batch, steps, inputs, units } = PROBE;
  const x = tf.randomUniform([batch, steps, inputs], -1, 1, 'float32', 1) as tf.Tensor3D;
  const weights = {
    kernel: tf.variable(tf.randomUniform([inputs, 3 * units], -0.1, 0.1, 'float32', 2)) as tf.Variable<tf.Rank.R2>,
    recurrentKernel: tf.variable(tf.randomUniform([units, 3 * units], -0.1, 0.1, 'float32', 3)) as tf.Variable<tf.Rank.R2>,
    bias: tf.variable(tf.zeros([2, 3 * units])) as tf.Variable<tf.Rank.R2>,
  };
  const optimizer = tf.train.sgd(1e-3);
  const time = async (name: RecurrentLayerName): Promise<number> => {
    const step = async () => {
      const loss = optimizer.minimize(() => tf.mean(tf.square(name === 'fused' ? gruOutputs(x, weights) : autogradGruOutputs(x, weights))) as tf.Scalar, true)!;
      await loss.data();
      loss.dispose();
    };
    await step();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await step();
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[1];
  };
  try {
    return { fused: await time('fused'), autograd: await time('autograd') };
  } finally {
    optimizer.dispose();
    tf.dispose([x, weights.kernel, weights.recurrentKernel, weights.bias]);
  }
}
