/**
 * A fused reset_after GRU over a whole sequence, with a hand-written backward pass.
 *
 * Same maths, weight layout and masking semantics as a Keras GRU(reset_after=True),
 * i.e. what cuDNN and torch.nn.GRU compute; the weights are inputs of one
 * tf.customGrad op, so gradients reach x, kernel, recurrentKernel, bias (and the
 * initial state when one is given).
 *
 * Porting note: tf.customGrad supports a single output tensor. When both the
 * sequence and the final state are wanted, the op returns them stacked as
 * [B, T + 1, H] and they are sliced apart outside it, so the gradients of both
 * arrive in one dy. Callers that need only one of them (the common case in a
 * model) use gruOutputs / gruFinalState, which skip that packing.
 */
import * as tf from '@tensorflow/tfjs';
import { runBackward, weightGradients } from './gruBackward';
import { prepareStepWeights, runForward, type GruWeights, type StepCache, type StepRecord } from './gruForward';
import { readTimeMajor, uploadStep, type TimeMajorHost } from './hostSteps';
import { fullPlan, planFromLengths, planFromMask, timeMajorMaskTensor, type StepPlan } from './stepPlan';

export type { GruWeights } from './gruForward';

export interface GruSequenceOptions {
  /** [B, T], nonzero = valid step. Masked steps leave the state unchanged and get no gradient. */
  readonly mask?: tf.Tensor;
  /** Right padding, one length per sample (alternative to `mask`). */
  readonly lengths?: ArrayLike<number> | tf.Tensor1D;
  /** [B, H]; zeros when absent. */
  readonly initialState?: tf.Tensor2D;
  /**
   * Output at a padded step: false (default) = the carried state, as tfjs-layers and Keras rnn() do;
   * true = zeros, as PyTorch's pad_packed_sequence and Keras' cuDNN path do.
   */
  readonly zeroOutputForMask?: boolean;
}

export interface GruSequenceResult {
  /** [B, T, H] */
  readonly outputs: tf.Tensor3D;
  /** [B, H]: the state after the last valid step of each sample. */
  readonly finalState: tf.Tensor2D;
}

/** What the op returns: the sequence and the final state stacked, or only one of them. */
type Packing = 'both' | 'sequence' | 'state';

interface OpConfig {
  readonly plan: StepPlan;
  readonly packing: Packing;
  readonly zeroOutputForMask: boolean;
  readonly hasInitialState: boolean;
}

function checkShapes(x: tf.Tensor3D, w: GruWeights, initialState: tf.Tensor2D | undefined): void {
  if (x.rank !== 3) throw new Error(`x must be [batch, time, features], got rank ${x.rank}`);
  for (const [name, t] of [['x', x], ['kernel', w.kernel], ['recurrentKernel', w.recurrentKernel], ['bias', w.bias]] as const) {
    if (t.dtype !== 'float32') throw new Error(`${name} must be float32, got ${t.dtype}`);
  }
  const [batch, steps, inputSize] = x.shape;
  const units = w.recurrentKernel.shape[0];
  const expect = (name: string, actual: readonly number[], wanted: readonly number[]) => {
    if (actual.length !== wanted.length || actual.some((d, i) => d !== wanted[i])) {
      throw new Error(`${name} must have shape [${wanted.join(', ')}], got [${actual.join(', ')}]`);
    }
  };
  if (steps < 1) throw new Error('x must have at least one time step');
  expect('recurrentKernel', w.recurrentKernel.shape, [units, 3 * units]);
  expect('kernel', w.kernel.shape, [inputSize, 3 * units]);
  expect('bias', w.bias.shape, [2, 3 * units]);
  if (initialState != null) expect('initialState', initialState.shape, [batch, units]);
}

function planFor(x: tf.Tensor3D, options: GruSequenceOptions): StepPlan {
  const [batch, steps] = x.shape;
  // `!= null`: tfjs-layers uses null for "no mask" (e.g. Tensor.kerasMask), so accept it too.
  if (options.mask != null && options.lengths != null) throw new Error('give either mask or lengths, not both');
  if (options.mask != null) return planFromMask(options.mask, batch, steps);
  if (options.lengths != null) return planFromLengths(options.lengths, batch, steps);
  return fullPlan(batch, steps);
}

/** The op's single output value. */
function packValue(outputs: tf.Tensor2D[] | null, finalState: tf.Tensor2D, packing: Packing): tf.Tensor {
  if (packing === 'state') return finalState;
  if (outputs === null) throw new Error('packValue: per-step outputs were not kept');
  return tf.stack(packing === 'both' ? [...outputs, finalState] : outputs, 1);
}

const CACHE_KEYS = ['z', 'r', 'n', 'zh', 'rq'] as const;

/** Flat save list: x, kernel, recurrentKernel, h_prev of every step, then the caches of computed steps. */
function packSaved(x: tf.Tensor, kernel: tf.Tensor, recurrentKernel: tf.Tensor, records: readonly StepRecord[]): tf.Tensor[] {
  const saved: tf.Tensor[] = [x, kernel, recurrentKernel, ...records.map((r) => r.hPrev)];
  for (const { cache } of records) if (cache !== null) saved.push(...CACHE_KEYS.map((k) => cache[k]));
  return saved;
}

function unpackSaved(saved: readonly tf.Tensor[], plan: StepPlan) {
  const [x, kernel, recurrentKernel] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
  let next = 3 + plan.steps;
  const records: StepRecord[] = plan.kinds.map((kind, t) => {
    const hPrev = saved[3 + t] as tf.Tensor2D;
    if (kind === 'none') return { hPrev, cache: null };
    const [z, r, n, zh, rq] = saved.slice(next, (next += CACHE_KEYS.length)) as tf.Tensor2D[];
    const cache: StepCache = { z, r, n, zh, rq };
    return { hPrev, cache };
  });
  return { x, kernel, recurrentKernel, records };
}

/** Splits dy into the per-step output gradients (on the host) and the final-state gradient. */
function outputGradients(dy: tf.Tensor, cfg: OpConfig): { dOutputs: TimeMajorHost | null; dFinal: tf.Tensor2D | null } {
  if (cfg.packing === 'state') return { dOutputs: null, dFinal: dy as tf.Tensor2D };
  const { batch } = cfg.plan;
  // With zeroed padded outputs, their gradient must not reach the state: zero it before reading.
  const mask = cfg.zeroOutputForMask ? timeMajorMaskTensor(cfg.plan) : null;
  const rowScale = mask !== null && cfg.packing === 'both' ? tf.concat([mask, tf.ones<tf.Rank.R3>([1, batch, 1])], 0) : mask;
  const dOutputs = readTimeMajor(dy as tf.Tensor3D, rowScale);
  const dFinal = cfg.packing === 'both' ? uploadStep(dOutputs, cfg.plan.steps) : null;
  return { dOutputs, dFinal };
}

function gradients(dy: tf.Tensor, saved: readonly tf.Tensor[], cfg: OpConfig): tf.Tensor[] {
  return tf.tidy(() => {
    const { x, kernel, recurrentKernel, records } = unpackSaved(saved, cfg.plan);
    const { dOutputs, dFinal } = outputGradients(dy, cfg);
    const pass = runBackward({
      records,
      plan: cfg.plan,
      recurrentKernelT: tf.transpose(recurrentKernel),
      dOutputs,
      dFinal,
      zeroOutputForMask: cfg.zeroOutputForMask,
    });
    const g = weightGradients(x, kernel, records, pass);
    const grads: tf.Tensor[] = [g.dx, g.dKernel, g.dRecurrentKernel, g.dBias];
    if (cfg.hasInitialState) grads.push(pass.dInitialState);
    return grads;
  });
}

/** Builds and runs the customGrad op; inputs are x, kernel, recurrentKernel, bias[, initialState]. */
function runOp(x: tf.Tensor3D, w: GruWeights, initialState: tf.Tensor2D | undefined, cfg: OpConfig): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xIn, kernel, recurrentKernel, bias, h0In] = args as tf.Tensor[];
    const [batch] = xIn.shape;
    const units = recurrentKernel.shape[0];
    const h0 = cfg.hasInitialState ? (h0In as tf.Tensor2D) : (tf.zeros([batch, units]) as tf.Tensor2D);
    const weights = { kernel, recurrentKernel, bias } as GruWeights;
    const pass = runForward(readTimeMajor(xIn as tf.Tensor3D), h0, prepareStepWeights(weights), cfg.plan, {
      zeroOutputForMask: cfg.zeroOutputForMask,
      keepOutputs: cfg.packing !== 'state',
    });
    save(packSaved(xIn, kernel, recurrentKernel, pass.records));
    return {
      value: packValue(pass.outputs, pass.finalState, cfg.packing),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradients(dy, saved, cfg),
    };
  });
  const inputs: tf.Tensor[] = [x, w.kernel, w.recurrentKernel, w.bias];
  if (initialState != null) inputs.push(initialState);
  return op(...inputs);
}

function configure(x: tf.Tensor3D, w: GruWeights, options: GruSequenceOptions, packing: Packing): OpConfig {
  checkShapes(x, w, options.initialState);
  return {
    plan: planFor(x, options),
    packing,
    zeroOutputForMask: options.zeroOutputForMask ?? false,
    hasInitialState: options.initialState != null,
  };
}

/** Outputs [B, T, H] and final state [B, H] of one GRU layer over x [B, T, D]. */
export function gruSequence(x: tf.Tensor3D, weights: GruWeights, options: GruSequenceOptions = {}): GruSequenceResult {
  const cfg = configure(x, weights, options, 'both');
  return tf.tidy(() => {
    const packed = runOp(x, weights, options.initialState, cfg) as tf.Tensor3D;
    const [batch, steps, units] = [x.shape[0], x.shape[1], weights.recurrentKernel.shape[0]];
    return {
      outputs: tf.slice(packed, [0, 0, 0], [batch, steps, units]),
      finalState: tf.reshape(tf.slice(packed, [0, steps, 0], [batch, 1, units]), [batch, units]) as tf.Tensor2D,
    };
  });
}

/** Only the outputs [B, T, H] (return_sequences=True, return_state=False). */
export function gruOutputs(x: tf.Tensor3D, weights: GruWeights, options: GruSequenceOptions = {}): tf.Tensor3D {
  return runOp(x, weights, options.initialState, configure(x, weights, options, 'sequence')) as tf.Tensor3D;
}

/** Only the final state [B, H] (return_sequences=False). */
export function gruFinalState(x: tf.Tensor3D, weights: GruWeights, options: GruSequenceOptions = {}): tf.Tensor2D {
  return runOp(x, weights, options.initialState, configure(x, weights, options, 'state')) as tf.Tensor2D;
}
