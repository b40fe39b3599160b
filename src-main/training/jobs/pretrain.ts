import * as tf from '@tensorflow/tfjs';
import type { MaskConfig, MetricRecord } from '@shared/api/entities';
import type { TrainerJob } from '@shared/api/trainerProtocol';
import { FEATURE_COUNT } from '@shared/emotions';
import { drawMaskSpans, lossWeights, maskSpans, type MaskSpan } from '@shared/masking/masking';
import { Rng } from '@shared/random';
import { Encoder } from '../model/paperModel';
import type { SequenceBatch, SequenceSource } from '../sequences';
import { adamOptimizer, loopSettings, minimizeStep, openJobData, restoreOrStart, runCheckpointedEpochs, source } from './context';
import type { JobHooks } from './loop';
import { inputTensors } from './tensors';

/** A masked batch: the input the encoder reads and each step's weight in the reconstruction loss. */
export interface MaskedBatch {
  x: Float32Array;
  weights: Float32Array;
}

/**
 * Masks a batch at the spans `spansOf(i, validCount)` gives clip i (offsets into its valid
 * steps), and weighs each step for the loss under the configuration's scope.
 */
export function maskBatchAt(batch: SequenceBatch, steps: number, mask: MaskConfig, spansOf: (i: number, validCount: number) => readonly MaskSpan[]): MaskedBatch {
  const x = new Float32Array(batch.x.length);
  const weights = new Float32Array(batch.size * steps);
  const stride = steps * FEATURE_COUNT;
  for (let i = 0; i < batch.size; i++) {
    const values = batch.x.subarray(i * stride, (i + 1) * stride);
    const valid = batch.mask.subarray(i * steps, (i + 1) * steps);
    const { masked, maskedSteps } = maskSpans(values, valid, spansOf(i, valid.reduce((n, v) => n + v, 0)), mask.value);
    x.set(masked, i * stride);
    weights.set(lossWeights(valid, maskedSteps, mask.lossScope), i * steps);
  }
  return { x, weights };
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

/** Weighted mean squared reconstruction error over the steps that count (0 if none does). */
export function reconstructionLoss(encoder: Encoder, batch: SequenceBatch, masked: MaskedBatch, steps: number): tf.Scalar {
  const { x, mask } = inputTensors(batch, steps, masked.x);
  const target = tf.tensor3d(batch.x, [batch.size, steps, FEATURE_COUNT]);
  const w = tf.tensor2d(masked.weights, [batch.size, steps]);
  const squared = tf.sum(tf.square(tf.sub(encoder.encode(x, mask).reconstruction, target)), 2);
  return tf.div(tf.sum(tf.mul(squared, w)), tf.maximum(tf.mul(tf.sum(w), FEATURE_COUNT), 1e-12)) as tf.Scalar;
}

/** One pre-training step on a masked batch: every encoder weight trained; resolves to the loss before it. */
export function pretrainStep(optimizer: tf.Optimizer, encoder: Encoder, batch: SequenceBatch, masked: MaskedBatch, steps: number): Promise<number> {
  return minimizeStep(optimizer, () => reconstructionLoss(encoder, batch, masked, steps), encoder.variables());
}

async function validationLoss(encoder: Encoder, val: SequenceSource, job: TrainerJob): Promise<number | null> {
  if (!val.length) return null;
  const steps = job.config.sequence.maxFrames;
  let sum = 0;
  for (let start = 0; start < val.length; start += job.config.batchSize) {
    const rows = Array.from({ length: Math.min(job.config.batchSize, val.length - start) }, (_, i) => start + i);
    const batch = val.batch(rows);
    // Validation masks are fixed (epoch 0) so the curve compares like with like.
    const loss = tf.tidy(() => reconstructionLoss(encoder, batch, maskBatch(batch, rows, steps, job, 0), steps));
    sum += (await loss.data())[0] * rows.length;
    loss.dispose();
  }
  return sum / val.length;
}

/** Self-supervised pre-training: reconstruct each clip from its masked version, no labels. */
export async function runPretrain(job: TrainerJob, hooks: JobHooks): Promise<MetricRecord[]> {
  if (!job.config.mask) throw new Error('A pre-training run needs a masking configuration.');
  const data = openJobData(job);
  const encoder = Encoder.initial(job.config.model, job.config.seed, job.config.initialisation);
  const optimizer = adamOptimizer(job.config);
  try {
    const variables = encoder.variables();
    const resumed = await restoreOrStart(job, data, encoder.byName(variables), optimizer);
    const { stats } = resumed;
    const train = source(data, data.train, job, stats);
    const val = source(data, data.validation, job, stats);
    const steps = job.config.sequence.maxFrames;
    // A run resumed after its last epoch was checkpointed trains no more: its loss is the checkpoint's.
    let lastValLoss: number | null = resumed.checkpointed.at(-1)?.valLoss ?? null;
    await runCheckpointedEpochs(
      job,
      {
        ...loopSettings(job, train.length, resumed),
        step: async (rows, epoch) => {
          const batch = train.batch(rows);
          return pretrainStep(optimizer, encoder, batch, maskBatch(batch, rows, steps, job, epoch), steps);
        },
        validate: async () => (lastValLoss = await validationLoss(encoder, val, job)),
      },
      hooks,
      { variables: encoder.byName(variables), optimizer, state: { stats } },
    );
    return lastValLoss === null ? [] : [{ scope: 'overall', name: 'reconstructionMse', value: lastValLoss }];
  } finally {
    optimizer.dispose();
    encoder.dispose();
    data.close();
  }
}
