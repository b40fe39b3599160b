import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PAPER_MODEL } from '@shared/model/modelConfig';
import { glorotUniform, orthogonal, recurrentKernel } from './initialisers';
import { Encoder } from './paperModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => vi.restoreAllMocks());

/** A Aᵀ (rows x rows) of a row-major [rows, cols] matrix, in float64. */
function gram(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const g = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += a[i * cols + k] * a[j * cols + k];
      g[i * rows + j] = dot;
    }
  }
  return g;
}

/** Largest |A Aᵀ − scale I|. */
function offIdentity(a: ArrayLike<number>, rows: number, cols: number, scale = 1): number {
  const g = gram(a, rows, cols);
  let worst = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < rows; j++) worst = Math.max(worst, Math.abs(g[i * rows + j] - (i === j ? scale : 0)));
  return worst;
}

function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

const variance = (v: ArrayLike<number>) => {
  const n = v.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i] / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (v[i] - mean) ** 2;
  return s / n;
};

describe('orthogonal, as Keras initialises a GRU recurrent kernel', () => {
  it('makes the whole [H, 3H] matrix orthogonal: W Wᵀ = I, every singular value 1, as tfjs\'s own Orthogonal does', () => {
    const h = 16;
    const ours = orthogonal(h, 3 * h, 3);
    expect(offIdentity(ours, h, 3 * h)).toBeLessThan(1e-6);
    const theirs = tf.tidy(() => tf.initializers.orthogonal({ seed: 3 }).apply([h, 3 * h]).dataSync());
    expect(offIdentity(theirs, h, 3 * h)).toBeLessThan(1e-5);
  });

  it('tall matrices get orthonormal columns (Wᵀ W = I); square ones both', () => {
    expect(offIdentity(transpose(orthogonal(30, 10, 1), 30, 10), 10, 30)).toBeLessThan(1e-6);
    const square = orthogonal(12, 12, 2);
    expect(offIdentity(square, 12, 12)).toBeLessThan(1e-6);
    expect(offIdentity(transpose(square, 12, 12), 12, 12)).toBeLessThan(1e-6);
  });

  it('is reproducible from its seed, and another seed draws another matrix', () => {
    expect(orthogonal(8, 24, 7)).toEqual(orthogonal(8, 24, 7));
    expect(orthogonal(8, 24, 8)).not.toEqual(orthogonal(8, 24, 7));
  });

  it("the paper's size ([256, 768]) stays quiet, where tfjs's initialiser warns above 2,000 elements", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const w = orthogonal(256, 768, 1);
    expect(warn).not.toHaveBeenCalled();
    expect(offIdentity(w, 256, 768)).toBeLessThan(1e-5);
    tf.tidy(() => tf.initializers.orthogonal({ seed: 1 }).apply([32, 96]));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Orthogonal initializer is being called on a matrix with more than 2000'));
  });

  it("'keras' starts the recurrent weights sqrt(3) smaller than 'orthogonal-per-gate' (W Wᵀ = I against 3 I)", () => {
    const h = 10;
    const keras = tf.tidy(() => recurrentKernel(h, 4, 'keras').dataSync());
    const perGate = tf.tidy(() => recurrentKernel(h, 4, 'orthogonal-per-gate').dataSync());
    expect(offIdentity(keras, h, 3 * h)).toBeLessThan(1e-6);
    expect(offIdentity(perGate, h, 3 * h, 3)).toBeLessThan(1e-5);
    const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
    expect(norm(perGate) / norm(keras)).toBeCloseTo(Math.sqrt(3), 5);
    // Each per-gate block is itself orthogonal, drawn from seed, seed + 1, seed + 2.
    const block = (k: number) => Float64Array.from({ length: h * h }, (_, i) => perGate[Math.floor(i / h) * 3 * h + k * h + (i % h)]);
    for (let k = 0; k < 3; k++) expect(Array.from(block(k))).toEqual(Array.from(orthogonal(h, h, 4 + k)));
  });
});

describe('glorotUniform', () => {
  it('stays within ±sqrt(6 / (fan_in + fan_out)) with variance 2 / (fan_in + fan_out), as tfjs\'s own', () => {
    const [fanIn, fanOut] = [74, 768];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const ours = tf.tidy(() => glorotUniform(fanIn, fanOut, 5).dataSync());
    const theirs = tf.tidy(() => tf.initializers.glorotUniform({ seed: 11 }).apply([fanIn, fanOut]).dataSync());
    for (const values of [ours, theirs]) {
      expect(Math.max(...Array.from(values, Math.abs))).toBeLessThanOrEqual(limit);
      expect(Math.max(...Array.from(values, Math.abs))).toBeGreaterThan(0.99 * limit);
      expect(variance(values) / (2 / (fanIn + fanOut))).toBeCloseTo(1, 1);
    }
    expect(Array.from(tf.tidy(() => glorotUniform(fanIn, fanOut, 5).dataSync()))).toEqual(Array.from(ours));
  });
});

describe("the encoder's initialisation", () => {
  it("'keras': every GRU's recurrent kernel orthogonal as one matrix, Glorot kernels, zero biases", () => {
    const encoder = Encoder.initial({ ...PAPER_MODEL, hiddenUnits: 12, gruLayers: 2 }, 3, 'keras');
    try {
      for (const g of encoder.grus) {
        expect(offIdentity(g.recurrentKernel.dataSync(), 12, 36)).toBeLessThan(1e-6);
        expect(g.bias.dataSync().every((v) => v === 0)).toBe(true);
      }
      const limit = Math.sqrt(6 / (74 + 36));
      expect(Math.max(...Array.from(encoder.grus[0].kernel.dataSync(), Math.abs))).toBeLessThanOrEqual(limit);
    } finally {
      encoder.dispose();
    }
  });
});
