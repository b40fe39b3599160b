import type { TrainerJob } from '@shared/api/trainerProtocol';
import type { Standardisation } from '@shared/data/sequencePolicy';
import { FeatureReader, readIndex, type SegmentIndexEntry } from '../../data/datasetFiles';
import { SequenceSource, trainingStatistics } from '../sequences';

/** What every job reads: the dataset's segments, its split, and a reader of the feature cache. */
export interface JobData {
  reader: FeatureReader;
  segments: SegmentIndexEntry[];
  train: SegmentIndexEntry[];
  validation: SegmentIndexEntry[];
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
