/**
 * Which samples are live at each time step, decided once on the host.
 *
 * Porting note: tfjs-layers' rnn() multiplies every step by the mask, even when
 * the whole batch is valid (most steps of right-padded data) or wholly padded
 * (the tail). Knowing the mask on the host lets the recurrent loop skip the
 * masking arithmetic on full steps and skip the cell entirely on empty ones,
 * which keeps the per-step op count (the real cost on wasm) low.
 */
import * as tf from '@tensorflow/tfjs';

/** 'all': every sample valid; 'none': every sample padded; 'partial': mixed. */
export type StepKind = 'all' | 'none' | 'partial';

export interface StepPlan {
  readonly batch: number;
  readonly steps: number;
  readonly kinds: readonly StepKind[];
  /** Time-major [T, B] 0/1 mask, or null when every step is 'all'. */
  readonly timeMajorMask: Float32Array | null;
}

function kindOf(column: Float32Array): StepKind {
  let live = 0;
  for (const v of column) live += v;
  if (live === column.length) return 'all';
  return live === 0 ? 'none' : 'partial';
}

function planFromTimeMajor(mask: Float32Array, batch: number, steps: number): StepPlan {
  const kinds: StepKind[] = [];
  for (let t = 0; t < steps; t++) kinds.push(kindOf(mask.subarray(t * batch, (t + 1) * batch)));
  const needsMask = kinds.some((k) => k !== 'all');
  return { batch, steps, kinds, timeMajorMask: needsMask ? mask : null };
}

/** Every step valid for every sample (no mask given). */
export function fullPlan(batch: number, steps: number): StepPlan {
  return { batch, steps, kinds: new Array<StepKind>(steps).fill('all'), timeMajorMask: null };
}

/** From a [B, T] mask of any dtype; nonzero means valid (Keras casts the mask to bool the same way). */
export function planFromMask(mask: tf.Tensor, batch: number, steps: number): StepPlan {
  if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== steps) {
    throw new Error(`mask must have shape [${batch}, ${steps}] (batch, time), got [${mask.shape.join(', ')}]`);
  }
  const values = mask.dataSync();
  const timeMajor = new Float32Array(batch * steps);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) timeMajor[t * batch + b] = values[b * steps + t] !== 0 ? 1 : 0;
  }
  return planFromTimeMajor(timeMajor, batch, steps);
}

/** From right-padding lengths (PyTorch pack_padded_sequence style): sample b is valid for t < lengths[b]. */
export function planFromLengths(lengths: ArrayLike<number> | tf.Tensor, batch: number, steps: number): StepPlan {
  const values = lengths instanceof tf.Tensor ? lengths.dataSync() : lengths;
  if (values.length !== batch) throw new Error(`lengths must have one entry per sample (${batch}), got ${values.length}`);
  const timeMajor = new Float32Array(batch * steps);
  for (let b = 0; b < batch; b++) {
    const length = values[b];
    if (!Number.isInteger(length) || length < 0 || length > steps) {
      throw new Error(`lengths[${b}] = ${length} is not an integer in [0, ${steps}]`);
    }
    for (let t = 0; t < length; t++) timeMajor[t * batch + b] = 1;
  }
  return planFromTimeMajor(timeMajor, batch, steps);
}

/** The [B, 1] float mask of step t (only meaningful for 'partial' steps). */
export function stepMaskTensor(plan: StepPlan, t: number): tf.Tensor2D {
  if (plan.timeMajorMask === null) throw new Error('stepMaskTensor: the plan has no mask');
  return tf.tensor2d(plan.timeMajorMask.subarray(t * plan.batch, (t + 1) * plan.batch), [plan.batch, 1]);
}

/** The whole mask as a time-major [T, B, 1] tensor, or null when nothing is masked. */
export function timeMajorMaskTensor(plan: StepPlan): tf.Tensor3D | null {
  if (plan.timeMajorMask === null) return null;
  return tf.tensor3d(plan.timeMajorMask, [plan.steps, plan.batch, 1]);
}
