/**
 * The data the training benchmarks run on: a built-in dataset generated with the full-size
 * one's parameters (CMU-MOSEI-like clips of 150-600 frames) but 1,600 segments, so its
 * batches are what a paper run's are (T = 300, most batches with some shorter clips) without
 * generating 2.6 GB. Read through the jobs' own sources, standardised as a run does.
 */
import { join } from 'node:path';
import type { TrainConfig } from '@shared/api/entities';
import type { TrainerJob } from '@shared/api/trainerProtocol';
import { assignSplit } from '@shared/data/splits';
import { paperTrainConfig } from '@shared/model/presets';
import { datasetExists, readIndex, writeDataset } from '../data/datasetFiles';
import { FULL_BUILTIN, generateSynthetic } from '../data/synthetic';
import { openJobData, source, statisticsOf, type JobData } from '../training/jobs/context';
import type { SequenceSource } from '../training/sequences';

const BENCH_DATASET = { ...FULL_BUILTIN, segments: 1600 };
const DATASET_ID = 'bench-paper-shaped';

export interface BenchData {
  config: TrainConfig;
  job: TrainerJob;
  data: JobData;
  train: SequenceSource;
  validation: SequenceSource;
  close(): void;
}

/** The paper's configuration on the benchmark dataset (generated once under `workDir`, then reused). */
export async function openBenchData(workDir: string): Promise<BenchData> {
  const dataDir = join(workDir, 'paper-shaped');
  if (!datasetExists(dataDir, DATASET_ID)) {
    process.stderr.write(`Generating ${BENCH_DATASET.segments} segments shaped like the full-size built-in dataset (kept in ${dataDir})…\n`);
    await writeDataset(dataDir, DATASET_ID, generateSynthetic(BENCH_DATASET));
  }
  const config = paperTrainConfig();
  const { segments } = readIndex(dataDir, DATASET_ID);
  const split = assignSplit(segments, config.split);
  const job: TrainerJob = { runId: 1, kind: 'pretrain', dataDir, datasetId: DATASET_ID, config, runDir: join(workDir, 'paper-shaped-run'), parentRunDir: null, split: { train: split.train, validation: split.validation, test: split.test ?? [] } };
  const data = openJobData(job);
  const stats = statisticsOf(data, job);
  return {
    config,
    job,
    data,
    train: source(data, data.train, job, stats),
    validation: source(data, data.validation, job, stats),
    close: () => data.close(),
  };
}

/** Rows of the i-th batch of `size` from a source, wrapping around. */
export function benchRows(src: SequenceSource, i: number, size: number): number[] {
  return Array.from({ length: size }, (_, k) => (i * size + k) % src.length);
}
