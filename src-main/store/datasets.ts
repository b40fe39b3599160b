import type Database from 'better-sqlite3';
import type { DatasetSummary } from '@shared/api/entities';
import { WorkbenchError } from '@shared/api/contract';
import { ControlParams } from '@shared/data/controls';

export interface NewDataset extends Omit<DatasetSummary, 'createdAt' | 'synthetic' | 'defaultSplit' | 'control'> {
  params: unknown;
}

interface DatasetRow {
  id: string;
  name: string;
  source: 'synthetic' | 'import';
  segments: number;
  videos: number;
  frames: number;
  features: number;
  non_finite_replaced: number;
  fingerprint: string;
  params_json: string;
  created_at: string;
  split_train: number | null;
  split_validation: number | null;
}

/** The default split the datasets list shows: the paper's random 80/20 by segment, seed 0. */
const SELECT = `
  SELECT d.*, s.train_count AS split_train, s.validation_count AS split_validation
  FROM datasets d
  LEFT JOIN splits s ON s.dataset_id = d.id AND s.kind = 'random-segment' AND s.validation_fraction = 0.2 AND s.test_fraction = 0 AND s.seed = 0`;

/** The recorded parameters of a control's generator; null for every other dataset. */
function controlParams(row: DatasetRow): ControlParams | null {
  if (row.source !== 'synthetic') return null;
  const parsed = ControlParams.safeParse(JSON.parse(row.params_json));
  return parsed.success ? parsed.data : null;
}

function toSummary(row: DatasetRow): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    synthetic: row.source === 'synthetic',
    segments: row.segments,
    videos: row.videos,
    frames: row.frames,
    features: row.features,
    nonFiniteReplaced: row.non_finite_replaced,
    fingerprint: row.fingerprint,
    createdAt: row.created_at,
    defaultSplit: row.split_train === null || row.split_validation === null ? null : { train: row.split_train, validation: row.split_validation },
    control: controlParams(row),
  };
}

export class DatasetRepository {
  constructor(private readonly db: Database.Database) {}

  insert(d: NewDataset): DatasetSummary {
    try {
      this.db
        .prepare(
          `INSERT INTO datasets (id, name, source, segments, videos, frames, features, non_finite_replaced, fingerprint, params_json, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(d.id, d.name, d.source, d.segments, d.videos, d.frames, d.features, d.nonFiniteReplaced, d.fingerprint,
          JSON.stringify(d.params), new Date().toISOString());
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new WorkbenchError('conflict', `A dataset with id "${d.id}" already exists.`);
      }
      throw err;
    }
    return this.get(d.id);
  }

  list(): DatasetSummary[] {
    return (this.db.prepare(`${SELECT} ORDER BY d.created_at, d.id`).all() as DatasetRow[]).map(toSummary);
  }

  find(id: string): DatasetSummary | null {
    const row = this.db.prepare(`${SELECT} WHERE d.id = ?`).get(id) as DatasetRow | undefined;
    return row ? toSummary(row) : null;
  }

  /** The parameters recorded with a dataset (a generator's, or an import's record). */
  params<T>(id: string): T {
    const row = this.db.prepare('SELECT params_json FROM datasets WHERE id = ?').get(id) as { params_json: string } | undefined;
    if (!row) throw new WorkbenchError('not_found', `Dataset "${id}" does not exist.`);
    return JSON.parse(row.params_json) as T;
  }

  get(id: string): DatasetSummary {
    const found = this.find(id);
    if (!found) throw new WorkbenchError('not_found', `Dataset "${id}" does not exist.`);
    return found;
  }
}
