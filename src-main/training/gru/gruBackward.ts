/**
 * Backpropagation through time for the reset_after GRU of gruForward.ts.
 *
 * With dh' the gradient reaching a step's new state (a = x Kh + bh_in + r*q, q = h Uh + bh_rec):
 *   dn      = dh' (1 - z)                dh_prev (direct) = dh' z
 *   da      = dn (1 - n^2)               (tanh')
 *   daz     = dh' (h - n) z (1 - z)  = dn * zh          (zh = z (h - n), saved)
 *   dar     = da q r (1 - r)         = p - p r,  p = da * rq   (rq = r q, saved)
 *   dq      = da r
 * The gate pre-activation gradients form two [B, 3H] blocks, in Keras column order z, r, h:
 *   dGin  = [daz, dar, da]   (what reaches x K + b_in)
 *   dGrec = [daz, dar, dq]   (what reaches h U + b_rec)
 * and dh_prev = dGrec · U^T + dh' z. Only that product is needed inside the loop; the weight
 * gradients are then one big matMul each over all steps (weightGradients).
 *
 * Porting note: every product uses an explicitly transposed operand and a plain matMul.
 * On the wasm backend matMul with transposeA/transposeB is 15-25x slower than
 * tf.transpose followed by a plain matMul, and autograd's matMul gradient takes that
 * slow path, which is one reason this pass is written by hand.
 */
import * as tf from '@tensorflow/tfjs';
import type { StepCache, StepRecord } from './gruForward';
import { uploadStep, type TimeMajorHost } from './hostSteps';
import { stepMaskTensor, type StepPlan } from './stepPlan';

export interface BackwardInputs {
  readonly records: readonly StepRecord[];
  readonly plan: StepPlan;
  /** U^T, [3H, H]. */
  readonly recurrentKernelT: tf.Tensor2D;
  /** Gradient w.r.t. each step's output, time-major on the host; already zero where an output is a constant. */
  readonly dOutputs: TimeMajorHost | null;
  /** Gradient w.r.t. the final state. */
  readonly dFinal: tf.Tensor2D | null;
  readonly zeroOutputForMask: boolean;
}

export interface BackwardPass {
  /** Per step [B, 3H], in time order. */
  readonly dGatesInput: tf.Tensor2D[];
  readonly dGatesRecurrent: tf.Tensor2D[];
  /** Gradient w.r.t. the initial state. */
  readonly dInitialState: tf.Tensor2D;
}

type CellGrads = { dhPrev: tf.Tensor2D; dGin: tf.Tensor2D; dGrec: tf.Tensor2D };

/** Gradients of one unmasked cell given dh' = dL/dh_new. */
export function cellBackward(dhNew: tf.Tensor2D, c: StepCache, recurrentKernelT: tf.Tensor2D): CellGrads {
  const gz = tf.mul<tf.Tensor2D>(dhNew, c.z);
  const dn = tf.sub<tf.Tensor2D>(dhNew, gz);
  const daZ = tf.mul<tf.Tensor2D>(dn, c.zh);
  const daN = tf.sub<tf.Tensor2D>(dn, tf.mul(tf.mul(dn, c.n), c.n));
  const p = tf.mul<tf.Tensor2D>(daN, c.rq);
  const daR = tf.sub<tf.Tensor2D>(p, tf.mul(p, c.r));
  const dq = tf.mul<tf.Tensor2D>(daN, c.r);
  const dGrec = tf.concat([daZ, daR, dq], 1);
  const dGin = tf.concat([daZ, daR, daN], 1);
  const dhPrev = tf.add<tf.Tensor2D>(tf.matMul(dGrec, recurrentKernelT), gz);
  return { dhPrev, dGin, dGrec };
}

/** Masked step: padded samples got h = h_prev, so their gradient skips the cell and flows on unchanged. */
function maskedStepBackward(dh: tf.Tensor2D, t: number, cache: StepCache, inputs: BackwardInputs): CellGrads {
  if (inputs.plan.kinds[t] === 'all') return cellBackward(dh, cache, inputs.recurrentKernelT);
  const m = stepMaskTensor(inputs.plan, t);
  const dhNew = tf.mul<tf.Tensor2D>(dh, m);
  const cell = cellBackward(dhNew, cache, inputs.recurrentKernelT);
  return { ...cell, dhPrev: tf.add<tf.Tensor2D>(cell.dhPrev, tf.sub(dh, dhNew)) };
}

/** Whether step t's output depends on the state (a zeroed padded output is a constant). */
function outputReceivesGradient(inputs: BackwardInputs, t: number): boolean {
  return inputs.dOutputs !== null && !(inputs.zeroOutputForMask && inputs.plan.kinds[t] === 'none');
}

/**
 * Walks the steps from last to first carrying dh = dL/dh_t. Each step's temporaries die in its
 * own tidy; what survives is one [B, H] dh and two [B, 3H] gate-gradient blocks per step.
 */
export function runBackward(inputs: BackwardInputs): BackwardPass {
  const { plan, records } = inputs;
  const [batch, units] = records[0].hPrev.shape;
  const dGatesInput = new Array<tf.Tensor2D>(plan.steps);
  const dGatesRecurrent = new Array<tf.Tensor2D>(plan.steps);
  const noGateGrad = tf.zeros([batch, 3 * units]) as tf.Tensor2D;
  let dh: tf.Tensor2D | null = inputs.dFinal;
  for (let t = plan.steps - 1; t >= 0; t--) {
    const dOut = inputs.dOutputs;
    if (dOut !== null && outputReceivesGradient(inputs, t)) {
      const before = dh;
      dh = tf.tidy(() => (before === null ? uploadStep(dOut, t) : tf.add<tf.Tensor2D>(before, uploadStep(dOut, t))));
    }
    const cache = records[t].cache;
    if (cache === null || dh === null) {
      // Skipped step (state passed through) or nothing to propagate yet: no gate gradient.
      dGatesInput[t] = noGateGrad;
      dGatesRecurrent[t] = noGateGrad;
      continue;
    }
    const dhAfter = dh;
    const grads = tf.tidy(() => maskedStepBackward(dhAfter, t, cache, inputs));
    dGatesInput[t] = grads.dGin;
    dGatesRecurrent[t] = grads.dGrec;
    dh = grads.dhPrev;
  }
  return { dGatesInput, dGatesRecurrent, dInitialState: dh ?? (tf.zeros([batch, units]) as tf.Tensor2D) };
}

/**
 * a^T · g together with the column sums of g, as one matMul: (g^T · [a | 1])^T, split into
 * [K, M] and [1, M]. `gT` is g already transposed ([M, N]), as the caller may reuse it.
 *
 * Porting note: the ones column folds the bias gradient into the weight product (a separate
 * tf.sum over axis 0 transposes internally and costs ~10 ms per [3200, 768] on wasm). The
 * product is taken as g^T · [a | 1] rather than [a | 1]^T · g because the wasm backend packs
 * its right operand into XNNPACK's layout anew for every new tensor, at a cost that grows
 * with its size: [a | 1] ([B*T, K + 1]) is a third the size of g ([B*T, 3H]) for the
 * recurrent kernel and a tenth for the first layer's input kernel, which made these products
 * 1.5-2x faster (CPU time, paper shapes).
 */
function transposedProductAndColumnSums(a: tf.Tensor2D, gT: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const [rows, k] = a.shape;
  const augmented = tf.concat([a, tf.ones([rows, 1])], 1);
  const product = tf.transpose(tf.matMul(gT, augmented));
  return tf.split(product, [k, 1], 0) as [tf.Tensor2D, tf.Tensor2D];
}

export interface WeightGradients {
  readonly dx: tf.Tensor3D;
  readonly dKernel: tf.Tensor2D;
  readonly dRecurrentKernel: tf.Tensor2D;
  readonly dBias: tf.Tensor2D;
}

/**
 * All parameter and input gradients from the per-step gate gradients, each as one matMul over
 * all B*T rows (time-major row order t*B + b, matching the stacked per-step blocks).
 */
export function weightGradients(x: tf.Tensor3D, kernel: tf.Tensor2D, records: readonly StepRecord[], pass: BackwardPass): WeightGradients {
  const [batch, steps, inputSize] = x.shape;
  const dGin = tf.concat(pass.dGatesInput, 0);
  const dGrec = tf.concat(pass.dGatesRecurrent, 0);
  const xRows = tf.reshape(tf.transpose(x, [1, 0, 2]), [steps * batch, inputSize]) as tf.Tensor2D;
  const [dKernel, dBiasIn] = transposedProductAndColumnSums(xRows, tf.transpose(dGin));
  const hRows = tf.concat(records.map((r) => r.hPrev), 0);
  const [dRecurrentKernel, dBiasRec] = transposedProductAndColumnSums(hRows, tf.transpose(dGrec));
  const dxRows = tf.matMul(dGin, tf.transpose(kernel));
  const dx = tf.transpose(tf.reshape(dxRows, [steps, batch, inputSize]), [1, 0, 2]) as tf.Tensor3D;
  return { dx, dKernel, dRecurrentKernel, dBias: tf.concat([dBiasIn, dBiasRec], 0) };
}
