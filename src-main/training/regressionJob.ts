import * as tf from '@tensorflow/tfjs';
import type { EpochRecord, MetricRecord, RunProgress } from '@shared/api/entities';
import type { TrainerJob } from '@shared/api/trainerProtocol';
import { EMOTIONS, FEATURE_COUNT } from '@shared/emotions';
import { Rng } from '@shared/random';
import { FeatureReader, readIndex } from '../data/datasetFiles';
import { prepareSplit, trainingStatistics, type PreparedSplit } from './sequences';
import { evaluatePredictions } from './evaluation';
import { fusedGru } from './gru/fusedGruLayer';

export interface JobHooks {
  progress(p: RunProgress): void;
  epoch(record: EpochRecord): void;
  isCancelled(): boolean;
}

export class JobCancelled extends Error {}

/** A small supervised model: the paper's GRU variant (reset_after, fused) over masked frames, then Dense(6). */
function buildModel(maxFrames: number, hiddenUnits: number, seed: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.masking({ maskValue: 0, inputShape: [maxFrames, FEATURE_COUNT] }));
  model.add(
    fusedGru({
      units: hiddenUnits,
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }),
    }),
  );
  model.add(tf.layers.dense({ units: EMOTIONS.length, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }));
  return model;
}

function batchTensors(split: PreparedSplit, rows: number[], maxFrames: number): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const stride = maxFrames * FEATURE_COUNT;
  const x = new Float32Array(rows.length * stride);
  const y = new Float32Array(rows.length * 6);
  rows.forEach((r, i) => {
    x.set(split.x.subarray(r * stride, (r + 1) * stride), i * stride);
    y.set(split.y.subarray(r * 6, (r + 1) * 6), i * 6);
  });
  return { x: tf.tensor3d(x, [rows.length, maxFrames, FEATURE_COUNT]), y: tf.tensor2d(y, [rows.length, 6]) };
}

function predict(model: tf.LayersModel, split: PreparedSplit, maxFrames: number, batchSize: number): Float32Array {
  const out = new Float32Array(split.n * 6);
  for (let start = 0; start < split.n; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, split.n - start) }, (_, i) => start + i);
    const { x, y } = batchTensors(split, rows, maxFrames);
    const p = model.predict(x) as tf.Tensor;
    out.set(p.dataSync(), start * 6);
    tf.dispose([x, y, p]);
  }
  return out;
}

const yieldToMessages = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Trains and evaluates one run; throws JobCancelled when asked to stop between batches. */
export async function runRegressionJob(job: TrainerJob, hooks: JobHooks): Promise<MetricRecord[]> {
  const { config } = job;
  const index = readIndex(job.dataDir, job.datasetId);
  const reader = new FeatureReader(job.dataDir, job.datasetId);
  let model: tf.LayersModel | null = null;
  try {
    const maxFrames = config.sequence.maxFrames;
    const trainSegs = job.split.train.map((i) => index.segments[i]);
    const valSegs = job.split.validation.map((i) => index.segments[i]);
    const stats = trainingStatistics(reader, trainSegs, config.sequence);
    const trainSet = prepareSplit(reader, trainSegs, config.sequence, stats);
    const valSet = prepareSplit(reader, valSegs, config.sequence, stats);

    model = buildModel(maxFrames, config.hiddenUnits, config.seed);
    const optimizer = tf.train.adam(config.learningRate);
    const shuffler = new Rng(config.seed + 17);
    const batches = Math.ceil(trainSet.n / config.batchSize);
    const started = Date.now();
    let samplesDone = 0;
    const samplesTotal = trainSet.n * config.epochs;

    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const epochStart = Date.now();
      const order = shuffler.shuffle(Array.from({ length: trainSet.n }, (_, i) => i));
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        if (hooks.isCancelled()) throw new JobCancelled();
        const rows = order.slice(b * config.batchSize, (b + 1) * config.batchSize);
        const { x, y } = batchTensors(trainSet, rows, maxFrames);
        const m = model;
        const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, m.apply(x) as tf.Tensor) as tf.Scalar, true);
        const lossValue = (await loss!.data())[0];
        tf.dispose([x, y, loss!]);
        lossSum += lossValue * rows.length;
        samplesDone += rows.length;
        const elapsed = (Date.now() - started) / 1000;
        const rate = samplesDone / Math.max(elapsed, 1e-3);
        hooks.progress({
          runId: job.runId,
          epoch,
          epochs: config.epochs,
          batch: b + 1,
          batches,
          loss: lossValue,
          samplesPerSecond: rate,
          etaSeconds: (samplesTotal - samplesDone) / rate,
        });
        await yieldToMessages();
      }
      const valPred = predict(model, valSet, maxFrames, config.batchSize);
      let valLoss = 0;
      for (let i = 0; i < valPred.length; i++) valLoss += (valPred[i] - valSet.y[i]) ** 2;
      hooks.epoch({ epoch, loss: lossSum / trainSet.n, valLoss: valLoss / valPred.length, seconds: (Date.now() - epochStart) / 1000 });
    }
    return evaluatePredictions(valSet.y, predict(model, valSet, maxFrames, config.batchSize));
  } finally {
    reader.close();
    model?.dispose();
  }
}
