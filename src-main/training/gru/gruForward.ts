/**
 * Forward recurrence of a reset_after GRU (the cuDNN / PyTorch / Keras 2 default variant):
 *
 *   z  = sigmoid(x Kz + h Uz + bz_in + bz_rec)
 *   r  = sigmoid(x Kr + h Ur + br_in + br_rec)
 *   n  = tanh(x Kh + bh_in + r * (h Uh + bh_rec))
 *   h' = z * h + (1 - z) * n  =  n + z * (h - n)
 *
 * Porting note (why the input projection is per step, not one big matMul):
 * the textbook layout computes X·K for all steps at once and then walks the
 * [T, B, 3H] result. On the wasm backend the walk is the expensive part (see
 * hostSteps.ts) while a [32, K] x [K, N] matMul runs at the same ~35 GFLOP/s as
 * a [3200, K] x [K, N] one. So each step instead multiplies [x_t, h] (one
 * concat) by the stacked [Kz; Uz] and [Kr; Ur]: one matMul per gate, with the
 * bias and sigmoid fused in (tfjs fuses a non-linear activation only while no
 * gradient tape is recording; under training it falls back to matMul + add +
 * sigmoid, same result). The total FLOPs are unchanged and the per-step op count
 * (the real cost: ~10-30 us of dispatch per op) drops. The backward pass still
 * accumulates the weight gradients with one big matMul each, over all steps.
 */
import * as tf from '@tensorflow/tfjs';
import { uploadStep, type TimeMajorHost } from './hostSteps';
import { stepMaskTensor, type StepPlan } from './stepPlan';

/** Keras-layout weights of one layer: gate columns z, r, h; bias rows input, recurrent. */
export interface GruWeights {
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias: tf.Tensor2D;
}

/**
 * Per-gate operands (and two scalars) of the step loop, made from the Keras weights once per
 * call. Kernels are [1, K, N]: the shape the fused matMul kernel takes (see fusedStep).
 */
export type StepWeights = {
  /** [1, D + H, H]: update-gate kernel stacked over its recurrent kernel, for [x_t, h] · wz. */
  wz: tf.Tensor3D;
  /** [1, D + H, H]: the same for the reset gate. */
  wr: tf.Tensor3D;
  /** [1, D, H] and [1, H, H]: candidate kernels, kept apart because r multiplies only the recurrent part. */
  kh: tf.Tensor3D;
  uh: tf.Tensor3D;
  /** Input and recurrent biases of z and r simply add, so they are pre-summed. */
  bz: tf.Tensor1D;
  br: tf.Tensor1D;
  bhIn: tf.Tensor1D;
  /** Stays inside r * (h Uh + bh_rec): this is what makes the variant "reset_after". */
  bhRec: tf.Tensor1D;
  /** Scalars for tanhViaSigmoid, made once per call (a bare number would upload a new scalar per op). */
  one: tf.Scalar;
  two: tf.Scalar;
};

/** What the backward pass needs from one computed step (all [B, H]). */
export type StepCache = {
  z: tf.Tensor2D;
  r: tf.Tensor2D;
  n: tf.Tensor2D;
  /** z * (h_prev - n): both the update term of h' and, times (1 - z), the update-gate gradient factor. */
  zh: tf.Tensor2D;
  /** r * (h Uh + bh_rec): gives the reset-gate gradient without saving h Uh itself. */
  rq: tf.Tensor2D;
};

/** One time step as the backward pass sees it; `cache` is null when the step was skipped (all padded). */
export interface StepRecord {
  readonly hPrev: tf.Tensor2D;
  readonly cache: StepCache | null;
}

export interface ForwardPass {
  /** Per-step outputs [B, H] (null when not requested). */
  readonly outputs: tf.Tensor2D[] | null;
  readonly finalState: tf.Tensor2D;
  readonly records: StepRecord[];
}

export interface ForwardOptions {
  /** Output at a padded step: false = the carried state (tfjs/Keras rnn()), true = zeros (PyTorch, cuDNN). */
  readonly zeroOutputForMask: boolean;
  readonly keepOutputs: boolean;
}

export function prepareStepWeights(w: GruWeights): StepWeights {
  const [kz, kr, kh] = tf.split(w.kernel, 3, 1) as tf.Tensor2D[];
  const [uz, ur, uh] = tf.split(w.recurrentKernel, 3, 1) as tf.Tensor2D[];
  const [biasIn, biasRec] = tf.unstack(w.bias) as tf.Tensor1D[];
  const [bzIn, brIn, bhIn] = tf.split(biasIn, 3) as tf.Tensor1D[];
  const [bzRec, brRec, bhRec] = tf.split(biasRec, 3) as tf.Tensor1D[];
  const batched = (m: tf.Tensor2D) => tf.expandDims(m, 0) as tf.Tensor3D;
  return {
    wz: batched(tf.concat([kz, uz], 0)),
    wr: batched(tf.concat([kr, ur], 0)),
    kh: batched(kh),
    uh: batched(uh),
    bz: tf.add(bzIn, bzRec),
    br: tf.add(brIn, brRec),
    bhIn,
    bhRec,
    one: tf.scalar(1),
    two: tf.scalar(2),
  };
}

/**
 * tanh(a) = 2 sigmoid(2a) - 1.
 * Porting note: the wasm backend's Tanh kernel is not vectorised (~150 us for [32, 256]) while
 * its Sigmoid is (~12 us); the four ops together take ~30 us. The identity costs at most a few
 * float32 ulps (absolute error ~1e-7 near 0), far inside the 1e-4 parity tolerance.
 */
function tanhViaSigmoid(a: tf.Tensor2D, w: StepWeights): tf.Tensor2D {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(a, w.two)), w.two), w.one);
}

/**
 * a [M, K] · b [1, K, N] + bias, then the activation, as one kernel.
 *
 * Porting note: tf.fused.matMul fuses a non-linear activation only while no gradient is being
 * recorded, and training records one, so it would run matMul + add + sigmoid. Inside this
 * layer's forward pass nothing is recorded (the op's gradient is written by hand), so the
 * fused kernel is called directly: two kernels fewer per gate and step.
 */
function fusedStep(a: tf.Tensor2D, b: tf.Tensor3D, bias: tf.Tensor1D, activation: 'linear' | 'sigmoid'): tf.Tensor2D {
  const [m] = a.shape;
  // WASM and plain JS fuse the sigmoid in their kernel; elsewhere it follows as its own op.
  const fused = activation === 'linear' || FUSES_SIGMOID.includes(tf.getBackend());
  const attrs = { transposeA: false, transposeB: false, activation: fused ? activation : 'linear' };
  const out = tf.reshape(tf.engine().runKernel(tf._FusedMatMul, { a: tf.expandDims(a, 0), b, bias }, attrs) as tf.Tensor3D, [m, b.shape[2]]) as tf.Tensor2D;
  return fused ? out : tf.sigmoid(out);
}

const FUSES_SIGMOID = ['wasm', 'cpu'];

/** The unmasked cell: h' from x_t [B, D] and h_prev [B, H], plus what its gradient needs. */
export function cellStep(xt: tf.Tensor2D, hPrev: tf.Tensor2D, w: StepWeights): { hNew: tf.Tensor2D; cache: StepCache } {
  const xAndH = tf.concat([xt, hPrev], 1);
  const z = fusedStep(xAndH, w.wz, w.bz, 'sigmoid');
  const r = fusedStep(xAndH, w.wr, w.br, 'sigmoid');
  const xh = fusedStep(xt, w.kh, w.bhIn, 'linear');
  const q = fusedStep(hPrev, w.uh, w.bhRec, 'linear');
  const rq = tf.mul<tf.Tensor2D>(r, q);
  const n = tanhViaSigmoid(tf.add<tf.Tensor2D>(xh, rq), w);
  const zh = tf.mul<tf.Tensor2D>(z, tf.sub(hPrev, n));
  return { hNew: tf.add<tf.Tensor2D>(n, zh), cache: { z, r, n, zh, rq } };
}

type MaskedStep = { h: tf.Tensor2D; output: tf.Tensor2D; cache: StepCache };

/** Cell plus masking: padded samples keep h_prev (Keras semantics); their output follows the option. */
function maskedStep(xs: TimeMajorHost, t: number, hPrev: tf.Tensor2D, w: StepWeights, plan: StepPlan, zeroOutputForMask: boolean): MaskedStep {
  const { hNew, cache } = cellStep(uploadStep(xs, t), hPrev, w);
  if (plan.kinds[t] === 'all') return { h: hNew, output: hNew, cache };
  const m = stepMaskTensor(plan, t);
  const h = tf.add<tf.Tensor2D>(hPrev, tf.mul(m, tf.sub(hNew, hPrev)));
  return { h, output: zeroOutputForMask ? tf.mul<tf.Tensor2D>(m, hNew) : h, cache };
}

/** Runs all steps. Each step's temporaries are freed by its own tidy; only state, output and cache survive. */
export function runForward(xs: TimeMajorHost, h0: tf.Tensor2D, w: StepWeights, plan: StepPlan, opts: ForwardOptions): ForwardPass {
  const outputs: tf.Tensor2D[] = [];
  const records: StepRecord[] = [];
  let zeros: tf.Tensor2D | null = null;
  let h = h0;
  for (let t = 0; t < plan.steps; t++) {
    if (plan.kinds[t] === 'none') {
      // Nobody is live: the state passes through untouched and the cell is not run at all.
      records.push({ hPrev: h, cache: null });
      if (opts.keepOutputs) outputs.push(opts.zeroOutputForMask ? (zeros ??= tf.zerosLike(h)) : h);
      continue;
    }
    const hPrev = h;
    const step = tf.tidy(() => maskedStep(xs, t, hPrev, w, plan, opts.zeroOutputForMask));
    records.push({ hPrev, cache: step.cache });
    if (opts.keepOutputs) outputs.push(step.output);
    h = step.h;
  }
  return { outputs: opts.keepOutputs ? outputs : null, finalState: h, records };
}
