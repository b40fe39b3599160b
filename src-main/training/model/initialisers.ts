/**
 * How every weight in the workbench starts: the paper's network (its jobs), the bench's
 * FusedGRU layer and the test-only reference cell all draw from here.
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

type Shape = number[];

/** A seed for layers built without one, as tfjs's own initialisers do. */
const randomSeed = () => Math.floor(Math.random() * 2 ** 31);

/**
 * `orthogonal` as a tfjs-layers initialiser (for FusedGRU): the last dimension is the columns,
 * the others flattened into rows, as Keras does. Registered, so a saved model.json names it.
 */
export class SeededOrthogonal extends tf.serialization.Serializable {
  static className = 'SeededOrthogonal';
  private readonly seed: number;

  constructor(config: { seed?: number } = {}) {
    super();
    this.seed = config.seed ?? randomSeed();
  }

  fromConfigUsesCustomObjects(): boolean {
    return false;
  }

  apply(shape: Shape, dtype?: tf.DataType): tf.Tensor {
    if (shape.length < 2) throw new Error(`an orthogonal initialiser needs a matrix, got shape [${shape.join(', ')}]`);
    if (dtype !== undefined && dtype !== 'float32') throw new Error(`an orthogonal initialiser makes float32 values, not ${dtype}`);
    const cols = shape[shape.length - 1];
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return tf.tensor(orthogonal(rows, cols, this.seed), shape);
  }

  getConfig(): tf.serialization.ConfigDict {
    return { seed: this.seed };
  }

  override getClassName(): string {
    return SeededOrthogonal.className;
  }
}
tf.serialization.registerClass(SeededOrthogonal);

/** The layer initialisers FusedGRU defaults to, by Keras's names. */
export const layerInitialisers = {
  glorotUniform: (seed?: number) => tf.initializers.glorotUniform({ seed }),
  orthogonal: (seed?: number) => new SeededOrthogonal({ seed }),
  zeros: () => tf.initializers.zeros(),
};
