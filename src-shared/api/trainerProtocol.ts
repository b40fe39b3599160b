import { z } from 'zod';
import { BackendInfo, BackendName, EpochRecord, EvaluationSplitName, MetricRecord, RunKind, RunProgress, TrainConfig } from './entities';

/**
 * Messages between the main process and the training process. The training process is
 * another program as far as main is concerned, so what it sends is validated too.
 */
export const TrainerJob = z.object({
  runId: z.number().int(),
  kind: RunKind,
  dataDir: z.string(),
  datasetId: z.string(),
  config: TrainConfig,
  /** Where the run keeps its checkpoint; a fine-tune also reads its pre-training run's folder. */
  runDir: z.string(),
  parentRunDir: z.string().nullable(),
  /** Segment indices of the run's split, fixed by main and stored with the dataset; `test` is empty when the split has no test part. */
  split: z.object({ train: z.array(z.number().int()), validation: z.array(z.number().int()), test: z.array(z.number().int()).default([]) }),
  /** Seconds of the training process's CPU time between an unfinished run's resumable checkpoints (absent: CHECKPOINT_EVERY_CPU_SECONDS; 0: every epoch). */
  checkpointEverySeconds: z.number().min(0).optional(),
});
export type TrainerJob = z.infer<typeof TrainerJob>;

/** A run's per-segment predictions on one split: dataset segment indices, and their predictions (segments x 6, flat). */
export const JobPredictions = z.object({ split: EvaluationSplitName, segments: z.array(z.number().int().min(0)), values: z.array(z.number()) });
export type JobPredictions = z.infer<typeof JobPredictions>;

/** What a finished job reports: its metrics on validation and, when its split has one, test; a supervised run's predictions on each. */
export interface JobResult {
  metrics: MetricRecord[];
  testMetrics: MetricRecord[];
  predictions: JobPredictions[];
}

export type ToTrainer =
  | { type: 'start'; job: TrainerJob }
  | { type: 'cancel'; runId: number }
  /** Multi-threaded WASM: use this many threads from the next operation on (the pool shares the cores out). */
  | { type: 'threads'; count: number }
  | { type: 'shutdown' };

export const FromTrainer = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), backend: BackendInfo }),
  z.object({ type: z.literal('started'), runId: z.number().int(), backend: BackendName, backendReason: z.string() }),
  z.object({ type: z.literal('progress'), progress: RunProgress }),
  // A run starting from its checkpoint of `epoch` (0: none): epochs recorded after it are trained again.
  z.object({ type: z.literal('resumed'), runId: z.number().int(), epoch: z.number().int().min(0) }),
  // fromCheckpoint: re-reported from the checkpoint a resumed run starts from; main records it only if missing.
  z.object({ type: z.literal('epoch'), runId: z.number().int(), record: EpochRecord, fromCheckpoint: z.boolean().optional() }),
  z.object({
    type: z.literal('done'),
    runId: z.number().int(),
    metrics: z.array(MetricRecord),
    testMetrics: z.array(MetricRecord).default([]),
    predictions: z.array(JobPredictions).default([]),
  }),
  z.object({ type: z.literal('cancelled'), runId: z.number().int() }),
  z.object({ type: z.literal('failed'), runId: z.number().int(), error: z.string() }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  // The threads a process uses after a 'threads' request; canGrow: false once it cannot take more (see wasmThreads.ts).
  z.object({ type: z.literal('threads'), current: z.number().int().min(1), max: z.number().int().min(1), canGrow: z.boolean() }),
]);
export type FromTrainer = z.infer<typeof FromTrainer>;
