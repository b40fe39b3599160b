import type Database from 'better-sqlite3';
import { EventSink } from '../platform/events';
import { DatasetService } from '../data/datasetService';
import { ExperimentService } from '../experiments/experimentService';
import { openDataDir } from '../app/openDataDir';
import { DatasetRepository } from '../store/datasets';
import { ExperimentRepository } from '../store/experiments';
import type { RunRepository } from '../store/runs';
import { SplitRepository } from '../store/splits';
import { SettingsRepository } from '../store/settings';
import { TrainingService } from '../training/trainingService';
import { forkSourceProcess } from './sourceProcesses';
import { RunBundleService } from '../export/runBundleService';
import type { ClusterDispatch } from '../cluster/clusterDispatch';
import { ClusterConnection, type ClusterFlags } from '../cluster/connectCluster';

/**
 * The services of a data directory without a window, for the command-line tools and
 * benchmarks: the same store, datasets, training queue and experiments the app uses, with
 * training processes run from source.
 */
export interface Headless {
  db: Database.Database;
  runs: RunRepository;
  datasets: DatasetService;
  events: EventSink;
  training: TrainingService;
  experiments: ExperimentService;
  /** The cluster pre-trainings and baselines go to; null without Redis. */
  cluster: ClusterDispatch | null;
  close(): Promise<void>;
}

/** `cluster`: the command may send runs to the cluster (train, experiment): its --redis flags; the URL may also come from MOSEI_REDIS_URL or the settings. */
export async function openHeadless(dataDir: string, workers: number | null = null, clusterFlags: ClusterFlags | null = null): Promise<Headless> {
  const { db, runs } = openDataDir(dataDir);

  const datasets = new DatasetService(dataDir, new DatasetRepository(db), new SplitRepository(db));
  await datasets.ensureBuiltins();
  const events = new EventSink();
  const training = new TrainingService(runs, (env) => forkSourceProcess('trainer', env), events, dataDir, datasets, workers ?? new SettingsRepository(db).get<number>('workers'));
  const experiments = new ExperimentService(new ExperimentRepository(db), runs, training, datasets, events);
  const settings = new SettingsRepository(db);
  let cluster: ClusterDispatch | null = null;
  try {
    cluster = clusterFlags ? new ClusterConnection({ settings, runs, datasets, bundles: new RunBundleService({ db, runs, datasets, dataDir }), events, training }, clusterFlags).current : null;
  } catch (err) {
    training.shutdown();
    db.close();
    throw err;
  }
  // A sweep started right away should see the workers already there.
  await cluster?.ready();
  return {
    db,
    runs,
    datasets,
    events,
    training,
    experiments,
    cluster,
    async close() {
      training.shutdown();
      await cluster?.close();
      db.close();
    },
  };
}

/**
 * Runs `use` with a data directory's services and closes them whatever happens, waiting for the
 * close (the training processes and the cluster stopped, the store closed) before it returns or
 * throws, so a command's exit code never comes with the store still open.
 */
export async function withHeadless<T>(dataDir: string, use: (headless: Headless) => Promise<T> | T): Promise<T> {
  const headless = await openHeadless(dataDir);
  try {
    return await use(headless);
  } finally {
    await headless.close();
  }
}
