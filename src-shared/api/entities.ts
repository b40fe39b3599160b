import { z } from 'zod';
import { EMOTIONS, LABEL_KINDS } from '../emotions';
import { SequencePolicySchema } from '../data/sequencePolicy';
import { SplitConfigSchema } from '../data/splits';
import { ModelConfigSchema } from '../model/modelConfig';
import { ControlParams } from '../data/controls';

/** What the store and the services hand across the contract. Schemas first; the types follow from them. */

export const RUN_KINDS = ['pretrain', 'finetune', 'baseline'] as const;
export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;

export const RunKind = z.enum(RUN_KINDS);
export type RunKind = z.infer<typeof RunKind>;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;
export const BackendName = z.enum(BACKEND_NAMES);
export type BackendName = z.infer<typeof BackendName>;

/** Masking as the paper describes it: spans of consecutive valid timesteps set to a constant. */
export const MaskConfig = z.object({
  spanLength: z.number().int().min(1).max(10_000),
  spanCount: z.number().int().min(0).max(100),
  value: z.number().finite(),
  lossScope: z.enum(['all-valid', 'masked-only']),
});
export type MaskConfig = z.infer<typeof MaskConfig>;
/** The paper: one span of 30 steps set to -30, loss on the whole original clip. */
export const PAPER_MASK: MaskConfig = { spanLength: 30, spanCount: 1, value: -30, lossScope: 'all-valid' };

/** Hyper-parameters of a training run. Every field is recorded with the run. */
export const TrainConfig = z.object({
  epochs: z.number().int().min(1).max(10_000),
  batchSize: z.number().int().min(1).max(4096),
  learningRate: z.number().positive().max(10),
  /** The network and the choices the paper leaves open (see modelConfig.ts). */
  model: ModelConfigSchema,
  /** Fine-tune and baseline runs: how many labelled training segments, drawn with this seed (null: all). */
  labels: z.object({ count: z.number().int().min(1).nullable(), seed: z.number().int().min(0).max(2 ** 31 - 1) }),
  /** Seed of initialisation, masking and shuffling (the split and the labelled sample have their own). */
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  mask: MaskConfig.nullable(),
  /** How segments become fixed-length sequences: window length and side, pooling, padding. */
  sequence: SequencePolicySchema,
  /** Which segments train and which validate (the paper: random 80/20 by segment). */
  split: SplitConfigSchema,
  /** Validation loss after every epoch (a curve to watch) or only after the last (the paper reports final metrics; much cheaper on large validation splits). */
  validation: z.enum(['each-epoch', 'final']),
});
export type TrainConfig = z.infer<typeof TrainConfig>;

export const BackendInfo = z.object({
  name: BackendName,
  /** Why this backend was chosen: what was tried before it and why it failed. */
  reason: z.string(),
  tfjsVersion: z.string(),
});
export type BackendInfo = z.infer<typeof BackendInfo>;

export const DatasetSummary = z.object({
  id: z.string(),
  name: z.string(),
  source: z.enum(['synthetic', 'import']),
  synthetic: z.boolean(),
  segments: z.number().int(),
  videos: z.number().int(),
  frames: z.number().int(),
  features: z.number().int(),
  nonFiniteReplaced: z.number().int(),
  fingerprint: z.string(),
  createdAt: z.string(),
  /** Sizes of the dataset's default split (random 80/20 by segment, seed 0). */
  defaultSplit: z.object({ train: z.number().int(), validation: z.number().int() }).nullable(),
  /** A positive or negative control: the generator's recorded parameters (null for any other dataset). */
  control: ControlParams.nullable(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

/** Where an imported run came from: kept with it, never overwritten. */
export const RunOrigin = z.object({
  /** SHA-256 of the bundle file's run record, to recognise the same run imported twice. */
  bundleSha256: z.string(),
  sourceRunId: z.number().int(),
  sourceHost: z.string(),
  sourceDataDir: z.string(),
  exportedAt: z.string(),
  workbenchVersion: z.string(),
  importedAt: z.string(),
});
export type RunOrigin = z.infer<typeof RunOrigin>;

export const RunSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: RunKind,
  status: RunStatus,
  datasetId: z.string(),
  parentRunId: z.number().int().nullable(),
  config: TrainConfig,
  seed: z.number().int(),
  backend: BackendName.nullable(),
  backendReason: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** Headline numbers for the history table; null until the run has them. */
  lastLoss: z.number().nullable(),
  maeOverall: z.number().nullable(),
  acc4Overall: z.number().nullable(),
  /** Labelled segments a fine-tune or baseline trained on (null: pre-training, or all labels). */
  labelCount: z.number().int().nullable(),
  experimentId: z.number().int().nullable(),
  tags: z.array(z.string()),
  notes: z.string(),
  archived: z.boolean(),
  /** Set when the run was imported from a bundle. */
  origin: RunOrigin.nullable(),
  /** The masking of the pre-training behind the run: its own, or for a fine-tune its encoder's; null for a baseline. */
  pretrainMask: MaskConfig.nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const EpochRecord = z.object({
  epoch: z.number().int().min(1),
  loss: z.number(),
  valLoss: z.number().nullable(),
  seconds: z.number().min(0),
});
export type EpochRecord = z.infer<typeof EpochRecord>;

export const METRIC_SCOPES = ['overall', ...EMOTIONS] as const;
export const MetricRecord = z.object({
  scope: z.enum(METRIC_SCOPES),
  name: z.string().min(1).max(64),
  value: z.number(),
});
export type MetricRecord = z.infer<typeof MetricRecord>;

export const RunDetail = RunSummary.extend({
  epochs: z.array(EpochRecord),
  metrics: z.array(MetricRecord),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const RunProgress = z.object({
  runId: z.number().int(),
  epoch: z.number().int().min(1),
  epochs: z.number().int().min(1),
  batch: z.number().int().min(0),
  batches: z.number().int().min(1),
  loss: z.number().nullable(),
  samplesPerSecond: z.number().min(0),
  etaSeconds: z.number().min(0).nullable(),
});
export type RunProgress = z.infer<typeof RunProgress>;

export const ImportProgress = z.object({
  jobId: z.string(),
  /** Reading the files for their fingerprint, then aligning and writing the cache. */
  phase: z.enum(['fingerprint', 'align']),
  done: z.number(),
  total: z.number(),
  etaSeconds: z.number().min(0).nullable(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

const count = z.number().int().min(0);

/** What an import kept, left out and replaced, in numbers (the notes say the same in words). */
export const ImportSummary = z.object({
  segments: count,
  videos: count,
  frames: count,
  /** COVAREP values replaced by 0: NaN, ±inf, and float64 values beyond float32's range. */
  nonFiniteReplaced: count,
  /** Of those, the values that were finite in the file but too large for float32. */
  beyondFloat32Replaced: count,
  /** Label rows of zero length, skipped as the SDK does. */
  zeroLengthRowsSkipped: count,
  /** Label rows whose interval is not finite or ends before it starts. */
  invalidIntervalRows: count,
  /** Label rows no COVAREP frame overlaps. */
  rowsWithoutFrames: count,
  /** COVAREP frames whose start or end is not finite, which no segment can take. */
  covarepFramesWithoutTime: count,
  /** Segments left out because a label was NaN, infinite or out of its range (never clamped). */
  segmentsDroppedForLabels: count,
  /** Per kind of label (sentiment, then each emotion), the unusable values in those segments. */
  labelProblems: z.record(z.enum(LABEL_KINDS), z.object({ nonFinite: count, outOfRange: count })),
  videosOnlyInCovarep: count,
  videosOnlyInLabels: count,
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const ImportStatus = z.object({
  jobId: z.string(),
  status: z.enum(['running', 'done', 'duplicate', 'failed', 'cancelled']),
  /** The new dataset, or for `duplicate` the one already imported from the same files. */
  datasetId: z.string().nullable(),
  error: z.string().nullable(),
  /** What the aligner dropped or replaced, for the user to check. */
  notes: z.array(z.string()),
  /** The same in numbers, once an import is done. */
  summary: ImportSummary.optional(),
});
export type ImportStatus = z.infer<typeof ImportStatus>;

/** One row of a dataset's segment table. */
export const SegmentRow = z.object({
  index: z.number().int(),
  id: z.string(),
  video: z.string(),
  frames: z.number().int(),
  start: z.number(),
  end: z.number(),
  sentiment: z.number(),
  /** Six intensities in EMOTIONS order. */
  emotions: z.array(z.number()),
  /** Side of the dataset's default split (random 80/20 by segment, seed 0). */
  split: z.enum(['train', 'validation', 'test', 'unassigned']),
});
export type SegmentRow = z.infer<typeof SegmentRow>;

/** One segment's features for display: frames x 74 row-major, as stored (NaN/inf already replaced). */
export const SegmentFeatures = SegmentRow.extend({
  featureNames: z.array(z.string()),
  /** Frames returned (the first `frames` of the segment, at most the requested limit). */
  shownFrames: z.number().int(),
  values: z.array(z.number()),
});
export type SegmentFeatures = z.infer<typeof SegmentFeatures>;

export const DOWNLOAD_FILES = ['labels', 'covarep'] as const;
export const DownloadProgress = z.object({
  jobId: z.string(),
  file: z.enum(DOWNLOAD_FILES),
  bytesDone: z.number(),
  bytesTotal: z.number().nullable(),
  etaSeconds: z.number().min(0).nullable(),
});
export type DownloadProgress = z.infer<typeof DownloadProgress>;

/**
 * An opaque, one-time reference to a file main has vouched for: chosen in the desktop's own
 * dialog, uploaded from the browser, or downloaded by the workbench. Requests name files by
 * handle, never by path (see src-main/app/fileHandles.ts).
 */
export const FileHandle = z.string().regex(/^fh-[A-Za-z0-9_-]{24}$/, 'This file reference is not valid: choose the file again');
export type FileHandle = z.infer<typeof FileHandle>;

/** A file main handed out a handle for, with what to show the user. */
export const ChosenFile = z.object({
  handle: FileHandle,
  /** The file (or folder) name, without its folder. */
  name: z.string(),
  /** Where it is, for display only: the full path on the desktop, the original file name for an upload. */
  location: z.string(),
  /** Size in bytes (files only). */
  bytes: z.number().int().min(0).nullable(),
});
export type ChosenFile = z.infer<typeof ChosenFile>;

export const DownloadStatus = z.object({
  jobId: z.string(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  /** The folder the files go to, for display. */
  folder: z.string(),
  /** Once done: the two files, ready to hand to the import. */
  files: z.object({ covarep: ChosenFile, labels: ChosenFile }).nullable(),
  error: z.string().nullable(),
});
export type DownloadStatus = z.infer<typeof DownloadStatus>;

export const EXPERIMENT_PRESETS = ['quick', 'paper'] as const;
export const EXPERIMENT_STATUSES = ['running', 'done', 'failed', 'cancelled', 'interrupted'] as const;

export const ExperimentSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  datasetId: z.string(),
  preset: z.enum(EXPERIMENT_PRESETS),
  status: z.enum(EXPERIMENT_STATUSES),
  labelCounts: z.array(z.number().int()),
  repeats: z.number().int(),
  pretrainRunId: z.number().int().nullable(),
  runsTotal: z.number().int(),
  runsDone: z.number().int(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type ExperimentSummary = z.infer<typeof ExperimentSummary>;

/** Mean and sample standard deviation over the repeats of one label count. */
export const MeanSd = z.object({ mean: z.number(), sd: z.number().nullable(), n: z.number().int() });
export type MeanSd = z.infer<typeof MeanSd>;

/** One label count of one arm: metric name -> scope ('overall' or an emotion) -> mean and sd. */
export const ExperimentPoint = z.object({
  labelCount: z.number().int(),
  runIds: z.array(z.number().int()),
  metrics: z.record(z.string(), z.record(z.string(), MeanSd)),
});
export type ExperimentPoint = z.infer<typeof ExperimentPoint>;

/** SSL minus baseline at one label count, paired over repeats (same labelled sample in both arms). */
export const PairedComparison = z.object({
  labelCount: z.number().int(),
  metric: z.enum(['acc4', 'mae']),
  meanDifference: z.number(),
  n: z.number().int(),
  t: z.number().nullable(),
  pValue: z.number().nullable(),
});
export type PairedComparison = z.infer<typeof PairedComparison>;

export const ExperimentResults = z.object({
  experiment: ExperimentSummary,
  ssl: z.array(ExperimentPoint),
  baseline: z.array(ExperimentPoint),
  comparisons: z.array(PairedComparison),
  /** Smallest label count at which the baseline's mean 4-class accuracy reaches SSL's at 20, 50 and 200 labels (null: never within the sweep). */
  labelsSaved: z.array(z.object({ sslLabels: z.number().int(), sslAcc4: z.number(), baselineLabels: z.number().int().nullable() })),
});
export type ExperimentResults = z.infer<typeof ExperimentResults>;

/** A file the workbench wrote for the user: saved at `path` (desktop) or handed back as `content` (browser download). */
export const SavedFile = z.object({
  fileName: z.string(),
  mimeType: z.string(),
  path: z.string().nullable(),
  content: z.string().nullable(),
});
export type SavedFile = z.infer<typeof SavedFile>;
