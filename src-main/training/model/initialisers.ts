/**
 * How every weight of the paper's network (its jobs) starts.
 *
 * Keras's defaults for GRU and Dense: Glorot-uniform kernels (uniform in
 * ±sqrt(6 / (fan_in + fan_out))), zero biases, and an orthogonal recurrent kernel. Keras's
 * Orthogonal makes the whole [H, 3H] matrix orthogonal at once (orthonormal rows: W Wᵀ = I,
 * every singular value 1). The 'orthogonal-per-gate' scheme, what every run recorded before
 * the initialisation became a setting used, makes each [H, H] gate block orthogonal on its own
 * (W Wᵀ = 3 I), so its recurrent weights start about sqrt(3) larger.
 *
 * The orthogonal matrices are computed here, seeded, in float64 on the host: tfjs's
 * Orthogonal initialiser warns on every matrix above 2,000 elements (a training process's
 * output would fill with it) and runs a QR decomposition op by op.
 */
import * as tf from '@tensorflow/tfjs';
import type { Initialisation } from '@shared/api/entities';
import { Rng } from '@shared/random';

/** Glorot-uniform [fanIn, fanOut] from a seed (tfjs's own, which draws on the host: the same values on every backend). */
export function glorotUniform(fanIn: number, fanOut: number, seed: number): tf.Tensor2D {
  return tf.initializers.glorotUniform({ seed }).apply([fanIn, fanOut]) as tf.Tensor2D;
}

/**
 * A seeded random [rows, cols] matrix with orthonormal rows (rows <= cols) or columns (rows > cols),
 * row-major: Keras's Orthogonal. A [max, min] standard normal matrix is orthonormalised column by
 * column (modified Gram-Schmidt in float64), which gives QR's Q with R's diagonal positive, the
 * sign convention Keras applies; it is transposed when rows < cols. Square matrices come out
 * exactly as the per-gate blocks of earlier runs did (same draws, same arithmetic).
 */
export function orthogonal(rows: number, cols: number, seed: number): Float32Array {
  const long = Math.max(rows, cols);
  const short = Math.min(rows, cols);
  const rng = new Rng(seed);
  const columns = Array.from({ length: short }, () => Float64Array.from({ length: long }, () => rng.normal()));
  for (let j = 0; j < short; j++) {
    const q = columns[j];
    for (let k = 0; k < j; k++) {
      const other = columns[k];
      let dot = 0;
      for (let i = 0; i < long; i++) dot += q[i] * other[i];
      for (let i = 0; i < long; i++) q[i] -= dot * other[i];
    }
    const norm = Math.hypot(...q);
    for (let i = 0; i < long; i++) q[i] /= norm;
  }
  const out = new Float32Array(rows * cols);
  // Column j of the [long, short] Q is row j of the result when rows < cols, else its column j.
  for (let j = 0; j < short; j++) {
    for (let i = 0; i < long; i++) {
      if (rows < cols) out[j * cols + i] = columns[j][i];
      else out[i * cols + j] = columns[j][i];
    }
  }
  return out;
}

/** The recurrent kernel [H, 3H] of a GRU under a scheme; the per-gate blocks take seeds seed, seed + 1, seed + 2. */
export function recurrentKernel(units: number, seed: number, scheme: Initialisation): tf.Tensor2D {
  if (scheme === 'keras') return tf.tensor2d(orthogonal(units, 3 * units, seed), [units, 3 * units]);
  return tf.tidy(() => tf.concat([0, 1, 2].map((i) => tf.tensor2d(orthogonal(units, units, seed + i), [units, units])), 1));
}
