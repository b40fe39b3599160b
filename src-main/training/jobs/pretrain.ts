import * as tf from '@tensorflow/tfjs';
import type { MetricRecord } from '@shared/api/entities';
import type { TrainerJob } from '@shared/api/trainerProtocol';
import { FEATURE_COUNT } from '@shared/emotions';
import { applyMask, lossWeights } from '@shared/masking/masking';
import { Rng } from '@shared/random';
import { PaperModel } from '../model/paperModel';
import { saveCheckpoint } from '../model/checkpoint';
import type { SequenceBatch, SequenceSource } from '../sequences';
import { loopSettings, minimizeStep, openJobData, restoreOrStart, source } from './context';
import { runEpochs, type JobHooks } from './loop';
import { inputTensors } from './tensors';

/**
 * Masks a batch as the paper does: per sequence, spans of valid steps set to the mask
 * value, drawn from a generator seeded by (run seed, epoch, segment) so a resumed run
 * sees the same masks. Returns the masked input and each step's loss weight.
 */
export function maskBatch(batch: SequenceBatch, rows: readonly number[], steps: number, job: TrainerJob, epoch: number): { x: Float32Array; weights: Float32Array } {
  const mask = job.config.mask!;
  const x = new Float32Array(batch.x.length);
  const weights = new Float32Array(batch.size * steps);
  const stride = steps * FEATURE_COUNT;
  for (let i = 0; i < batch.size; i++) {
    const values = batch.x.subarray(i * stride, (i + 1) * stride);
    const valid = batch.mask.subarray(i * steps, (i + 1) * steps);
    const rng = new Rng((job.config.seed * 1_000_003 + epoch * 7_919 + rows[i]) >>> 0);
    const { masked, maskedSteps } = applyMask(values, valid, mask, rng);
    x.set(masked, i * stride);
    weights.set(lossWeights(valid, maskedSteps, mask.lossScope), i * steps);
  }
  return { x, weights };
}

/** Weighted mean squared reconstruction error over the steps that count (0 if none does). */
function reconstructionLoss(model: PaperModel, batch: SequenceBatch, masked: { x: Float32Array; weights: Float32Array }, steps: number): tf.Scalar {
  const { x, mask } = inputTensors(batch, steps, masked.x);
  const target = tf.tensor3d(batch.x, [batch.size, steps, FEATURE_COUNT]);
  const w = tf.tensor2d(masked.weights, [batch.size, steps]);
  const squared = tf.sum(tf.square(tf.sub(model.encode(x, mask).reconstruction, target)), 2);
  return tf.div(tf.sum(tf.mul(squared, w)), tf.maximum(tf.mul(tf.sum(w), FEATURE_COUNT), 1e-12)) as tf.Scalar;
}

async function validationLoss(model: PaperModel, val: SequenceSource, job: TrainerJob): Promise<number | null> {
  if (!val.length) return null;
  const steps = job.config.sequence.maxFrames;
  let sum = 0;
  for (let start = 0; start < val.length; start += job.config.batchSize) {
    const rows = Array.from({ length: Math.min(job.config.batchSize, val.length - start) }, (_, i) => start + i);
    const batch = val.batch(rows);
    // Validation masks are fixed (epoch 0) so the curve compares like with like.
    const loss = tf.tidy(() => reconstructionLoss(model, batch, maskBatch(batch, rows, steps, job, 0), steps));
    sum += (await loss.data())[0] * rows.length;
    loss.dispose();
  }
  return sum / val.length;
}

/** Self-supervised pre-training: reconstruct each clip from its masked version, no labels. */
export async function runPretrain(job: TrainerJob, hooks: JobHooks): Promise<MetricRecord[]> {
  if (!job.config.mask) throw new Error('A pre-training run needs a masking configuration.');
  const data = openJobData(job);
  const model = new PaperModel(job.config.model, job.config.seed);
  const optimizer = tf.train.adam(job.config.learningRate);
  try {
    const variables = model.encoderVariables();
    const resumed = await restoreOrStart(job, data, model.byName(variables), optimizer);
    const { stats } = resumed;
    const train = source(data, data.train, job, stats);
    const val = source(data, data.validation, job, stats);
    const steps = job.config.sequence.maxFrames;
    // A run resumed after its last epoch was checkpointed trains no more: its loss is the checkpoint's.
    let lastValLoss: number | null = resumed.checkpointed.at(-1)?.valLoss ?? null;
    await runEpochs(
      {
        ...loopSettings(job, train.length, resumed),
        step: async (rows, epoch) => {
          const batch = train.batch(rows);
          const masked = maskBatch(batch, rows, steps, job, epoch);
          return minimizeStep(optimizer, () => reconstructionLoss(model, batch, masked, steps), variables);
        },
        validate: async () => (lastValLoss = await validationLoss(model, val, job)),
        afterEpoch: (epoch, epochs) => saveCheckpoint(job.runDir, model.byName(variables), optimizer, { epoch, epochs, stats }),
      },
      hooks,
    );
    return lastValLoss === null ? [] : [{ scope: 'overall', name: 'reconstructionMse', value: lastValLoss }];
  } finally {
    optimizer.dispose();
    model.dispose();
    data.close();
  }
}
