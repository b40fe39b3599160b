import type Database from 'better-sqlite3';
import { WorkbenchError } from '@shared/api/contract';
import type { RunSummary, SavedFile } from '@shared/api/entities';
import type { RunRepository } from '../store/runs';
import type { DatasetService } from '../data/datasetService';

export interface RunBundleDeps {
  db: Database.Database;
  runs: RunRepository;
  datasets: DatasetService;
  dataDir: string;
}

/** Run bundles: one file with a run's config, metrics, epochs and weights. (Being written.) */
export class RunBundleService {
  constructor(private readonly deps: RunBundleDeps) {}

  async exportBundle(id: number, path: string | undefined): Promise<SavedFile> {
    void this.deps;
    throw new WorkbenchError('internal', `Exporting run ${id} to ${path} is not available yet.`);
  }

  async importBundle(source: { path?: string; content?: string; asCopy: boolean }): Promise<{ runs: RunSummary[] }> {
    throw new WorkbenchError('internal', `Importing ${source.path ?? 'a bundle'} is not available yet.`);
  }
}
