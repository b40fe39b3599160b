/**
 * Per-time-step views of a [B, T, F] tensor, made on the host.
 *
 * Porting note: the obvious way to walk a sequence, `tf.unstack(x, 1)` (what
 * tfjs-layers' rnn() does) or one `tf.slice` per step, is quadratic on the
 * wasm backend of tfjs 4.22: its Slice kernel first copies the *whole* source
 * tensor out of the wasm heap (`readSync`) and then picks the slice, so
 * unstacking a [100, 32, 768] tensor takes ~1.8 s. Gather is native but runs
 * at ~50 ns per element (~0.45 ms for one [32, 256] step) and StridedSlice is
 * slower still. Reading the tensor to the host once, in time-major order, and
 * uploading each step as its own small tensor costs one transpose + one read
 * (a few ms) plus ~10 us per step.
 */
import * as tf from '@tensorflow/tfjs';

/** Host copy of a [B, T, F] tensor laid out time-major ([T, B, F]), so each step is contiguous. */
export interface TimeMajorHost {
  readonly values: Float32Array;
  readonly batch: number;
  readonly steps: number;
  readonly features: number;
}

/**
 * Reads `x` [B, T, F] to the host, time-major. `rowScale` ([T, B, 1], optional) is multiplied in
 * on the device first; it is how padded steps are zeroed before reading.
 */
export function readTimeMajor(x: tf.Tensor3D, rowScale: tf.Tensor3D | null = null): TimeMajorHost {
  const [batch, steps, features] = x.shape;
  // Not tf.tidy(() => ...dataSync()): tidy walks its result looking for tensors, and walking a
  // typed array visits every element (~250 ms for 240k floats). Dispose explicitly instead.
  const timeMajor = tf.tidy(() => {
    const transposed = tf.transpose(x, [1, 0, 2]);
    return rowScale === null ? transposed : tf.mul(transposed, rowScale);
  });
  try {
    // The cpu backend may hand back its own storage: treat the array as read-only.
    return { values: timeMajor.dataSync() as Float32Array, batch, steps, features };
  } finally {
    timeMajor.dispose();
  }
}

/** Step t as a fresh [B, F] tensor (the caller owns and disposes it). */
export function uploadStep(host: TimeMajorHost, t: number): tf.Tensor2D {
  const size = host.batch * host.features;
  return tf.tensor2d(host.values.subarray(t * size, (t + 1) * size), [host.batch, host.features]);
}
