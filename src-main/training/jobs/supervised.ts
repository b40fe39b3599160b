import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '@shared/api/entities';
import type { JobPredictions, JobResult, TrainerJob } from '@shared/api/trainerProtocol';
import { sampleLabelled } from '@shared/data/sampling';
import { emotionRows, metricRecords } from '@shared/metrics/records';
import { writeFileAtomically } from '../../platform/atomicFile';
import { EmotionHead, Encoder, PaperModel } from '../model/paperModel';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint';
import type { SequenceBatch, SequenceSource } from '../sequences';
import { adamOptimizer, loopSettings, minimizeStep, openJobData, restoreOrStart, runCheckpointedEpochs, source, type JobData } from './context';
import { runEpochs, type JobHooks } from './loop';
import { BestWeights } from './selection';
import { encodeAll, headInputs, predictEmotions } from './tensors';

const mse = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;

/** The labelled training segments of a fine-tune or baseline run: the same for both arms of a repeat. */
function labelledSegments(data: JobData, job: TrainerJob) {
  return sampleLabelled(job.split.train, job.config.labels.count, job.config.labels.seed).map((i) => data.segments[i]);
}

/** The emotion loss of both arms: mean squared error over the batch and the six emotions. */
export function emotionLoss(head: EmotionHead, pooled: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  return tf.losses.meanSquaredError(labels, head.predict(pooled)) as tf.Scalar;
}

/** One baseline step: the whole network trained on a labelled batch; resolves to the loss before it. */
export function baselineStep(optimizer: tf.Optimizer, model: PaperModel, batch: SequenceBatch, steps: number): Promise<number> {
  return minimizeStep(
    optimizer,
    () => emotionLoss(model.head, headInputs(model.encoder, batch, steps), tf.tensor2d(batch.y, [batch.size, 6])),
    model.variables(),
  );
}

/**
 * One fine-tune step: only the head trained, on rows of the frozen encoder's pooled outputs
 * (`inputs`, rows x width, as headInputs computes them once per segment) and their labels.
 */
export function finetuneStep(optimizer: tf.Optimizer, head: EmotionHead, inputs: Float32Array, labels: Float32Array, width: number): Promise<number> {
  const rows = labels.length / 6;
  return minimizeStep(optimizer, () => emotionLoss(head, tf.tensor2d(inputs, [rows, width]), tf.tensor2d(labels, [rows, 6])), head.variables());
}

/**
 * A supervised run's results from the weights it keeps: metrics and per-segment predictions on
 * validation and, when its split has one, test. `predict` gives a split's predictions in the
 * order of `job.split[split]`.
 */
async function supervisedResult(job: TrainerJob, data: JobData, predict: (split: 'validation' | 'test') => Promise<Float32Array>): Promise<JobResult> {
  const result: JobResult = { metrics: [], testMetrics: [], predictions: [] };
  for (const split of ['validation', 'test'] as const) {
    const indices = job.split[split];
    if (!indices.length) continue;
    const values = await predict(split);
    // Scored against the labels as the dataset holds them (thirds in double precision, as an exported CSV has them).
    const scored = metricRecords(indices.map((i) => data.segments[i].emotions), emotionRows(values));
    if (split === 'validation') result.metrics = scored;
    else result.testMetrics = scored;
    result.predictions.push({ split, segments: [...indices], values: Array.from(values) } satisfies JobPredictions);
  }
  return result;
}

/** Predictions of the last validation, reusable when the epoch kept is the one they were made at. */
interface LastValidation {
  epoch: number;
  values: Float32Array;
}
const reusable = (last: LastValidation | null, chosen: number | null, records: readonly EpochRecord[]) =>
  last !== null && chosen === last.epoch && chosen === records.at(-1)?.epoch ? last.values : null;

/** Baseline: the same network, trained from scratch on the labelled sample only. */
export async function runBaseline(job: TrainerJob, hooks: JobHooks): Promise<JobResult> {
  const data = openJobData(job);
  const model = PaperModel.initial(job.config.model, job.config.seed, job.config.initialisation);
  const optimizer = adamOptimizer(job.config);
  let selection: BestWeights | null = null;
  try {
    const variables = model.variables();
    const resumed = await restoreOrStart(job, data, model.byName(variables), optimizer);
    selection = new BestWeights(job.config, { weights: resumed.best, records: resumed.checkpointed });
    const { stats } = resumed;
    const train: SequenceSource = source(data, labelledSegments(data, job), job, stats);
    const val = source(data, data.validation, job, stats);
    const valY = val.labels();
    const steps = job.config.sequence.maxFrames;
    let last: LastValidation | null = null;
    const records = await runCheckpointedEpochs(
      job,
      {
        ...loopSettings(job, train.length, resumed),
        step: async (rows) => baselineStep(optimizer, model, train.batch(rows), steps),
        validate: async (epoch) => {
          last = { epoch, values: await predictEmotions(model, val, job.config.batchSize) };
          return mse(last.values, valY);
        },
      },
      hooks,
      { variables: model.byName(variables), optimizer, state: { stats }, selection },
    );
    // The selected epoch's weights, which the final checkpoint already holds (what bundles carry), into the model to evaluate it.
    const chosen = selection.restore(records, model.byName(variables));
    const validation = reusable(last, chosen, records);
    return await supervisedResult(job, data, async (split) =>
      split === 'validation' && validation ? validation : predictEmotions(model, source(data, split === 'validation' ? data.validation : data.test, job, stats), job.config.batchSize),
    );
  } finally {
    selection?.dispose();
    optimizer.dispose();
    model.dispose();
    data.close();
  }
}

/**
 * Cached encoder outputs, if the cache is whole: metadata that parses, for this many
 * segments, and a data file of exactly segments x width float32 values. Anything else
 * (a cache a kill or a full disk cut short) is null, and the cache is computed again.
 */
function readEncoderCache(file: string, meta: string, segments: number): { vectors: Float32Array; width: number } | null {
  if (!existsSync(file) || !existsSync(meta)) return null;
  let recorded: { width?: unknown; segments?: unknown };
  try {
    recorded = JSON.parse(readFileSync(meta, 'utf8')) as typeof recorded;
  } catch {
    return null;
  }
  const { width } = recorded;
  if (typeof width !== 'number' || !Number.isInteger(width) || width < 1 || recorded.segments !== segments) return null;
  if (statSync(file).size !== segments * width * 4) return null;
  const bytes = readFileSync(file);
  return { vectors: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), width };
}

/**
 * The frozen encoder's head inputs for every segment of the dataset, computed once per
 * pre-trained model, dataset and head configuration and kept in the pre-training run's
 * folder: every fine-tune of a sweep then trains only the Dense(6) head, in milliseconds.
 */
async function cachedEncoderOutputs(job: TrainerJob, data: JobData, hooks: JobHooks): Promise<{ vectors: Float32Array; width: number }> {
  const parentDir = job.parentRunDir!;
  const { model: m, sequence } = job.config;
  const key = createHash('sha1').update(JSON.stringify({ dataset: job.datasetId, segments: data.segments.length, m, sequence })).digest('hex').slice(0, 16);
  const dir = join(parentDir, 'encoded');
  const file = join(dir, `${key}.f32`);
  const meta = join(dir, `${key}.json`);
  const cached = readEncoderCache(file, meta, data.segments.length);
  if (cached) return cached;
  const checkpoint = loadCheckpoint(parentDir);
  if (!checkpoint) throw new Error('The pre-training run has no saved weights; it must finish (or be resumed) before fine-tuning.');
  let encoder: Encoder | null = null;
  try {
    // The encoder only runs, once: its variables are the checkpoint's weights, never initialised.
    encoder = Encoder.fromWeights(m, checkpoint.weights, "The pre-training run's checkpoint");
    const stats = checkpoint.state.stats as { mean: number[]; std: number[] };
    const all = source(data, data.segments, job, stats);
    let done = 0;
    const started = Date.now();
    const batch = Math.max(job.config.batchSize, 32);
    const result = await encodeAll(encoder, all, batch, async () => {
      done = Math.min(all.length, done + batch);
      const rate = done / Math.max((Date.now() - started) / 1000, 1e-3);
      // Progress of the one-off encoding pass, reported as batch 0 of the run's first epoch.
      hooks.progress({ runId: job.runId, epoch: 1, epochs: job.config.epochs, batch: 0, batches: 1, loss: null, samplesPerSecond: rate, etaSeconds: (all.length - done) / rate });
      await new Promise<void>((r) => setImmediate(r));
    });
    mkdirSync(dir, { recursive: true });
    // Data first, then the metadata that vouches for it; each whole or not at all.
    writeFileAtomically(file, Buffer.from(result.vectors.buffer, result.vectors.byteOffset, result.vectors.byteLength));
    writeFileAtomically(meta, JSON.stringify({ width: result.width, segments: all.length, dataset: job.datasetId, model: m, sequence }));
    return result;
  } finally {
    encoder?.dispose();
    tf.dispose([...Object.values(checkpoint.weights), ...(checkpoint.optimizer ?? []).map((t) => t.tensor)]);
  }
}

function rowsOf(vectors: Float32Array, width: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * width);
  indices.forEach((idx, i) => out.set(vectors.subarray(idx * width, (idx + 1) * width), i * width));
  return out;
}

function labelsOf(data: JobData, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * 6);
  indices.forEach((idx, i) => out.set(data.segments[idx].emotions, i * 6));
  return out;
}

/**
 * Fine-tuning: Dense(6) on the frozen pre-trained encoder, trained on the labelled sample.
 * Only the head is built: the encoder's outputs come from the cache (computed once).
 */
export async function runFinetune(job: TrainerJob, hooks: JobHooks): Promise<JobResult> {
  if (!job.parentRunDir) throw new Error('A fine-tuning run needs the pre-training run it starts from.');
  const data = openJobData(job);
  const head = EmotionHead.initial(job.config.model, job.config.seed);
  const optimizer = adamOptimizer(job.config);
  // A fine-tune takes milliseconds per epoch and is never resumed mid-way: the selected weights stay in memory.
  const selection = new BestWeights(job.config);
  const headPredictions = async (x: tf.Tensor2D) => {
    const p = tf.tidy(() => head.predict(x));
    const values = (await p.data()) as Float32Array;
    p.dispose();
    return values;
  };
  // The validation split's encoder outputs, uploaded once: every epoch validates on them.
  let validationX: tf.Tensor2D | null = null;
  try {
    const { vectors, width } = await cachedEncoderOutputs(job, data, hooks);
    const inputsOf = (indices: readonly number[]) => tf.tensor2d(rowsOf(vectors, width, indices), [indices.length, width]);
    const predictionsOf = async (indices: readonly number[]) => {
      const x = inputsOf(indices);
      try {
        return await headPredictions(x);
      } finally {
        x.dispose();
      }
    };
    const valX = inputsOf(job.split.validation);
    validationX = valX;
    const labelled = sampleLabelled(job.split.train, job.config.labels.count, job.config.labels.seed);
    const trainX = rowsOf(vectors, width, labelled);
    const trainY = labelsOf(data, labelled);
    const valY = labelsOf(data, job.split.validation);
    let last: LastValidation | null = null;
    const records = await runEpochs(
      {
        ...loopSettings(job, labelled.length),
        step: (rows) => finetuneStep(optimizer, head, rowsOf(trainX, width, rows), rowsOf(trainY, 6, rows), width),
        validate: async (epoch) => {
          last = { epoch, values: await headPredictions(valX) };
          return mse(last.values, valY);
        },
        afterEpoch: async (_epoch, epochs) => selection.observe(epochs, head.byName(head.variables())),
      },
      hooks,
    );
    const chosen = selection.restore(records, head.byName(head.variables()));
    await saveCheckpoint(job.runDir, head.byName(head.variables()), null, { epoch: records.at(-1)!.epoch, parentRunDir: job.parentRunDir, selectedEpoch: chosen });
    const validation = reusable(last, chosen, records);
    return await supervisedResult(job, data, async (split) => (split === 'validation' ? (validation ?? headPredictions(valX)) : predictionsOf(job.split[split])));
  } finally {
    validationX?.dispose();
    selection.dispose();
    optimizer.dispose();
    head.dispose();
    data.close();
  }
}
