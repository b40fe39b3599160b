import * as tf from '@tensorflow/tfjs';
import type { EpochRecord, TrainConfig } from '@shared/api/entities';
import type { TrainerJob } from '@shared/api/trainerProtocol';
import type { Standardisation } from '@shared/data/sequencePolicy';
import { FeatureReader, readIndex, type SegmentIndexEntry } from '../../data/datasetFiles';
import { SequenceSource, trainingStatistics } from '../sequences';
import { stopsEarly } from '@shared/training/selection';
import { assignWeights, CHECKPOINT_EVERY_CPU_SECONDS, loadCheckpoint, RunCheckpoints, type EpochSelection } from '../model/checkpoint';
import { JobCancelled, runEpochs, type EpochLoop, type JobHooks } from './loop';

/** What every job reads: the dataset's segments, its split, and a reader of the feature cache. */
export interface JobData {
  reader: FeatureReader;
  segments: SegmentIndexEntry[];
  train: SegmentIndexEntry[];
  validation: SegmentIndexEntry[];
  /** Empty when the run's split has no test part. */
  test: SegmentIndexEntry[];
  close(): void;
}

export function openJobData(job: TrainerJob): JobData {
  const { segments } = readIndex(job.dataDir, job.datasetId);
  const reader = new FeatureReader(job.dataDir, job.datasetId);
  return {
    reader,
    segments,
    train: job.split.train.map((i) => segments[i]),
    validation: job.split.validation.map((i) => segments[i]),
    test: job.split.test.map((i) => segments[i]),
    close: () => reader.close(),
  };
}

/** Standardisation from the training split, as plain arrays (they go into checkpoints as JSON). */
export function statisticsOf(data: JobData, job: TrainerJob): { mean: number[]; std: number[] } {
  const s = trainingStatistics(data.reader, data.train, job.config.sequence);
  return { mean: Array.from(s.mean), std: Array.from(s.std) };
}

export function source(data: JobData, segments: SegmentIndexEntry[], job: TrainerJob, stats: Standardisation): SequenceSource {
  return new SequenceSource(data.reader, segments, job.config.sequence, stats);
}

/**
 * Where a run starts: from scratch (statistics of the training split, epoch 1) or, when
 * its folder holds a checkpoint, from the weights, optimizer state and statistics saved
 * after its last completed epoch, with the records of the epochs it holds and the weights
 * of the epoch model selection has kept so far (see selection.ts).
 */
export async function restoreOrStart(
  job: TrainerJob,
  data: JobData,
  variables: Record<string, tf.Variable>,
  optimizer: tf.Optimizer,
): Promise<{ stats: { mean: number[]; std: number[] }; firstEpoch: number; checkpointed: EpochRecord[]; best: tf.NamedTensorMap | null }> {
  const resumed = loadCheckpoint(job.runDir);
  if (!resumed) return { stats: statisticsOf(data, job), firstEpoch: 1, checkpointed: [], best: null };
  // A finished run's checkpoint holds the selected epoch's weights alone: they are its best too.
  const finished = typeof resumed.state.selectedEpoch === 'number';
  const best = resumed.best ?? (finished ? resumed.weights : null);
  try {
    assignWeights(variables, resumed.weights);
    if (resumed.optimizer) await optimizer.setWeights(resumed.optimizer);
  } finally {
    // The variables and the optimizer took copies; `best` goes to model selection, which owns it.
    tf.dispose([...(resumed.weights === best ? [] : Object.values(resumed.weights)), ...(resumed.optimizer ?? []).map((t) => t.tensor)]);
  }
  return { stats: resumed.state.stats as { mean: number[]; std: number[] }, firstEpoch: resumed.state.epoch + 1, checkpointed: resumed.state.epochs ?? [], best };
}

/**
 * Runs a job's epochs with its checkpoints (see RunCheckpoints): after each epoch model
 * selection sees it and the checkpoint due, if any, is written before the epoch is reported;
 * the last epoch leaves the run's selected weights alone; a cancel first writes the last
 * completed epoch, so the run resumes from there. The interval between resumable checkpoints
 * is counted in this process's CPU time (RunCheckpoints' clock), so the machine's load changes
 * neither the work a kill loses nor what the run writes. Resolves to every epoch's record.
 */
export async function runCheckpointedEpochs(
  job: TrainerJob,
  loop: Omit<EpochLoop, 'afterEpoch'>,
  hooks: JobHooks,
  save: { variables: Record<string, tf.Variable>; optimizer: tf.Optimizer; state: Record<string, unknown>; selection: EpochSelection },
): Promise<EpochRecord[]> {
  const checkpoints = new RunCheckpoints({
    dir: job.runDir,
    variables: save.variables,
    optimizer: save.optimizer,
    lastEpoch: job.config.epochs,
    everySeconds: job.checkpointEverySeconds ?? CHECKPOINT_EVERY_CPU_SECONDS,
    extraState: save.state,
    selection: save.selection,
    stopsAfter: loop.stopAfter,
  });
  try {
    return await runEpochs({ ...loop, afterEpoch: (epoch, records) => checkpoints.epochEnded(epoch, records) }, hooks);
  } catch (err) {
    if (err instanceof JobCancelled) await checkpoints.flush();
    throw err;
  } finally {
    checkpoints.dispose();
  }
}

/** Adam with a run's learning rate, betas and epsilon: every job's optimiser. */
export function adamOptimizer(config: Pick<TrainConfig, 'learningRate' | 'adam'>): tf.AdamOptimizer {
  return tf.train.adam(config.learningRate, config.adam.beta1, config.adam.beta2, config.adam.epsilon);
}

/** One optimiser step; resolves to the loss value (and frees it). */
export async function minimizeStep(optimizer: tf.Optimizer, loss: () => tf.Scalar, variables: tf.Variable[]): Promise<number> {
  const value = optimizer.minimize(loss, true, variables)!;
  const result = (await value.data())[0];
  value.dispose();
  return result;
}

/** The loop settings every job takes from its configuration (and, resumed, from its checkpoint). */
export function loopSettings(job: TrainerJob, rows: number, resumed: { firstEpoch: number; checkpointed: EpochRecord[] } = { firstEpoch: 1, checkpointed: [] }) {
  return {
    runId: job.runId,
    epochs: job.config.epochs,
    firstEpoch: resumed.firstEpoch,
    checkpointed: resumed.checkpointed,
    rows,
    batchSize: job.config.batchSize,
    seed: job.config.seed,
    validateEachEpoch: job.config.validation === 'each-epoch',
    stopAfter: (records: readonly EpochRecord[]) => stopsEarly(records, job.config.earlyStopping),
  };
}
