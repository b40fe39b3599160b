import { z } from 'zod';
import { EMOTIONS, LABEL_KINDS } from '../emotions';
import { SequencePolicySchema } from '../data/sequencePolicy';
import { EVALUATION_SPLITS, SplitConfigSchema } from '../data/splits';
import { ModelConfigSchema } from '../model/modelConfig';
import { ControlParams } from '../data/controls';

/** What the store and the services hand across the contract. Schemas first; the types follow from them. */

export const RUN_KINDS = ['pretrain', 'finetune', 'baseline'] as const;
export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
/** 'tensorflow-gpu' is tfjs-node-gpu, 'tensorflow' tfjs-node (both register tfjs's 'tensorflow' backend). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

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

/**
 * Adam's constants besides its learning rate. The paper uses Adam "with its default learning
 * rate of 0.001" and names no other; the defaults here are Keras's (beta1 0.9, beta2 0.999,
 * epsilon 1e-7). tfjs's Adam computes the same update as Keras's and PyTorch's
 * (bias-corrected moments, epsilon added to the corrected root).
 */
export const AdamConfig = z.object({
  beta1: z.number().min(0).lt(1),
  beta2: z.number().min(0).lt(1),
  epsilon: z.number().positive().max(1),
});
export type AdamConfig = z.infer<typeof AdamConfig>;
export const KERAS_ADAM: Readonly<AdamConfig> = Object.freeze({ beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });

/**
 * How a run's weights start (its seed says which draw). Both: Glorot-uniform kernels, zero
 * biases. 'keras': each GRU's [H, 3H] recurrent matrix orthogonal as one matrix, as Keras's
 * Orthogonal initialises it. 'orthogonal-per-gate': each gate's [H, H] block orthogonal on its
 * own, which makes the recurrent matrix start about sqrt(3) larger; what runs recorded before
 * this field existed used, kept so they can be resumed and reproduced.
 */
export const INITIALISATIONS = ['keras', 'orthogonal-per-gate'] as const;
export const Initialisation = z.enum(INITIALISATIONS);
export type Initialisation = z.infer<typeof Initialisation>;

/**
 * Which epoch's weights a run keeps and is evaluated with. 'last-epoch': the last one trained
 * (the paper's). 'best-validation-loss': the epoch with the lowest validation loss (the earliest
 * on a tie); its weights are kept in the checkpoint and evaluated on validation and test.
 */
export const EPOCH_SELECTIONS = ['last-epoch', 'best-validation-loss'] as const;
export const EpochSelection = z.enum(EPOCH_SELECTIONS);
export type EpochSelection = z.infer<typeof EpochSelection>;

/** Stop once the validation loss has not improved on its best for `patience` epochs in a row (null: train every epoch, the paper's). */
export const EarlyStopping = z.object({ patience: z.number().int().min(1).max(1000) }).nullable();
export type EarlyStopping = z.infer<typeof EarlyStopping>;

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
  /** Adam's betas and epsilon (its learning rate is `learningRate`). */
  adam: AdamConfig,
  initialisation: Initialisation,
  /** Which epoch's weights are kept and evaluated (the paper: the last). Both need validation after every epoch. */
  selection: EpochSelection,
  /** Early stopping on the validation loss (the paper: none). */
  earlyStopping: EarlyStopping,
});
export type TrainConfig = z.infer<typeof TrainConfig>;

/**
 * A configuration as a record written before some fields existed holds it (a run bundle from
 * an older workbench): each missing field reads as what such runs used: tfjs's Adam defaults
 * (Keras's), the per-gate orthogonal initialisation, no test part, the last epoch, no early stopping.
 */
export const RecordedTrainConfig = TrainConfig.extend({
  adam: AdamConfig.default(() => ({ ...KERAS_ADAM })),
  initialisation: Initialisation.default('orthogonal-per-gate'),
  split: SplitConfigSchema.extend({ testFraction: SplitConfigSchema.shape.testFraction.default(0) }),
  selection: EpochSelection.default('last-epoch'),
  earlyStopping: EarlyStopping.default(null),
});

/**
 * Which GRU implementation trains on a backend: the fused layer with its hand-written
 * backward pass, or the same reset_after maths as plain ops differentiated by tfjs
 * (`autograd`, the way tf.layers.gru runs), whichever a one-off timing on this backend
 * found faster (`measured`, milliseconds per training step; null when not timed).
 */
export const RecurrentChoice = z.object({
  layer: z.enum(['fused', 'autograd']),
  measured: z.object({ fused: z.number(), autograd: z.number() }).nullable(),
  why: z.string(),
});
export type RecurrentChoice = z.infer<typeof RecurrentChoice>;

export const BackendInfo = z.object({
  name: BackendName,
  /** Why this backend was chosen: what was tried before it and why it failed. */
  reason: z.string(),
  tfjsVersion: z.string(),
  /** Multi-threaded WASM: the process's XNNPACK threads now, and the most it may use. */
  threads: z.object({ current: z.number().int().min(1), max: z.number().int().min(1) }).nullable().optional(),
  /** The GPU a GPU backend trains on, by its name, and how many this machine has (one training process each). */
  gpu: z.object({ name: z.string(), count: z.number().int().min(1) }).nullable().optional(),
  recurrent: RecurrentChoice.optional(),
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
  /** 'cluster': trained for this workbench by a cluster worker (sourceHost) and recorded when it finished; absent: imported from a bundle file. */
  via: z.literal('cluster').optional(),
});
export type RunOrigin = z.infer<typeof RunOrigin>;

export const EvaluationSplitName = z.enum(EVALUATION_SPLITS);

/**
 * A model's predictions for one emotion that cannot tell segments apart: every segment in one
 * four-class bin ('single-bin', which also makes presence constant), or predicted present (or
 * absent) for every segment while the bins vary ('constant-presence'). Its F1, accuracy and MAE
 * are then those of a constant, whatever they look like.
 */
export const DegenerateFlag = z.object({
  emotion: z.string(),
  kind: z.enum(['single-bin', 'constant-presence']),
  /** 'single-bin': the bin (0 absent .. 3). */
  bin: z.number().int().min(0).max(3).nullable(),
  /** Whether every segment is predicted present (four-class bin 1 or more). */
  present: z.boolean(),
});
export type DegenerateFlag = z.infer<typeof DegenerateFlag>;

/** A run's flags on the split its headline numbers come from (test when it has one); null when no predictions were stored. */
export const RunFlags = z.object({ split: EvaluationSplitName, flags: z.array(DegenerateFlag) }).nullable();
export type RunFlags = z.infer<typeof RunFlags>;

/**
 * An ablation's factor values a run stands for (see src-shared/experiments/factors.ts): a
 * fine-tune and its pre-training every value that sets them, a baseline only those that change it
 * (a baseline shared by every mask span carries none of them).
 */
export const FactorValues = z.record(z.string(), z.union([z.number(), z.string()]));
export type FactorValuesRecord = z.infer<typeof FactorValues>;

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
  /** Headline numbers on the test split; null when the run has none. */
  maeTest: z.number().nullable(),
  acc4Test: z.number().nullable(),
  /** Emotions whose predictions are degenerate (see DegenerateFlag), on the test split when there is one. */
  flags: RunFlags,
  /** The ablation factor values the run stands for; null outside an ablation. */
  factorValues: FactorValues.nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const EpochRecord = z.object({
  epoch: z.number().int().min(1),
  loss: z.number(),
  valLoss: z.number().nullable(),
  seconds: z.number().min(0),
  /**
   * Pre-training only: the reconstruction error on the masked steps alone (mean squared error per
   * feature), on the training batches and on validation. Whatever the loss covers, this is what
   * shows whether the encoder learned to fill a gap rather than copy its input. Null for other
   * runs and for records written before it existed.
   */
  maskedLoss: z.number().nullable().optional(),
  valMaskedLoss: z.number().nullable().optional(),
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
  /** On the validation split. */
  metrics: z.array(MetricRecord),
  /** On the test split; empty when the run's split has none (or it was recorded before test splits existed). */
  testMetrics: z.array(MetricRecord),
  /** Splits whose per-segment predictions are stored with the run, with how many segments each. */
  predictions: z.array(z.object({ split: EvaluationSplitName, segments: z.number().int(), flags: z.array(DegenerateFlag) })),
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
  /** Segments that had any value replaced (each segment's count is in the dataset's segment table), and the few with the most. */
  segmentsWithNonFinite: count.default(0),
  mostNonFinite: z.array(z.object({ id: z.string(), values: count })).default([]),
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
  /** Feature values the import replaced by 0 (NaN, ±inf, beyond float32); null where not recorded (generated data, older imports). */
  nonFinite: z.number().int().nullable(),
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

/** A setting an ablation varies and its values, as stored with the experiment's plan. */
export const ExperimentFactor = z.object({ field: z.string(), values: z.array(z.union([z.number(), z.string()])) });
export type ExperimentFactor = z.infer<typeof ExperimentFactor>;

export const ExperimentSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  datasetId: z.string(),
  preset: z.enum(EXPERIMENT_PRESETS),
  status: z.enum(EXPERIMENT_STATUSES),
  labelCounts: z.array(z.number().int()),
  repeats: z.number().int(),
  /** The pre-training every fine-tune builds on; null until chosen, and for an ablation whose values need several (see pretrainRunIds). */
  pretrainRunId: z.number().int().nullable(),
  /** Every pre-training of the experiment, one per distinct pre-training configuration. */
  pretrainRunIds: z.array(z.number().int()),
  /** The settings an ablation varies; empty for a plain experiment. */
  factors: z.array(ExperimentFactor),
  runsTotal: z.number().int(),
  runsDone: z.number().int(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type ExperimentSummary = z.infer<typeof ExperimentSummary>;

/** What starting an experiment's plan will run, and how long it is projected to take. */
export const ExperimentPreview = z.object({
  /** Combinations of factor values (1 without factors). */
  variants: z.number().int(),
  /** Distinct pre-trainings the plan needs, and the ids of finished identical ones it will reuse instead of training. */
  pretrainings: z.number().int(),
  reusedPretrainings: z.array(z.number().int()),
  finetunes: z.number().int(),
  baselines: z.number().int(),
  /** Baseline arms: one per distinct baseline configuration, shared by the values that do not change it. */
  baselineArms: z.number().int(),
  /** What weakens some run of the plan (it starts anyway). */
  warnings: z.array(z.string()),
  /**
   * Wall time on this backend and pool, from the measured speeds of runs that trained on it; null
   * with the reason (`unknown`) when a kind of run the plan needs has not been measured.
   */
  projection: z.object({
    seconds: z.number().nullable(),
    unknown: z.string().nullable(),
    backend: BackendName.nullable(),
    /** Local training processes counted. */
    workers: z.number().int(),
    /** What the projection counted, in words: "2 local processes + 3 slots on 2 workers". */
    counted: z.string(),
    /** Why the figure is rough (some kind measured only by runs without a thread count); null when it is not. */
    rough: z.string().nullable(),
    /** Cluster workers holding the dataset that the projection leaves out, each with why (no run measured on its host or backend). */
    leftOut: z.array(z.string()),
  }),
});
export type ExperimentPreview = z.infer<typeof ExperimentPreview>;

/** One host's runs of one kind in an experiment: how many are in each state, and the training time of the finished ones. */
export const HostJobCounts = z.object({
  done: z.number().int().min(0),
  running: z.number().int().min(0),
  /** Queued here, or for the cluster's row without a host, waiting for a worker. */
  queued: z.number().int().min(0),
  /** Failed, cancelled or interrupted. */
  stopped: z.number().int().min(0),
  /** Summed wall seconds of the finished runs, from their start to their end. */
  seconds: z.number().min(0),
});
export type HostJobCounts = z.infer<typeof HostJobCounts>;

/** Where an experiment's runs trained: one row per machine, kind by kind. */
export const ExperimentHost = z.object({
  /** The machine's host name; null for runs handed to the cluster that no worker has started yet. */
  host: z.string().nullable(),
  /** The machine this workbench runs on (its own pool of training processes). */
  thisMachine: z.boolean(),
  pretrain: HostJobCounts,
  baseline: HostJobCounts,
  finetune: HostJobCounts,
});
export type ExperimentHost = z.infer<typeof ExperimentHost>;

/** A confidence interval's bounds. */
export const Interval = z.object({ lower: z.number(), upper: z.number() });
export type Interval = z.infer<typeof Interval>;

/**
 * Mean, sample standard deviation and 95% confidence interval over the repeats of one label count.
 * The interval is t-based (mean ± t(0.975, n − 1) · sd / √n); sd and interval are null with one repeat.
 */
export const MeanSd = z.object({ mean: z.number(), sd: z.number().nullable(), n: z.number().int(), ci95: Interval.nullable() });
export type MeanSd = z.infer<typeof MeanSd>;

/** One label count of one arm: metric name -> scope ('overall' or an emotion) -> mean, sd and interval. */
export const ExperimentPoint = z.object({
  labelCount: z.number().int(),
  runIds: z.array(z.number().int()),
  metrics: z.record(z.string(), z.record(z.string(), MeanSd)),
  /** Runs of the point whose predictions are degenerate for some emotion (see DegenerateFlag), with those emotions. */
  flagged: z.array(z.object({ runId: z.number().int(), emotions: z.array(z.string()) })),
  /** Runs of the point whose predictions were stored, so checked for degenerate ones (runs recorded before predictions were kept are not). */
  checked: z.number().int().min(0),
});
export type ExperimentPoint = z.infer<typeof ExperimentPoint>;

export const TESTED_METRICS = ['acc4', 'mae'] as const;
export type TestedMetric = (typeof TESTED_METRICS)[number];

/** SSL minus baseline at one label count and scope, paired over repeats (same labelled sample in both arms). */
export const PairedComparison = z.object({
  labelCount: z.number().int(),
  metric: z.enum(TESTED_METRICS),
  /** 'overall' or an emotion. */
  scope: z.string(),
  meanDifference: z.number(),
  /** 95% t interval of the mean difference; null with fewer than two pairs. */
  ci95: Interval.nullable(),
  n: z.number().int(),
  t: z.number().nullable(),
  /** Two-sided paired t-test, uncorrected; null with fewer than two pairs or identical differences. */
  pValue: z.number().nullable(),
  /** Holm-adjusted across the metric's family (see TestFamily); null where pValue is. */
  pAdjusted: z.number().nullable(),
});
export type PairedComparison = z.infer<typeof PairedComparison>;

/** The tests one Holm correction spans: for one metric, every factor value × label count × scope with a p-value. */
export const TestFamily = z.object({
  metric: z.enum(TESTED_METRICS),
  /** m: how many tests the correction counts. */
  tests: z.number().int(),
  /** Combinations of factor values the family spans (1 for a plain experiment). */
  values: z.number().int().min(1),
  labelCounts: z.array(z.number().int()),
  scopes: z.array(z.string()),
  /** Comparisons of the metric that have no p-value (fewer than two pairs, or identical differences), outside the family. */
  untested: z.number().int(),
});
export type TestFamily = z.infer<typeof TestFamily>;

/** "Labels saved" at one SSL label count, with the interval it rests on. */
export const LabelsSaved = z.object({
  sslLabels: z.number().int(),
  sslAcc4: z.number(),
  /** Smallest label count at which the baseline's mean 4-class accuracy reaches sslAcc4 (null: never within the sweep). */
  baselineLabels: z.number().int().nullable(),
  /** SSL's 95% interval of the mean at sslLabels; null with one repeat. */
  sslAcc4Ci95: Interval.nullable(),
  /** The same search for the interval's lower and upper bounds (null bound: not within the sweep); null without an interval. */
  baselineLabelsAtCi95: z.object({ lower: z.number().int().nullable(), upper: z.number().int().nullable() }).nullable(),
});
export type LabelsSaved = z.infer<typeof LabelsSaved>;

/**
 * Predictors that use no audio, scored on the same segments as the runs (see
 * src-shared/experiments/references.ts): per label count, the mean and sd over the repeats of
 * each repeat's labelled sample.
 */
export const ReferencePredictors = z.object({
  /** Predicts, for every segment, the labelled sample's mean intensity of each emotion. */
  labelMean: z.array(ExperimentPoint),
  /** Predicts, for every segment, the labelled sample's most frequent four-class bin of each emotion. */
  majorityClass: z.array(ExperimentPoint),
});
export type ReferencePredictors = z.infer<typeof ReferencePredictors>;

/**
 * The results of one combination of an ablation's factor values: its SSL arm, the baseline arm it
 * is paired with (shared with every value that does not change the baseline), and what a plain
 * experiment reports of them.
 */
export const VariantResults = z.object({
  key: z.string(),
  values: FactorValues,
  /** "span = 10 · hidden = 64". */
  label: z.string(),
  pretrainRunId: z.number().int().nullable(),
  /** The baseline arm's key: variants with the same one share their baseline runs. */
  baselineKey: z.string(),
  ssl: z.array(ExperimentPoint),
  baseline: z.array(ExperimentPoint),
  references: ReferencePredictors,
  /** SSL of this value minus its baseline; Holm-adjusted across the ablation's family (see testFamilies). */
  comparisons: z.array(PairedComparison),
  labelsSaved: z.array(LabelsSaved),
});
export type VariantResults = z.infer<typeof VariantResults>;

/** The factor value whose SSL arm is best at one label count for one metric (higher accuracy, lower MAE), ties listed together. */
export const BestValue = z.object({
  metric: z.enum(TESTED_METRICS),
  labelCount: z.number().int(),
  keys: z.array(z.string()),
  mean: z.number(),
  /** The next best value's mean, to read the margin (null: one value measured). */
  runnerUp: z.object({ key: z.string(), mean: z.number() }).nullable(),
});
export type BestValue = z.infer<typeof BestValue>;

export const ExperimentResults = z.object({
  experiment: ExperimentSummary,
  /** The split every number below was measured on: test when the experiment's runs have one, else validation. */
  split: EvaluationSplitName,
  ssl: z.array(ExperimentPoint),
  baseline: z.array(ExperimentPoint),
  references: ReferencePredictors,
  /** Per metric, scope ('overall' first, then the emotions) and label count. */
  comparisons: z.array(PairedComparison),
  /** One Holm family per metric. */
  testFamilies: z.array(TestFamily),
  /** At 20, 50 and 200 labels where SSL has them. */
  labelsSaved: z.array(LabelsSaved),
  /**
   * An ablation's factors, its results per combination of their values, and the best value per
   * label count. A plain experiment has none of them and its numbers in the fields above; an
   * ablation's fields above are empty, except `testFamilies`, which span every value.
   */
  factors: z.array(ExperimentFactor),
  variants: z.array(VariantResults),
  best: z.array(BestValue),
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

/** A worker of the cluster as the status bar shows it. */
export const ClusterWorkerInfo = z.object({
  id: z.string(),
  host: z.string(),
  backend: BackendName,
  poolSize: z.number().int().min(1),
  /** Names of the datasets it holds (it takes jobs for those only). */
  datasets: z.array(z.string()),
  /** Runs of this workbench it is training now. */
  runIds: z.array(z.number().int()),
  /** Jobs it is training now, for any workbench. */
  busy: z.number().int().min(0),
});
export type ClusterWorkerInfo = z.infer<typeof ClusterWorkerInfo>;

/** The cluster this workbench sends pre-trainings and baselines to; null in app info when no Redis is set. */
export const ClusterStatus = z.object({
  /** The Redis URL with its secret replaced by ***. */
  redis: z.string(),
  state: z.enum(['connecting', 'connected', 'unreachable']),
  /** Why Redis is unreachable (the connection error), while it is. */
  error: z.string().nullable(),
  workers: z.array(ClusterWorkerInfo),
  /** This workbench's runs now on the cluster: waiting for a worker, or training. */
  queued: z.number().int().min(0),
  running: z.number().int().min(0),
});
export type ClusterStatus = z.infer<typeof ClusterStatus>;
