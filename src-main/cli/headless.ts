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
  close(): void;
}

export async function openHeadless(dataDir: string, workers: number | null = null): Promise<Headless> {
  const { db, runs } = openDataDir(dataDir);
  const datasets = new DatasetService(dataDir, new DatasetRepository(db), new SplitRepository(db));
  await datasets.ensureBuiltins();
  const events = new EventSink();
  const training = new TrainingService(runs, (env) => forkSourceProcess('trainer', env), events, dataDir, datasets, workers ?? new SettingsRepository(db).get<number>('workers'));
  const experiments = new ExperimentService(new ExperimentRepository(db), runs, training, datasets, events);
  return {
    db,
    runs,
    datasets,
    events,
    training,
    experiments,
    close() {
      training.shutdown();
      db.close();
    },
  };
}
