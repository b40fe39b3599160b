import { DatasetRepository } from '../store/datasets';
import { SplitRepository } from '../store/splits';
import { SettingsRepository } from '../store/settings';
import { DatasetService } from '../data/datasetService';
import { TrainingService } from '../training/trainingService';
import { ImportService } from '../data/importService';
import { DownloadService } from '../data/downloadService';
import { ExperimentService } from '../experiments/experimentService';
import { ExperimentRepository } from '../store/experiments';
import type { SpawnProcess } from './processes';
import { openDataDir } from './openDataDir';
import { createDispatcher, type Dispatch } from './dispatch';
import { WorkbenchError, type Params } from '@shared/api/contract';
import { EventSink } from './events';
import { WORKBENCH_VERSION } from './version';
import { RunHistory } from '../store/runHistory';
import { removeRunFiles } from '../training/runFiles';
import { Table1Service } from '../export/table1Service';
import { RunBundleService } from '../export/runBundleService';

export interface WorkbenchOptions {
  dataDir: string;
  mode: 'electron' | 'browser';
  spawnProcess: SpawnProcess;
  /** Training processes at once; null chooses by backend. */
  workers?: number | null;
  /** The desktop's native file dialog; absent in browser mode, where paths are typed. */
  pickPath?: (kind: Params<'app.pickPath'>['kind'], title: string, defaultName?: string) => Promise<string | null>;
}

export interface Workbench {
  dispatch: Dispatch;
  events: EventSink;
  dataDir: string;
  /** Runs found unfinished from a previous session and marked interrupted at start. */
  interruptedAtStart: number;
  close(): void;
}

/**
 * The composition root shared by both transports: opens the store, recovers from a
 * previous crash, makes sure the built-in dataset exists and wires the handlers of
 * every request in the contract.
 */
export async function createWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const { db, runs, interrupted: interruptedAtStart } = openDataDir(options.dataDir);
  const settings = new SettingsRepository(db);
  const datasetRepo = new DatasetRepository(db);
  const datasets = new DatasetService(options.dataDir, datasetRepo, new SplitRepository(db));
  await datasets.ensureBuiltin();
  const events = new EventSink();
  const training = new TrainingService(runs, () => options.spawnProcess('trainer'), events, options.dataDir, (id, split) => datasets.split(id, split), options.workers ?? settings.get<number>('workers'));
  const imports = new ImportService(options.dataDir, datasetRepo, () => options.spawnProcess('importer'), events);
  const downloads = new DownloadService(events);
  const experiments = new ExperimentService(new ExperimentRepository(db), runs, training, datasets, events);
  const history = new RunHistory(db);
  const table1 = new Table1Service({ db, experiments, runs, datasets, training, dataDir: options.dataDir });
  const bundles = new RunBundleService({ db, runs, datasets, dataDir: options.dataDir });
  // Experiments a crash interrupted continue where they stopped.
  experiments.resumeInterrupted();
  void training.warmUp().catch((err: Error) => events.emit('log', { level: 'error', message: err.message, runId: null }));

  /**
   * A file path in a request comes from the desktop's own dialog. Browser mode has no dialog:
   * files are uploaded and downloaded, so a path there (from any page holding the token) is refused.
   */
  const desktopPath = (path: string | undefined) => {
    if (path !== undefined && !options.pickPath) {
      throw new WorkbenchError('invalid_params', 'In browser mode files are downloaded and uploaded, not read or written at a path on the server. Use the command line (npm run export, npm run bundle) for paths there.');
    }
    return path;
  };

  const dispatch = createDispatcher({
    'app.info': () => ({
      version: WORKBENCH_VERSION,
      mode: options.mode,
      dataDir: options.dataDir,
      backend: training.backendInfo(),
      workers: training.poolSize(),
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
    'runs.exportBundle': ({ id, path }) => bundles.exportBundle(id, desktopPath(path)),
    'runs.importBundle': (source) => bundles.importBundle({ ...source, path: desktopPath(source.path) }),
    'experiments.table1': ({ id, f1 }) => table1.table1(id, f1),
    'experiments.exportTable1': ({ id, f1, format, path }) => table1.exportTable1(id, f1, format, desktopPath(path)),
    'runs.start': (params) => {
      datasets.get(params.datasetId); // not_found before anything is queued
      return training.start(params);
    },
    'runs.cancel': ({ id }) => ({ cancelled: training.cancel(id) }),
    'runs.resume': ({ id }) => training.resume(id),
    'datasets.import': (params) => imports.start(params),
    'datasets.cancelImport': ({ jobId }) => ({ cancelled: imports.cancel(jobId) }),
    'datasets.segments': ({ datasetId }) => datasets.segments(datasetId),
    'datasets.segment': ({ datasetId, index, maxFrames }) => datasets.segment(datasetId, index, maxFrames),
    'settings.setWorkers': ({ workers }) => {
      settings.set('workers', workers);
      // --workers / MOSEI_WORKERS given at start still win for this session.
      if (!options.workers) training.setWorkers(workers);
      return { workers: training.poolSize(), overriddenBy: options.workers ? '--workers or MOSEI_WORKERS' : null };
    },
    'experiments.list': () => experiments.list(),
    'experiments.start': (params) => experiments.start(params),
    'experiments.cancel': ({ id }) => ({ cancelled: experiments.cancel(id) }),
    'experiments.results': ({ id }) => experiments.results(id),
    'app.pickPath': async ({ kind, title, defaultName }) => {
      if (!options.pickPath) throw new WorkbenchError('conflict', 'File dialogs need the desktop app; in browser mode, type the path on the server.');
      return { path: await options.pickPath(kind, title, defaultName) };
    },
    'datasets.download': ({ folder }) => downloads.start(folder),
    'datasets.cancelDownload': ({ jobId }) => ({ cancelled: downloads.cancel(jobId) }),
  });

  return {
    dispatch,
    events,
    dataDir: options.dataDir,
    interruptedAtStart,
    close() {
      training.shutdown();
      db.close();
    },
  };
}
