import * as tf from '@tensorflow/tfjs';
import type { MaskConfig, MetricRecord } from '@shared/api/entities';
import type { JobResult, TrainerJob } from '@shared/api/trainerProtocol';
import { FEATURE_COUNT } from '@shared/emotions';
import { drawMaskSpans, lossWeights, maskSpans, type MaskSpan } from '@shared/masking/masking';
import { Rng } from '@shared/random';
import { Encoder } from '../model/paperModel';
import type { SequenceBatch, SequenceSource } from '../sequences';
import { adamOptimizer, loopSettings, openJobData, restoreOrStart, runCheckpointedEpochs, source } from './context';
import type { JobHooks } from './loop';
import { BestWeights } from './selection';
import { inputTensors } from './tensors';

/**
 * A masked batch: the input the encoder reads, each step's weight in the reconstruction loss,
 * and the masked steps (weight 1 on each), whatever the loss covers.
 */
export interface MaskedBatch {
  x: Float32Array;
  weights: Float32Array;
  maskedWeights: Float32Array;
}

/**
 * Masks a batch at the spans `spansOf(i, validCount)` gives clip i (offsets into its valid
 * steps), and weighs each step for the loss under the configuration's scope.
 */
export function maskBatchAt(batch: SequenceBatch, steps: number, mask: MaskConfig, spansOf: (i: number, validCount: number) => readonly MaskSpan[]): MaskedBatch {
  const x = new Float32Array(batch.x.length);
  const weights = new Float32Array(batch.size * steps);
  const maskedWeights = new Float32Array(batch.size * steps);
  const stride = steps * FEATURE_COUNT;
  for (let i = 0; i < batch.size; i++) {
    const values = batch.x.subarray(i * stride, (i + 1) * stride);
    const valid = batch.mask.subarray(i * steps, (i + 1) * steps);
    const { masked, maskedSteps } = maskSpans(values, valid, spansOf(i, valid.reduce((n, v) => n + v, 0)), mask.value);
    x.set(masked, i * stride);
    weights.set(lossWeights(valid, maskedSteps, mask.lossScope), i * steps);
    maskedWeights.set(lossWeights(valid, maskedSteps, 'masked-only'), i * steps);
  }
  return { x, weights, maskedWeights };
}

/**
 * Masks a batch as the paper does: per sequence, spans of valid steps set to the mask
 * value, drawn from a generator seeded by (run seed, epoch, segment) so a resumed run
 * sees the same masks. Returns the masked input and each step's loss weight.
 */
export function maskBatch(batch: SequenceBatch, rows: readonly number[], steps: number, job: TrainerJob, epoch: number): MaskedBatch {
  const mask = job.config.mask!;
  return maskBatchAt(batch, steps, mask, (i, validCount) => drawMaskSpans(validCount, mask, new Rng((job.config.seed * 1_000_003 + epoch * 7_919 + rows[i]) >>> 0)));
}

/** Mean squared error per feature over the steps of weight 1 in `w` ([batch, steps]); 0 if none. */
function weightedError(squared: tf.Tensor2D, w: tf.Tensor2D): tf.Scalar {
  return tf.div(tf.sum(tf.mul(squared, w)), tf.maximum(tf.mul(tf.sum(w), FEATURE_COUNT), 1e-12)) as tf.Scalar;
}

/**
 * The reconstruction errors of a masked batch: `loss` over the steps the configuration's loss
 * covers, `masked` over the masked steps alone (both 0 if no step counts).
 */
export function reconstructionErrors(encoder: Encoder, batch: SequenceBatch, masked: MaskedBatch, steps: number): { loss: tf.Scalar; masked: tf.Scalar } {
  const { x, mask } = inputTensors(batch, steps, masked.x);
  const target = tf.tensor3d(batch.x, [batch.size, steps, FEATURE_COUNT]);
  const squared = tf.sum(tf.square(tf.sub(encoder.encode(x, mask).reconstruction, target)), 2) as tf.Tensor2D;
  return {
    loss: weightedError(squared, tf.tensor2d(masked.weights, [batch.size, steps])),
    masked: weightedError(squared, tf.tensor2d(masked.maskedWeights, [batch.size, steps])),
  };
}

/** Weighted mean squared reconstruction error over the steps that count (0 if none does). */
export function reconstructionLoss(encoder: Encoder, batch: SequenceBatch, masked: MaskedBatch, steps: number): tf.Scalar {
  return reconstructionErrors(encoder, batch, masked, steps).loss;
}

/**
 * One pre-training step on a masked batch: every encoder weight trained; resolves to the loss
 * before it and, from the same forward pass, the error on the masked steps alone.
 */
export async function pretrainStepErrors(optimizer: tf.Optimizer, encoder: Encoder, batch: SequenceBatch, masked: MaskedBatch, steps: number): Promise<{ loss: number; masked: number }> {
  // The masked-step error leaves the gradient's scope kept; only the loss is differentiated.
  const side: { masked?: tf.Scalar } = {};
  const loss = optimizer.minimize(
    () => {
      const errors = reconstructionErrors(encoder, batch, masked, steps);
      side.masked = tf.keep(errors.masked);
      return errors.loss;
    },
    true,
    encoder.variables(),
  )!;
  try {
    return { loss: (await loss.data())[0], masked: (await side.masked!.data())[0] };
  } finally {
    tf.dispose([loss, side.masked!]);
  }
}

/** One pre-training step on a masked batch: every encoder weight trained; resolves to the loss before it. */
export async function pretrainStep(optimizer: tf.Optimizer, encoder: Encoder, batch: SequenceBatch, masked: MaskedBatch, steps: number): Promise<number> {
  return (await pretrainStepErrors(optimizer, encoder, batch, masked, steps)).loss;
}

/** Reconstruction errors over a whole source, masks fixed (epoch 0) so epochs compare like with like; null when it is empty. */
async function reconstructionOn(encoder: Encoder, src: SequenceSource, job: TrainerJob): Promise<{ loss: number; masked: number } | null> {
  if (!src.length) return null;
  const steps = job.config.sequence.maxFrames;
  let loss = 0;
  let masked = 0;
  for (let start = 0; start < src.length; start += job.config.batchSize) {
    const rows = Array.from({ length: Math.min(job.config.batchSize, src.length - start) }, (_, i) => start + i);
    const batch = src.batch(rows);
    const errors = tf.tidy(() => {
      const e = reconstructionErrors(encoder, batch, maskBatch(batch, rows, steps, job, 0), steps);
      return [e.loss, e.masked];
    });
    loss += (await errors[0].data())[0] * rows.length;
    masked += (await errors[1].data())[0] * rows.length;
    tf.dispose(errors);
  }
  return { loss: loss / src.length, masked: masked / src.length };
}

/** The metrics of a pre-training on one split: its reconstruction error, and on masked steps alone when any is masked. */
function reconstructionMetrics(errors: { loss: number; masked: number | null } | null): MetricRecord[] {
  if (!errors) return [];
  const out: MetricRecord[] = [{ scope: 'overall', name: 'reconstructionMse', value: errors.loss }];
  if (errors.masked !== null) out.push({ scope: 'overall', name: 'maskedReconstructionMse', value: errors.masked });
  return out;
}

/**
 * Self-supervised pre-training: reconstruct each clip from its masked version, no labels. Each
 * epoch also records the reconstruction error on the masked steps alone, on the training batches
 * and on validation: what shows whether the encoder learned to fill a gap.
 */
export async function runPretrain(job: TrainerJob, hooks: JobHooks): Promise<JobResult> {
  if (!job.config.mask) throw new Error('A pre-training run needs a masking configuration.');
  const masks = job.config.mask.spanCount > 0;
  const data = openJobData(job);
  const encoder = Encoder.initial(job.config.model, job.config.seed, job.config.initialisation);
  const optimizer = adamOptimizer(job.config);
  let selection: BestWeights | null = null;
  try {
    const variables = encoder.variables();
    const resumed = await restoreOrStart(job, data, encoder.byName(variables), optimizer);
    selection = new BestWeights(job.config, { weights: resumed.best, records: resumed.checkpointed });
    const { stats } = resumed;
    const train = source(data, data.train, job, stats);
    const val = source(data, data.validation, job, stats);
    const steps = job.config.sequence.maxFrames;
    let masked = { sum: 0, rows: 0 };
    let valMasked: number | null = null;
    const records = await runCheckpointedEpochs(
      job,
      {
        ...loopSettings(job, train.length, resumed),
        step: async (rows, epoch) => {
          const batch = train.batch(rows);
          const errors = await pretrainStepErrors(optimizer, encoder, batch, maskBatch(batch, rows, steps, job, epoch), steps);
          masked = { sum: masked.sum + errors.masked * rows.length, rows: masked.rows + rows.length };
          return errors.loss;
        },
        validate: async () => {
          const errors = await reconstructionOn(encoder, val, job);
          valMasked = errors?.masked ?? null;
          return errors?.loss ?? null;
        },
        recordExtras: () => {
          const extras = { maskedLoss: masks && masked.rows ? masked.sum / masked.rows : null, valMaskedLoss: masks ? valMasked : null };
          masked = { sum: 0, rows: 0 };
          valMasked = null;
          return extras;
        },
      },
      hooks,
      { variables: encoder.byName(variables), optimizer, state: { stats }, selection },
    );
    // The selected epoch's weights, which the final checkpoint already holds (what fine-tunes freeze and bundles carry), into the model for the test split.
    const chosen = selection.restore(records, encoder.byName(variables));
    // Validation errors of the epoch kept (a run resumed after its last epoch trains no more: they are its checkpoint's).
    const kept = records.find((r) => r.epoch === chosen);
    const validation = kept && kept.valLoss !== null ? { loss: kept.valLoss, masked: kept.valMaskedLoss ?? null } : null;
    const test = data.test.length ? await reconstructionOn(encoder, source(data, data.test, job, stats), job) : null;
    return {
      metrics: reconstructionMetrics(validation),
      testMetrics: reconstructionMetrics(test && { loss: test.loss, masked: masks ? test.masked : null }),
      predictions: [],
    };
  } finally {
    selection?.dispose();
    optimizer.dispose();
    encoder.dispose();
    data.close();
  }
}
