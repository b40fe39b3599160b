import type Database from 'better-sqlite3';
import { WorkbenchError } from '@shared/api/contract';
import type { SavedFile } from '@shared/api/entities';
import type { F1Metric, Table1, Table1Format } from '@shared/export/table1Model';
import type { ExperimentService } from '../experiments/experimentService';
import type { RunRepository } from '../store/runs';
import type { DatasetService } from '../data/datasetService';
import type { TrainingService } from '../training/trainingService';

export interface Table1Deps {
  db: Database.Database;
  experiments: ExperimentService;
  runs: RunRepository;
  datasets: DatasetService;
  training: TrainingService;
  dataDir: string;
}

/** Table 1 of the paper from an experiment's runs, in every export format. (Being written.) */
export class Table1Service {
  constructor(private readonly deps: Table1Deps) {}

  table1(id: number, f1: F1Metric): Table1 {
    void this.deps;
    throw new WorkbenchError('internal', `Table 1 of experiment ${id} (${f1}) is not available yet.`);
  }

  async exportTable1(id: number, f1: F1Metric, format: Table1Format, path: string | undefined): Promise<SavedFile> {
    throw new WorkbenchError('internal', `Exporting Table 1 of experiment ${id} (${f1}, ${format}, ${path}) is not available yet.`);
  }
}
