import type Database from 'better-sqlite3';
import { assignSplit, type SplitAssignment, type SplitConfig, type SplitSegment } from '@shared/data/splits';
import { WorkbenchError } from '@shared/api/contract';

export interface SplitSizes {
  train: number;
  validation: number;
  test: number;
}

export interface StoredSplit {
  id: number;
  config: SplitConfig;
  assignment: SplitAssignment;
}

interface SplitRow {
  id: number;
  kind: SplitConfig['kind'];
  validation_fraction: number;
  test_fraction: number;
  seed: number;
  assignment_json: string;
  train_count: number;
  validation_count: number;
  test_count: number;
}

/**
 * Splits are computed once per dataset and configuration (kind, validation and test shares,
 * seed) and kept with the dataset, so every run on it names exactly which segments it trained,
 * validated and was tested on. A new test share is a new configuration: the splits runs were
 * recorded with never change.
 */
export class SplitRepository {
  constructor(private readonly db: Database.Database) {}

  ensure(datasetId: string, config: SplitConfig, segments: () => readonly SplitSegment[]): StoredSplit {
    const found = this.db
      .prepare(`SELECT * FROM splits WHERE dataset_id = ? AND kind = ? AND validation_fraction = ? AND test_fraction = ? AND seed = ?`)
      .get(datasetId, config.kind, config.validationFraction, config.testFraction, config.seed) as SplitRow | undefined;
    if (found) return { id: found.id, config, assignment: JSON.parse(found.assignment_json) as SplitAssignment };
    let assignment: SplitAssignment;
    try {
      assignment = assignSplit(segments(), config);
    } catch (err) {
      throw new WorkbenchError('invalid_params', (err as Error).message);
    }
    const info = this.db
      .prepare(
        `INSERT INTO splits (dataset_id, kind, validation_fraction, test_fraction, seed, train_count, validation_count, test_count, unassigned_count, assignment_json, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(datasetId, config.kind, config.validationFraction, config.testFraction, config.seed, assignment.train.length, assignment.validation.length,
        assignment.test?.length ?? 0, assignment.unassigned?.length ?? 0, JSON.stringify(assignment), new Date().toISOString());
    return { id: Number(info.lastInsertRowid), config, assignment };
  }

  /** Segments per part of a dataset's split with this configuration, from its stored counts (the assignment is not read); null until it is computed. */
  sizes(datasetId: string, config: SplitConfig): SplitSizes | null {
    const row = this.db
      .prepare(`SELECT train_count, validation_count, test_count FROM splits WHERE dataset_id = ? AND kind = ? AND validation_fraction = ? AND test_fraction = ? AND seed = ?`)
      .get(datasetId, config.kind, config.validationFraction, config.testFraction, config.seed) as SplitRow | undefined;
    return row ? { train: row.train_count, validation: row.validation_count, test: row.test_count } : null;
  }
}
