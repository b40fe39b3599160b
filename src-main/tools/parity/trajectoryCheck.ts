/**
 * Runs the workbench's own training steps on a trajectory file and measures how far they end
 * from the reference: the pre-training job's masking, loss and step (pretrainStep), the
 * fine-tune's frozen encoder, pooling and head step (headInputs, finetuneStep), the baseline's
 * step (baselineStep), with every job's optimiser (adamOptimizer), from the file's initial
 * weights on its batches, in float32 on the active backend.
 *
 * Measures, per regime:
 * - losses: the largest relative error of the K losses before each step;
 * - updates: |Δw_ours − Δw_ref| / lr over every weight of the regime's final weights (frozen
 *   ones included), Δw = final − init; its 99th percentile (nearest rank) and maximum. Adam
 *   moves a weight by at most about lr a step whatever its gradient's size, so this is the
 *   error in units of a step; a weight whose gradient is near float32 rounding can turn its
 *   step around, which is why the bound is on the percentile, with the maximum shown.
 */
import * as tf from '@tensorflow/tfjs';
import type { MaskConfig } from '@shared/api/entities';
import { FEATURE_COUNT } from '@shared/emotions';
import type { HostArray } from '../../training/gru/gateLayout';
import { adamOptimizer } from '../../training/jobs/context';
import { maskBatchAt, pretrainStep, type MaskedBatch } from '../../training/jobs/pretrain';
import { baselineStep, finetuneStep } from '../../training/jobs/supervised';
import { headInputs } from '../../training/jobs/tensors';
import { EmotionHead, Encoder, PaperModel } from '../../training/model/paperModel';
import type { SequenceBatch } from '../../training/sequences';
import { REGIMES, type Regime, type TrajectoryFixture, type TrajectoryWeights } from './trajectoryFixture';

export const LOSS_TOLERANCE = 1e-4;
export const UPDATE_P99_TOLERANCE = 1e-2;

export interface RegimeResult {
  readonly regime: Regime;
  readonly ours: number[];
  readonly reference: number[];
  readonly lossRelativeError: number;
  /** 99th percentile and maximum of |Δw_ours − Δw_ref| / lr, and the tensor holding the maximum. */
  readonly updateP99: number;
  readonly updateMax: number;
  readonly worstTensor: string;
  readonly weights: number;
  readonly ok: boolean;
}

export interface MaskingResult {
  /** null when the workbench's masking reproduced every masked_input and loss_weights value. */
  readonly mismatch: string | null;
}

export interface TrajectoryResult {
  readonly masking: MaskingResult;
  readonly regimes: RegimeResult[];
  readonly ok: boolean;
}

/** Checkpoint name -> values, in the Keras layout the model's variables use. */
type NamedHost = Map<string, HostArray>;

function named(weights: TrajectoryWeights): NamedHost {
  const out: NamedHost = new Map();
  weights.gru.forEach((g, l) => {
    out.set(`gru_${l + 1}/kernel`, g.kernel);
    out.set(`gru_${l + 1}/recurrent_kernel`, g.recurrentKernel);
    out.set(`gru_${l + 1}/bias`, g.bias);
  });
  out.set('dense_74/kernel', weights.dense74.kernel);
  out.set('dense_74/bias', weights.dense74.bias);
  if (weights.head6) {
    out.set('dense_6/kernel', weights.head6.kernel);
    out.set('dense_6/bias', weights.head6.bias);
  }
  return out;
}

function tensors(weights: NamedHost): tf.NamedTensorMap {
  return Object.fromEntries([...weights].map(([name, a]) => [name, tf.tensor(Float32Array.from(a.data), [...a.shape])]));
}

/** A batch as the jobs' SequenceSource gives one: float32 values, right-padded valid mask, labels. */
function sequenceBatch(fx: TrajectoryFixture, k: number): SequenceBatch {
  const b = fx.batches[k];
  const mask = new Uint8Array(fx.batchSize * fx.steps);
  b.lengths.forEach((length, i) => mask.fill(1, i * fx.steps, i * fx.steps + length));
  return { size: fx.batchSize, x: Float32Array.from(b.x.data), mask, y: Float32Array.from(b.labels.data) };
}

function maskConfig(fx: TrajectoryFixture): MaskConfig {
  const longest = Math.max(...fx.batches.flatMap((b) => b.spans.map((s) => s.length)));
  return { spanLength: longest, spanCount: 1, value: fx.mask.value, lossScope: fx.mask.lossScope };
}

/** The first value where the workbench's masking of the file's spans differs from the file, or null. */
function maskingMismatch(fx: TrajectoryFixture, k: number, masked: MaskedBatch): string | null {
  const ref = fx.batches[k];
  const stride = fx.steps * FEATURE_COUNT;
  for (let i = 0; i < masked.x.length; i++) {
    const expected = Math.fround(ref.maskedInput.data[i]);
    if (masked.x[i] !== expected) {
      const [clip, step, feature] = [Math.floor(i / stride), Math.floor((i % stride) / FEATURE_COUNT), i % FEATURE_COUNT];
      return `batches[${k}] clip ${clip} step ${step} feature ${feature}: the workbench's masking of span [${ref.spans[clip].start}, ${ref.spans[clip].length}] gives ${masked.x[i]}, masked_input has ${ref.maskedInput.data[i]}`;
    }
  }
  for (let i = 0; i < masked.weights.length; i++) {
    if (masked.weights[i] !== ref.lossWeights.data[i]) {
      const [clip, step] = [Math.floor(i / fx.steps), i % fx.steps];
      return `batches[${k}] clip ${clip} step ${step}: the workbench weighs the step ${masked.weights[i]} in the loss (scope ${fx.mask.lossScope}), loss_weights has ${ref.lossWeights.data[i]}`;
    }
  }
  return null;
}

/** The regime's training, K steps; returns the losses before each step and the final weights by name. */
async function train(fx: TrajectoryFixture, regime: Regime, masking: { mismatch: string | null }): Promise<{ losses: number[]; final: Map<string, Float32Array> }> {
  // Each regime builds what its job builds: pre-training the encoder, the others the head too.
  const init = tensors(named(fx.init));
  const source = `${fx.source} (init)`;
  const encoder = Encoder.fromWeights(fx.model, init, source);
  const head = regime === 'pretrain' ? null : EmotionHead.fromWeights(fx.model, init, source);
  tf.dispose(Object.values(init));
  const optimizer = adamOptimizer(fx.optimizer);
  const losses: number[] = [];
  try {
    const batches = fx.batches.map((_, k) => sequenceBatch(fx, k));
    if (head === null) {
      const mask = maskConfig(fx);
      for (let k = 0; k < batches.length; k++) {
        const masked = maskBatchAt(batches[k], fx.steps, mask, (i) => [fx.batches[k].spans[i]]);
        masking.mismatch ??= maskingMismatch(fx, k, masked);
        losses.push(await pretrainStep(optimizer, encoder, batches[k], masked, fx.steps));
      }
    } else if (regime === 'finetune') {
      // As the job does: the frozen encoder's pooled outputs, computed once, then head steps on them.
      const inputs = batches.map((b) => {
        const pooled = tf.tidy(() => headInputs(encoder, b, fx.steps));
        const values = pooled.dataSync() as Float32Array;
        pooled.dispose();
        return values;
      });
      const width = inputs[0].length / fx.batchSize;
      for (let k = 0; k < batches.length; k++) losses.push(await finetuneStep(optimizer, head, inputs[k], batches[k].y, width));
    } else {
      const model = new PaperModel(encoder, head);
      for (const batch of batches) losses.push(await baselineStep(optimizer, model, batch, fx.steps));
    }
    const variables = { ...encoder.byName(encoder.variables()), ...(head ? head.byName(head.variables()) : {}) };
    return { losses, final: new Map(Object.entries(variables).map(([name, v]) => [name, v.dataSync() as Float32Array])) };
  } finally {
    optimizer.dispose();
    encoder.dispose();
    head?.dispose();
  }
}

/** Nearest-rank percentile of unsorted values (p in (0, 100]). */
export function percentile(values: Float64Array, p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function compareUpdates(fx: TrajectoryFixture, regime: Regime, ours: Map<string, Float32Array>) {
  const init = named(fx.init);
  const lr = fx.optimizer.learningRate;
  const errors: number[] = [];
  let updateMax = 0;
  let worstTensor = '';
  for (const [name, refFinal] of named(fx.regimes[regime].final)) {
    const start = init.get(name)!.data;
    const mine = ours.get(name)!;
    for (let i = 0; i < refFinal.data.length; i++) {
      // Ours started from the float32 rounding of init; each side's update is taken from its own start.
      const error = Math.abs(mine[i] - Math.fround(start[i]) - (refFinal.data[i] - start[i])) / lr;
      errors.push(error);
      if (worstTensor === '' || error > updateMax) {
        updateMax = error;
        worstTensor = name;
      }
    }
  }
  return { updateP99: percentile(Float64Array.from(errors), 99), updateMax, worstTensor, weights: errors.length };
}

/** Every regime of the file, one after the other, on the active backend. */
export async function checkTrajectory(fx: TrajectoryFixture): Promise<TrajectoryResult> {
  const masking: { mismatch: string | null } = { mismatch: null };
  const regimes: RegimeResult[] = [];
  for (const regime of REGIMES) {
    const { losses, final } = await train(fx, regime, masking);
    const reference = fx.regimes[regime].losses;
    const lossRelativeError = Math.max(...losses.map((l, k) => Math.abs(l - reference[k]) / Math.max(Math.abs(reference[k]), 1e-12)));
    const updates = compareUpdates(fx, regime, final);
    const ok = lossRelativeError <= LOSS_TOLERANCE && updates.updateP99 <= UPDATE_P99_TOLERANCE;
    regimes.push({ regime, ours: losses, reference, lossRelativeError, ...updates, ok });
  }
  return { masking, regimes, ok: masking.mismatch === null && regimes.every((r) => r.ok) };
}

/** The per-regime table the parity command prints. */
export function formatTrajectoryTable(result: TrajectoryResult): string {
  const num = (v: number) => v.toExponential(2).padStart(10);
  const header = `${'regime'.padEnd(9)}  ${'loss rel.'.padStart(10)}  ${'Δw p99/lr'.padStart(10)}  ${'Δw max/lr'.padStart(10)}  ${'(in)'.padEnd(22)}  ok`;
  const rows = result.regimes.map(
    (r) => `${r.regime.padEnd(9)}  ${num(r.lossRelativeError)}  ${num(r.updateP99)}  ${num(r.updateMax)}  ${r.worstTensor.padEnd(22)}  ${r.ok ? 'yes' : 'NO'}`,
  );
  const masking = result.masking.mismatch === null ? "masking: the workbench's masking of the file's spans gives its masked_input and loss_weights exactly" : `masking: DIFFERS, ${result.masking.mismatch}`;
  return [masking, '', header, '-'.repeat(header.length), ...rows].join('\n');
}
