import { z } from 'zod';
import {
  BackendInfo,
  ClusterStatus,
  DatasetSummary,
  DownloadProgress,
  DownloadStatus,
  EXPERIMENT_PRESETS,
  EXPERIMENT_STATUSES,
  ExperimentHost,
  ExperimentPreview,
  ExperimentResults,
  ExperimentSummary,
  ImportProgress,
  ImportStatus,
  MaskConfig,
  SegmentFeatures,
  SegmentRow,
  EpochRecord,
  RunDetail,
  RunKind,
  RunProgress,
  RunStatus,
  RunSummary,
  TrainConfig,
  EarlyStopping,
  EpochSelection,
  SavedFile,
  ChosenFile,
  FileHandle,
} from './entities';
import type { EventName, RequestName } from './channels';
import { SequencePolicySchema } from '../data/sequencePolicy';
import { SplitConfigSchema } from '../data/splits';
import { RunFacets, RunQuery, Tag } from '../history/query';
import { F1_METRICS, TABLE1_FORMATS, Table1 } from '../export/table1Model';
import { UPLOAD_PURPOSES } from './limits';
import { LABEL_SAMPLINGS } from '../experiments/presets';
import { Factor, MAX_FACTORS } from '../experiments/factors';

/** Where the user chose to save a file (a handle from the desktop's save dialog); absent in browser mode, where the file is downloaded. */
const SaveTo = FileHandle.optional();

/** What an experiment is started with (and previewed with, before it starts). */
const ExperimentStartParams = z
  .object({
    datasetId: z.string().min(1).max(200),
    preset: z.enum(EXPERIMENT_PRESETS),
    name: z.string().trim().max(200).optional(),
    labelCounts: z.array(z.number().int().min(1).max(1_000_000)).min(1).max(100).optional(),
    repeats: z.number().int().min(1).max(50).optional(),
    /** Labelled samples nested across label counts (default) or drawn anew for each. */
    sampling: z.enum(LABEL_SAMPLINGS).optional(),
    /**
     * Changes from the preset: masking, split (and its test share), sequence policy; the
     * fine-tunes' and baselines' learning rate, the epoch they keep and early stopping.
     */
    overrides: z
      .object({
        mask: MaskConfig.optional(),
        split: SplitConfigSchema.optional(),
        sequence: SequencePolicySchema.optional(),
        learningRate: TrainConfig.shape.learningRate.optional(),
        selection: EpochSelection.optional(),
        earlyStopping: EarlyStopping.optional(),
      })
      .strict()
      .optional(),
    /**
     * An ablation: one or two settings (see src-shared/experiments/factors.ts), each with the values
     * to compare. Main checks the values with the rules of single runs before anything is recorded.
     */
    factors: z.array(Factor.strict()).max(2 * MAX_FACTORS, `An experiment varies at most ${MAX_FACTORS} settings`).optional(),
  })
  .strict();

/**
 * The one contract between the renderer and the main process. Electron IPC and the
 * browser bridge both carry exactly these messages; main validates every incoming
 * request's params against `params` before any service sees them.
 */
export const requests = {
  'app.info': {
    params: z.object({}).strict(),
    result: z.object({
      version: z.string(),
      mode: z.enum(['electron', 'browser']),
      dataDir: z.string(),
      /** Null until the training process has started and chosen its backend. */
      backend: BackendInfo.nullable(),
      /** Training processes that run at once (one per core on WASM and plain JS). */
      workers: z.number().int().min(1),
      /** The cluster of remote workers, when a Redis URL is set; absent or null: everything runs here. */
      cluster: ClusterStatus.nullable().optional(),
      /** The dataset the window opens when it loads: the positive control, on the start that created it (a first start); otherwise null. */
      openAtStart: z.string().nullable(),
    }),
  },
  'datasets.list': {
    params: z.object({}).strict(),
    result: z.array(DatasetSummary),
  },
  'runs.list': {
    params: z
      .object({
        limit: z.number().int().min(1).max(10_000).default(500),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    result: z.array(RunSummary),
  },
  'runs.query': {
    params: RunQuery,
    result: z.object({ rows: z.array(RunSummary), total: z.number().int() }),
  },
  'runs.facets': {
    params: z.object({}).strict(),
    result: RunFacets,
  },
  'runs.details': {
    params: z.object({ ids: z.array(z.number().int().min(1)).min(1).max(500) }).strict(),
    result: z.array(RunDetail),
  },
  'runs.update': {
    params: z
      .object({
        id: z.number().int().min(1),
        name: z.string().trim().min(1, 'A run needs a name').max(200).optional(),
        notes: z.string().max(20_000).optional(),
        tags: z.array(Tag).max(30).optional(),
        archived: z.boolean().optional(),
      })
      .strict(),
    result: RunSummary,
  },
  'runs.delete': {
    params: z.object({ id: z.number().int().min(1) }).strict(),
    result: z.object({ id: z.number().int(), filesRemoved: z.boolean() }),
  },
  'runs.exportBundle': {
    params: z.object({ id: z.number().int().min(1), saveTo: SaveTo }).strict(),
    result: SavedFile,
  },
  'runs.exportPredictions': {
    /** The run's per-segment predictions (every split it was evaluated on) as CSV. */
    params: z.object({ id: z.number().int().min(1), saveTo: SaveTo }).strict(),
    result: SavedFile,
  },
  'runs.importBundle': {
    params: z
      .object({
        /** The bundle file, chosen in the desktop's dialog or uploaded from the browser. */
        file: FileHandle,
        /** Import again even though this exact run was imported before (it gets a new id). */
        asCopy: z.boolean().default(false),
      })
      .strict(),
    /** The imported runs: a fine-tune's pre-training run comes with it. */
    result: z.object({ runs: z.array(RunSummary) }),
  },
  'experiments.table1': {
    params: z.object({ id: z.number().int().min(1), f1: z.enum(F1_METRICS).default('f1Weighted') }).strict(),
    result: Table1,
  },
  'experiments.exportTable1': {
    params: z.object({ id: z.number().int().min(1), f1: z.enum(F1_METRICS).default('f1Weighted'), format: z.enum(TABLE1_FORMATS), saveTo: SaveTo }).strict(),
    result: SavedFile,
  },
  'runs.get': {
    params: z.object({ id: z.number().int().min(1) }).strict(),
    result: RunDetail,
  },
  'runs.start': {
    params: z
      .object({
        datasetId: z.string().min(1).max(200),
        kind: RunKind,
        name: z.string().trim().max(200).optional(),
        /** A fine-tune names the finished pre-training run whose encoder it freezes. */
        parentRunId: z.number().int().min(1).optional(),
        config: TrainConfig,
      })
      .strict(),
    result: RunSummary,
  },
  'runs.resume': {
    params: z.object({ id: z.number().int().min(1) }).strict(),
    result: RunSummary,
  },
  'runs.cancel': {
    params: z.object({ id: z.number().int().min(1) }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  },
  'datasets.import': {
    params: z
      .object({
        /** The two files, chosen in the desktop's dialog, uploaded from the browser or downloaded by the workbench. */
        covarep: FileHandle,
        labels: FileHandle,
        name: z.string().trim().max(200).optional(),
      })
      .strict(),
    result: z.object({ jobId: z.string() }),
  },
  'datasets.cancelImport': {
    params: z.object({ jobId: z.string().min(1).max(100) }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  },
  'datasets.segments': {
    params: z.object({ datasetId: z.string().min(1).max(200) }).strict(),
    result: z.array(SegmentRow),
  },
  'datasets.segment': {
    params: z
      .object({
        datasetId: z.string().min(1).max(200),
        index: z.number().int().min(0),
        maxFrames: z.number().int().min(1).max(20_000).default(2000),
      })
      .strict(),
    result: SegmentFeatures,
  },
  'app.pickPath': {
    params: z
      .object({
        kind: z.enum(['csd-file', 'folder', 'save-file', 'open-bundle']),
        title: z.string().max(200),
        /** For 'save-file': the suggested file name; its extension sets the dialog's filter. */
        defaultName: z.string().max(400).optional(),
      })
      .strict(),
    /** Null when the user closed the dialog. */
    result: z.object({ file: ChosenFile.nullable() }),
  },
  'uploads.begin': {
    /** Browser mode: reserves an upload of one file into the data directory; the bytes follow as an HTTP PUT to `url`. */
    params: z
      .object({
        purpose: z.enum(UPLOAD_PURPOSES),
        fileName: z.string().trim().min(1).max(400),
        bytes: z.number().int().min(1, 'The file is empty'),
      })
      .strict(),
    result: z.object({ uploadId: z.string(), url: z.string(), maxBytes: z.number().int() }),
  },
  'settings.setWorkers': {
    /** Null: one per core (chosen by backend). Kept with the data directory. */
    params: z.object({ workers: z.number().int().min(1).max(64).nullable() }).strict(),
    result: z.object({ workers: z.number().int(), overriddenBy: z.string().nullable() }),
  },
  'settings.setRedis': {
    /**
     * The Redis whose workers take pre-trainings and baselines (redis:// or rediss://), kept with the
     * data directory; null: everything runs here. The URL's secret is stored, never sent back.
     */
    params: z.object({ url: z.string().trim().max(2000).nullable(), allowInsecure: z.boolean().optional() }).strict(),
    result: z.object({ cluster: ClusterStatus.nullable(), overriddenBy: z.string().nullable() }),
  },
  'experiments.list': {
    params: z.object({}).strict(),
    result: z.array(ExperimentSummary),
  },
  'experiments.start': {
    params: ExperimentStartParams,
    result: ExperimentSummary,
  },
  'experiments.preview': {
    /** The same request as experiments.start, checked by the same rules; nothing is recorded. */
    params: ExperimentStartParams,
    result: ExperimentPreview,
  },
  'experiments.cancel': {
    params: z.object({ id: z.number().int().min(1) }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  },
  'experiments.results': {
    params: z.object({ id: z.number().int().min(1) }).strict(),
    result: ExperimentResults,
  },
  'experiments.hosts': {
    /** Where the experiment's runs trained: this machine, each cluster worker's host, and those waiting for a worker. */
    params: z.object({ id: z.number().int().min(1) }).strict(),
    result: z.array(ExperimentHost),
  },
  'datasets.download': {
    /** The folder chosen in the desktop's dialog; without one, the data directory's downloads folder. */
    params: z.object({ folder: FileHandle.optional() }).strict(),
    result: z.object({ jobId: z.string() }),
  },
  'datasets.cancelDownload': {
    params: z.object({ jobId: z.string().min(1).max(100) }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  },
} as const satisfies Record<RequestName, { params: z.ZodType; result: z.ZodType }>;

export const events = {
  'run.progress': RunProgress,
  'run.epoch': EpochRecord.extend({ runId: z.number().int() }),
  'run.status': z.object({ runId: z.number().int(), status: RunStatus, error: z.string().nullable() }),
  'backend.ready': BackendInfo,
  /** Null: no Redis is set any more (everything runs here). */
  'cluster.status': ClusterStatus.nullable(),
  'import.progress': ImportProgress,
  'import.status': ImportStatus,
  'download.progress': DownloadProgress,
  'download.status': DownloadStatus,
  'experiment.progress': z.object({ id: z.number().int(), runsDone: z.number().int(), runsTotal: z.number().int(), etaSeconds: z.number().nullable() }),
  'experiment.status': z.object({ id: z.number().int(), status: z.enum(EXPERIMENT_STATUSES), error: z.string().nullable() }),
  log: z.object({
    level: z.enum(['info', 'warn', 'error']),
    message: z.string(),
    runId: z.number().int().nullable(),
  }),
} as const satisfies Record<EventName, z.ZodType>;

export type Params<N extends RequestName> = z.input<(typeof requests)[N]['params']>;
export type ParsedParams<N extends RequestName> = z.output<(typeof requests)[N]['params']>;
export type Result<N extends RequestName> = z.output<(typeof requests)[N]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** Error codes a reply may carry; `message` is written for the researcher, not the developer. */
export const ERROR_CODES = ['unknown_request', 'invalid_params', 'not_found', 'conflict', 'storage', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export const WorkbenchErrorShape = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** Field-level problems for `invalid_params`: a dotted path and what is wrong there. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type WorkbenchErrorShape = z.infer<typeof WorkbenchErrorShape>;

export type Reply<N extends RequestName> = { ok: true; result: Result<N> } | { ok: false; error: WorkbenchErrorShape };

/** Thrown by services for failures the user should read; anything else becomes `internal`. */
export class WorkbenchError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: WorkbenchErrorShape['issues'],
  ) {
    super(message);
    this.name = 'WorkbenchError';
  }
}

/** The browser bridge's WebSocket frames. Electron IPC carries the same request/reply pair natively. */
export const BridgeClientFrame = z.object({
  type: z.literal('request'),
  id: z.number().int(),
  name: z.string(),
  params: z.unknown(),
});
export type BridgeClientFrame = z.infer<typeof BridgeClientFrame>;
export type BridgeServerFrame =
  | { type: 'reply'; id: number; reply: Reply<RequestName> }
  | { type: 'event'; name: EventName; payload: unknown };
