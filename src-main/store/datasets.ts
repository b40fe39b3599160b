import type Database from 'better-sqlite3';
import type { DatasetSummary } from '@shared/api/entities';
import { WorkbenchError } from '@shared/api/contract';

export interface NewDataset extends Omit<DatasetSummary, 'createdAt' | 'synthetic'> {
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
    return (this.db.prepare(`SELECT * FROM datasets ORDER BY created_at, id`).all() as DatasetRow[]).map(toSummary);
  }

  find(id: string): DatasetSummary | null {
    const row = this.db.prepare(`SELECT * FROM datasets WHERE id = ?`).get(id) as DatasetRow | undefined;
    return row ? toSummary(row) : null;
  }

  get(id: string): DatasetSummary {
    const found = this.find(id);
    if (!found) throw new WorkbenchError('not_found', `Dataset "${id}" does not exist.`);
    return found;
  }
}
