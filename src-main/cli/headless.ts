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
import { connectCluster } from '../cluster/connectCluster';
import type { ClusterDispatch } from '../cluster/clusterDispatch';
import { resolveRedis, type ClusterFlags } from '../cluster/connectCluster';

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
  let redis;
  try {
    redis = clusterFlags ? resolveRedis(clusterFlags.redis, process.env, new SettingsRepository(db), clusterFlags.allowInsecure) : null;
  } catch (err) {
    db.close();
    throw err;
  }
  const datasets = new DatasetService(dataDir, new DatasetRepository(db), new SplitRepository(db));
  await datasets.ensureBuiltin();
  const events = new EventSink();
  const training = new TrainingService(runs, () => forkSourceProcess('trainer'), events, dataDir, datasets, workers ?? new SettingsRepository(db).get<number>('workers'));
  const experiments = new ExperimentService(new ExperimentRepository(db), runs, training, datasets, events);
  const settings = new SettingsRepository(db);
  const cluster = redis ? connectCluster({ redis, settings, runs, datasets, bundles: new RunBundleService({ db, runs, datasets, dataDir }), events, training }) : null;
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
