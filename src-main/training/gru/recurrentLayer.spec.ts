import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { autogradGruOutputs } from './autogradGru';
import { gruOutputs, type GruWeights } from './fusedGru';
import { chooseRecurrentLayer, recurrentOutputs, useRecurrentLayer } from './recurrentLayer';
import { relativeError } from '../../tools/parity/parityCheck';

const B = 4;
const T = 7;
const D = 5;
const H = 6;

beforeAll(() => tf.setBackend('cpu'));
afterEach(() => useRecurrentLayer('fused'));

function weights(seed: number): GruWeights {
  return {
    kernel: tf.randomNormal([D, 3 * H], 0, 0.5, 'float32', seed) as tf.Tensor2D,
    recurrentKernel: tf.randomNormal([H, 3 * H], 0, 0.5, 'float32', seed + 1) as tf.Tensor2D,
    bias: tf.randomNormal([2, 3 * H], 0, 0.5, 'float32', seed + 2) as tf.Tensor2D,
  };
}

/** [B, T] mask of right-padded clips of these lengths (0 = a clip with no real step). */
const maskOf = (lengths: number[]) => tf.tensor2d(lengths.map((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0))));

/** Outputs and the gradients of sum(outputs * g) with respect to x and every weight. */
function run(layer: typeof gruOutputs, x: tf.Tensor3D, w: GruWeights, options: { mask?: tf.Tensor; zeroOutputForMask?: boolean }, g: tf.Tensor) {
  const f = (xIn: tf.Tensor, k: tf.Tensor, u: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(layer(xIn as tf.Tensor3D, { kernel: k as tf.Tensor2D, recurrentKernel: u as tf.Tensor2D, bias: b as tf.Tensor2D }, options), g));
  const grads = tf.grads(f)([x, w.kernel, w.recurrentKernel, w.bias]);
  return { outputs: layer(x, w, options).dataSync(), grads: grads.map((t) => t.dataSync()) };
}

describe('the GRU on plain ops (autograd) against the fused layer', () => {
  for (const [what, lengths, zeroOutputForMask] of [
    ['no mask', null, false],
    ['right-padded, padded outputs carry the state', [7, 3, 5, 1], false],
    ['right-padded, padded outputs zero, an empty clip', [7, 3, 0, 5], true],
  ] as const) {
    it(`gives the same outputs and gradients: ${what}`, () => {
      const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 3) as tf.Tensor3D;
      const w = weights(10);
      const g = tf.randomNormal([B, T, H], 0, 1, 'float32', 4);
      const options = lengths ? { mask: maskOf([...lengths]), zeroOutputForMask } : {};
      const fused = run(gruOutputs, x, w, options, g);
      const autograd = run(autogradGruOutputs, x, w, options, g);
      expect(relativeError(autograd.outputs, fused.outputs).relativeError).toBeLessThan(1e-5);
      fused.grads.forEach((grad, i) => expect(relativeError(autograd.grads[i], grad).relativeError, `gradient ${i}`).toBeLessThan(1e-4));
    });
  }

  it('is what the model runs once chosen', () => {
    const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 5) as tf.Tensor3D;
    const w = weights(20);
    const fused = recurrentOutputs(x, w, {}).dataSync();
    useRecurrentLayer('autograd');
    expect(relativeError(recurrentOutputs(x, w, {}).dataSync(), fused).relativeError).toBeLessThan(1e-5);
  });
});

describe('chooseRecurrentLayer', () => {
  it('takes the faster of the two as timed on the native backends', () => {
    expect(chooseRecurrentLayer('tensorflow', { fused: 120, autograd: 45 })).toEqual({
      layer: 'autograd',
      measured: { fused: 120, autograd: 45 },
      why: "GRU on the backend's own kernels: a training step took 120 ms fused, 45 ms with the backend's own kernels",
    });
    expect(chooseRecurrentLayer('tensorflow-gpu', { fused: 30, autograd: 45 }).layer).toBe('fused');
    expect(chooseRecurrentLayer('tensorflow-gpu', null)).toMatchObject({ layer: 'fused', why: 'fused GRU: not timed on this backend' });
  });

  it('keeps the fused layer on WASM and plain JS without timing', () => {
    for (const backend of ['wasm', 'cpu'] as const) expect(chooseRecurrentLayer(backend, { fused: 100, autograd: 1 })).toMatchObject({ layer: 'fused', measured: null });
  });
});
