import { DatasetRepository } from '../store/datasets';
import { SplitRepository } from '../store/splits';
import { SettingsRepository } from '../store/settings';
import { DatasetService } from '../data/datasetService';
import { TrainingService } from '../training/trainingService';
import { ImportService } from '../data/importService';
import { DownloadService } from '../data/downloadService';
import { ExperimentService } from '../experiments/experimentService';
import { ExperimentRepository } from '../store/experiments';
import type { SpawnProcess } from '../platform/workerProcesses';
import { openDataDir } from './openDataDir';
import { createDispatcher, type Dispatch } from './dispatch';
import { WorkbenchError, type Params } from '@shared/api/contract';
import { EventSink } from '../platform/events';
import { WORKBENCH_VERSION } from '../platform/version';
import { RunHistory } from '../store/runHistory';
import { removeRunFiles } from '../training/runFiles';
import { Table1Service } from '../export/table1Service';
import { RunBundleService } from '../export/runBundleService';
import { PredictionsService } from '../export/predictionsService';
import { FileHandles, type FileAccess } from '../platform/fileHandles';
import { UploadService } from '../data/uploads';
import type { UploadReceiver } from '../data/uploads';
import { POSITIVE_CONTROL_ID } from '@shared/data/controls';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { ClusterConnection, type ClusterFlags } from '../cluster/connectCluster';

export interface WorkbenchOptions {
  dataDir: string;
  mode: 'electron' | 'browser';
  spawnProcess: SpawnProcess;
  /** Training processes at once; null chooses by backend. */
  workers?: number | null;
  /** --redis and --allow-insecure-redis, when given: the cluster pre-trainings and baselines go to (else MOSEI_REDIS_URL, else the saved setting). */
  cluster?: ClusterFlags;
  /** The desktop's native file dialog; absent in browser mode, where files are uploaded and downloaded. */
  pickPath?: (kind: Params<'app.pickPath'>['kind'], title: string, defaultName?: string) => Promise<string | null>;
}

export interface Workbench {
  dispatch: Dispatch;
  events: EventSink;
  dataDir: string;
  /** Runs found unfinished from a previous session and marked interrupted at start. */
  interruptedAtStart: number;
  /** Browser mode: where uploaded bytes go (null in the desktop app, which reads files where the user chose them). */
  uploads: UploadReceiver | null;
  close(): void;
}

/**
 * The composition root shared by both transports: opens the store, recovers from a
 * previous crash, makes sure the built-in datasets exist and wires the handlers of
 * every request in the contract.
 */
export async function createWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const { db, runs, interrupted: interruptedAtStart } = openDataDir(options.dataDir);
  const settings = new SettingsRepository(db);
  const datasetRepo = new DatasetRepository(db);
  const datasets = new DatasetService(options.dataDir, datasetRepo, new SplitRepository(db));
  const createdAtStart = await datasets.ensureBuiltins();
  const openAtStart = createdAtStart.includes(POSITIVE_CONTROL_ID) ? POSITIVE_CONTROL_ID : null;
  const events = new EventSink();
  const training = new TrainingService(runs, (env) => options.spawnProcess('trainer', env), events, options.dataDir, datasets, options.workers ?? settings.get<number>('workers'));
  const imports = new ImportService(options.dataDir, datasetRepo, () => options.spawnProcess('importer'), events);
  const handles = new FileHandles();
  const uploads = options.mode === 'browser' ? new UploadService(options.dataDir, handles) : null;
  const downloads = new DownloadService(events, (path) => handles.grant(path, 'read', fileSize(path)));
  const experiments = new ExperimentService(new ExperimentRepository(db), runs, training, datasets, events);
  const history = new RunHistory(db);
  const table1 = new Table1Service({ db, experiments, runs, datasets, training, dataDir: options.dataDir });
  const bundles = new RunBundleService({ db, runs, datasets, dataDir: options.dataDir });
  const predictions = new PredictionsService({ runs, datasets });
  const cluster = new ClusterConnection({ settings, runs, datasets, bundles, events, training }, options.cluster ?? null);
  // Experiments a crash interrupted continue where they stopped.
  experiments.resumeInterrupted();
  void training.warmUp().catch((err: Error) => events.emit('log', { level: 'error', message: err.message, runId: null }));

  /** Saves to the place the desktop's save dialog chose (its handle), or hands the content back for the browser to download. */
  const saveTo = <T>(handle: string | undefined, what: string, save: (path: string | undefined) => T | Promise<T>) =>
    handle === undefined ? save(undefined) : handles.use(handle, 'save', what, save);

  /** An import of a COVAREP + labels pair; uploaded files are a copy made for it, named as uploaded and removed once it is over. */
  function startImport(covarep: { path: string; name: string }, labels: { path: string; name: string }, name: string | undefined): { jobId: string } {
    const covarepPath = covarep.path;
    const labelsPath = labels.path;
    const uploaded = uploads?.isUpload(covarepPath) || uploads?.isUpload(labelsPath);
    const displayNames = uploaded ? { covarep: covarep.name, labels: labels.name } : undefined;
    const started = imports.start({ covarepPath, labelsPath, name, displayNames });
    const unsubscribe = events.subscribe((event, payload) => {
      const status = payload as { jobId?: string; status?: string };
      if (event === 'import.status' && status.jobId === started.jobId && status.status !== 'running') {
        unsubscribe();
        uploads?.discard(covarepPath);
        uploads?.discard(labelsPath);
      }
    });
    return started;
  }

  const dispatch = createDispatcher({
    'app.info': () => ({
      version: WORKBENCH_VERSION,
      mode: options.mode,
      dataDir: options.dataDir,
      backend: training.backendInfo(),
      workers: training.poolSize(),
      cluster: cluster.status(),
      openAtStart,
    }),
    'datasets.list': () => datasets.list(),
    'runs.list': ({ limit, offset }) => runs.list(limit, offset),
    'runs.get': ({ id }) => runs.detail(id),
    'runs.query': (query) => history.query(query),
    'runs.facets': () => history.facets(),
    'runs.details': ({ ids }) => ids.map((id) => runs.detail(id)),
    'runs.update': ({ id, ...change }) => {
      history.update(id, change);
      return runs.summary(id);
    },
    'runs.delete': ({ id }) => {
      history.delete(id);
      return { id, filesRemoved: removeRunFiles(options.dataDir, id) };
    },
    'runs.exportBundle': ({ id, saveTo: place }) => saveTo(place, 'place to save the bundle', (path) => bundles.exportBundle(id, path)),
    'runs.exportPredictions': ({ id, saveTo: place }) => saveTo(place, 'place to save the predictions', (path) => predictions.exportPredictions(id, path)),
    'runs.importBundle': ({ file, asCopy }) =>
      handles.use(file, 'read', 'bundle file', async (path, name) => {
        const imported = await bundles.importBundle({ path, asCopy, label: uploads?.isUpload(path) ? `The bundle ${name}` : undefined });
        uploads?.discard(path);
        return imported;
      }),
    'experiments.table1': ({ id, f1 }) => table1.table1(id, f1),
    'experiments.exportTable1': ({ id, f1, format, saveTo: place }) => saveTo(place, 'place to save Table 1', (path) => table1.exportTable1(id, f1, format, path)),
    'runs.start': (params) => {
      datasets.get(params.datasetId); // not_found before anything is queued
      return training.start(params);
    },
    'runs.cancel': ({ id }) => ({ cancelled: training.cancel(id) }),
    'runs.resume': ({ id }) => training.resume(id),
    'datasets.import': ({ covarep, labels, name }) =>
      handles.use(covarep, 'read', 'COVAREP file', (covarepPath, covarepName) =>
        handles.use(labels, 'read', 'labels file', (labelsPath, labelsName) => startImport({ path: covarepPath, name: covarepName }, { path: labelsPath, name: labelsName }, name)),
      ),
    'datasets.cancelImport': ({ jobId }) => ({ cancelled: imports.cancel(jobId) }),
    'datasets.segments': ({ datasetId }) => datasets.segments(datasetId),
    'datasets.segment': ({ datasetId, index, maxFrames }) => datasets.segment(datasetId, index, maxFrames),
    'settings.setWorkers': ({ workers }) => {
      settings.set('workers', workers);
      // --workers / MOSEI_WORKERS given at start still win for this session.
      if (!options.workers) training.setWorkers(workers);
      return { workers: training.poolSize(), overriddenBy: options.workers ? '--workers or MOSEI_WORKERS' : null };
    },
    'settings.setRedis': ({ url, allowInsecure }) => cluster.set(url, allowInsecure ?? false),
    'experiments.list': () => experiments.list(),
    'experiments.start': (params) => experiments.start(params),
    'experiments.preview': (params) => experiments.preview(params),
    'experiments.cancel': ({ id }) => ({ cancelled: experiments.cancel(id) }),
    'experiments.results': ({ id }) => experiments.results(id),
    'experiments.hosts': ({ id }) => experiments.hosts(id),
    'app.pickPath': async ({ kind, title, defaultName }) => {
      if (!options.pickPath) throw new WorkbenchError('conflict', 'File dialogs need the desktop app; in browser mode, choose files with the page\'s upload buttons.');
      const path = await options.pickPath(kind, title, defaultName);
      return { file: path === null ? null : handles.grant(path, DIALOG_ACCESS[kind], kind === 'csd-file' || kind === 'open-bundle' ? fileSize(path) : null) };
    },
    'uploads.begin': (request) => {
      if (!uploads) throw new WorkbenchError('conflict', 'The desktop app reads files where you choose them; uploads are for browser mode.');
      return uploads.begin(request);
    },
    'datasets.download': ({ folder }) =>
      folder === undefined ? downloads.start(join(options.dataDir, 'downloads')) : handles.use(folder, 'folder', 'download folder', (path) => downloads.start(path)),
    'datasets.cancelDownload': ({ jobId }) => ({ cancelled: downloads.cancel(jobId) }),
  });

  return {
    dispatch,
    events,
    dataDir: options.dataDir,
    interruptedAtStart,
    uploads,
    close() {
      uploads?.close();
      training.shutdown();
      void cluster.close();
      db.close();
    },
  };
}

/** What each kind of desktop dialog lets the request that carries its handle do. */
const DIALOG_ACCESS: Record<Params<'app.pickPath'>['kind'], FileAccess> = {
  'csd-file': 'read',
  'open-bundle': 'read',
  'save-file': 'save',
  folder: 'folder',
};

function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}
