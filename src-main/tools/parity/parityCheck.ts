/**
 * Runs the fused GRU on a parity file and measures how far each quantity is from PyTorch.
 *
 * Error measure, per quantity (a whole tensor): relative = max|ours - ref| / max(max|ref|, 1e-6).
 * It is normwise (max-abs scaled) rather than elementwise, so a gradient entry that is ~0 in the
 * reference cannot blow the ratio up; the 1e-6 floor only matters for an all-zero reference.
 */
import * as tf from '@tensorflow/tfjs';
import { kerasToTorch, type HostArray, type KerasGruParams } from '../../training/gru/gateLayout';
import { gruSequence, type GruSequenceOptions, type GruWeights } from '../../training/gru/fusedGru';
import type { ParityFixture } from './parityFixture';

export const PARITY_TOLERANCE = 1e-4;
const SCALE_FLOOR = 1e-6;

export interface ErrorMeasure {
  readonly maxAbsError: number;
  readonly scale: number;
  readonly relativeError: number;
}

export interface ParityRow extends ErrorMeasure {
  readonly quantity: string;
}

export interface ParityOptions {
  /** true (default): padded outputs are zeros, as in the PyTorch reference; false: the carried state. */
  readonly zeroOutputForMask?: boolean;
  /** How padding reaches the GRU when the file is padded: its `lengths` (default) or its `mask` as a tensor. */
  readonly padding?: 'lengths' | 'mask';
}

export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): ErrorMeasure {
  if (actual.length !== expected.length) throw new Error(`length mismatch: ${actual.length} vs ${expected.length}`);
  let maxAbsError = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbsError = Math.max(maxAbsError, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { maxAbsError, scale, relativeError: maxAbsError / Math.max(scale, SCALE_FLOOR) };
}

const f32 = (a: HostArray) => Float32Array.from(a.data);
const host = (t: tf.Tensor): HostArray => ({ data: Float64Array.from(t.dataSync()), shape: t.shape });

function layerWeights(fx: ParityFixture, l: number): GruWeights {
  const k = fx.layers[l].keras;
  return {
    kernel: tf.tensor2d(f32(k.kernel), k.kernel.shape as [number, number]),
    recurrentKernel: tf.tensor2d(f32(k.recurrentKernel), k.recurrentKernel.shape as [number, number]),
    bias: tf.tensor2d(f32(k.bias), k.bias.shape as [number, number]),
  };
}

function gruOptions(fx: ParityFixture, opts: ParityOptions): GruSequenceOptions {
  const zeroOutputForMask = opts.zeroOutputForMask ?? true;
  if (fx.lengths === null) return { zeroOutputForMask };
  if ((opts.padding ?? 'lengths') === 'lengths') return { lengths: fx.lengths, zeroOutputForMask };
  if (fx.mask === null) throw new Error(`${fx.source} has lengths but no mask`);
  return { mask: tf.tensor2d(f32(fx.mask), [fx.batch, fx.steps]), zeroOutputForMask };
}

/** The stacked GRU: every layer's outputs feed the next; returns top outputs and each layer's final state. */
function runStack(x: tf.Tensor3D, weights: GruWeights[], options: GruSequenceOptions) {
  const finals: tf.Tensor2D[] = [];
  let input = x;
  for (const w of weights) {
    const { outputs, finalState } = gruSequence(input, w, options);
    finals.push(finalState);
    input = outputs;
  }
  return { outputs: input, finals };
}

/**
 * The reference outputs under the chosen padding semantics. PyTorch zeroes padded outputs; with the
 * carried-state semantics a padded step repeats the sample's last valid output (right padding).
 */
function expectedOutputs(fx: ParityFixture, zeroOutputForMask: boolean): HostArray {
  if (zeroOutputForMask || fx.lengths === null) return fx.H;
  const h = fx.hiddenSize;
  const top = fx.hLast.data.subarray((fx.layers.length - 1) * fx.batch * h);
  const data = Float64Array.from(fx.H.data);
  fx.lengths.forEach((length, b) => {
    for (let t = length; t < fx.steps; t++) data.set(top.subarray(b * h, (b + 1) * h), (b * fx.steps + t) * h);
  });
  return { data, shape: fx.H.shape };
}

function kerasRows(prefix: string, ours: KerasGruParams, ref: KerasGruParams): ParityRow[] {
  return [
    { quantity: `${prefix} kernel`, ...relativeError(ours.kernel.data, ref.kernel.data) },
    { quantity: `${prefix} recurrent_kernel`, ...relativeError(ours.recurrentKernel.data, ref.recurrentKernel.data) },
    { quantity: `${prefix} bias`, ...relativeError(ours.bias.data, ref.bias.data) },
  ];
}

function torchRows(prefix: string, ours: KerasGruParams, fx: ParityFixture, l: number): ParityRow[] {
  const t = kerasToTorch(ours);
  const ref = fx.layers[l].gradTorch;
  return [
    { quantity: `${prefix} weight_ih`, ...relativeError(t.weightIh.data, ref.weightIh.data) },
    { quantity: `${prefix} weight_hh`, ...relativeError(t.weightHh.data, ref.weightHh.data) },
    { quantity: `${prefix} bias_ih`, ...relativeError(t.biasIh.data, ref.biasIh.data) },
    { quantity: `${prefix} bias_hh`, ...relativeError(t.biasHh.data, ref.biasHh.data) },
  ];
}

/** One row per quantity: loss, outputs, each layer's final state, grad_x, every weight gradient in both layouts. */
export function checkParity(fx: ParityFixture, opts: ParityOptions = {}): ParityRow[] {
  const rows: ParityRow[] = [];
  const zeroOutputForMask = opts.zeroOutputForMask ?? true;
  tf.tidy(() => {
    const x = tf.tensor3d(f32(fx.x), [fx.batch, fx.steps, fx.inputSize]);
    const G = tf.tensor3d(f32(fx.G), [fx.batch, fx.steps, fx.hiddenSize]);
    const G2 = tf.tensor2d(f32(fx.G2), [fx.batch, fx.hiddenSize]);
    const weights = fx.layers.map((_, l) => layerWeights(fx, l));
    const options = gruOptions(fx, opts);

    const forward = runStack(x, weights, options);
    rows.push({ quantity: 'outputs', ...relativeError(forward.outputs.dataSync(), expectedOutputs(fx, zeroOutputForMask).data) });
    const hiddenSize = fx.batch * fx.hiddenSize;
    forward.finals.forEach((s, l) => {
      rows.push({ quantity: `final_state[${l}]`, ...relativeError(s.dataSync(), fx.hLast.data.subarray(l * hiddenSize, (l + 1) * hiddenSize)) });
    });

    const flat = weights.flatMap((w) => [w.kernel, w.recurrentKernel, w.bias]);
    const lossOf = (...args: tf.Tensor[]) => {
      const [xIn, ...ws] = args;
      const stack = runStack(xIn as tf.Tensor3D, weights.map((_, l) => ({ kernel: ws[3 * l], recurrentKernel: ws[3 * l + 1], bias: ws[3 * l + 2] }) as GruWeights), options);
      const top = stack.finals[stack.finals.length - 1];
      return tf.add(tf.sum(tf.mul(stack.outputs, G)), tf.sum(tf.mul(top, G2))) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(lossOf)([x, ...flat]);
    rows.push({ quantity: 'loss', ...relativeError(value.dataSync(), [fx.loss]) });
    rows.push({ quantity: 'grad_x', ...relativeError(grads[0].dataSync(), fx.gradX.data) });
    fx.layers.forEach((layer, l) => {
      const ours: KerasGruParams = { kernel: host(grads[1 + 3 * l]), recurrentKernel: host(grads[2 + 3 * l]), bias: host(grads[3 + 3 * l]) };
      rows.push(...kerasRows(`layer ${l} grad`, ours, layer.gradKeras), ...torchRows(`layer ${l} grad`, ours, fx, l));
    });
  });
  return rows;
}

export function worstRow(rows: readonly ParityRow[]): ParityRow {
  return rows.reduce((a, b) => (b.relativeError > a.relativeError ? b : a));
}

/** A fixed-width table: quantity, max abs error, scale, relative error, verdict. */
export function formatParityTable(rows: readonly ParityRow[], tolerance = PARITY_TOLERANCE): string {
  const width = Math.max(8, ...rows.map((r) => r.quantity.length));
  const num = (v: number) => v.toExponential(3).padStart(11);
  const header = `${'quantity'.padEnd(width)}  ${'max |err|'.padStart(11)}  ${'max |ref|'.padStart(11)}  ${'relative'.padStart(11)}  ok`;
  const lines = rows.map((r) => `${r.quantity.padEnd(width)}  ${num(r.maxAbsError)}  ${num(r.scale)}  ${num(r.relativeError)}  ${r.relativeError <= tolerance ? 'yes' : 'NO'}`);
  return [header, '-'.repeat(header.length), ...lines].join('\n');
}
