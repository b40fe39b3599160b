import type Database from 'better-sqlite3';
import type { BackendName, EpochRecord, MetricRecord, RunOrigin, RunStatus } from '@shared/api/entities';
import type { EvaluationSplit } from '@shared/data/splits';
import type { NewRun, RunRepository } from './runs';
import { RunHistory } from './runHistory';

/** A run from a bundle, as it is recorded here: its own history, a local dataset, split and parent. */
export interface ImportedRun extends Omit<NewRun, 'experiment'> {
  status: Extract<RunStatus, 'done' | 'failed' | 'cancelled' | 'interrupted'>;
  backend: BackendName | null;
  backendReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  labelCount: number | null;
  notes: string;
  tags: string[];
  epochs: EpochRecord[];
  metrics: MetricRecord[];
  testMetrics: MetricRecord[];
  /** Per-segment predictions on each split evaluated (segment indices into the local dataset). */
  predictions: Array<{ split: EvaluationSplit; segments: readonly number[]; values: ArrayLike<number> }>;
  origin: RunOrigin;
}

/**
 * Imported runs in the store. A run is created the way a trained one is (so its recorded
 * columns are derived the same way), then given its recorded outcome; it keeps no owner
 * process, so start-up recovery never marks it interrupted. Call `insert` inside the
 * caller's transaction: a bundle's runs are recorded together or not at all.
 */
export class ImportedRunRepository {
  private readonly history: RunHistory;

  constructor(
    private readonly db: Database.Database,
    private readonly runs: RunRepository,
  ) {
    this.history = new RunHistory(db);
  }

  /** The local run imported earlier from this source run with exactly this content, if any. */
  findByOrigin(sourceHost: string, sourceRunId: number, bundleSha256: string): { id: number; name: string } | null {
    const row = this.db
      .prepare(
        `SELECT id, name FROM runs WHERE origin_json IS NOT NULL
           AND json_extract(origin_json, '$.sourceHost') = ? AND json_extract(origin_json, '$.sourceRunId') = ?
           AND json_extract(origin_json, '$.bundleSha256') = ?
         ORDER BY id LIMIT 1`,
      )
      .get(sourceHost, sourceRunId, bundleSha256) as { id: number; name: string } | undefined;
    return row ?? null;
  }

  insert(run: ImportedRun): number {
    const { id } = this.runs.create(run);
    this.db
      .prepare(
        `UPDATE runs SET status = ?, backend = ?, backend_reason = ?, created_at = ?, started_at = ?, finished_at = ?,
           error = ?, label_count = ?, origin_json = ?, owner_pid = NULL WHERE id = ?`,
      )
      .run(run.status, run.backend, run.backendReason, run.createdAt, run.startedAt, run.finishedAt, run.error, run.labelCount, JSON.stringify(run.origin), id);
    this.history.update(id, { notes: run.notes, tags: run.tags });
    for (const epoch of run.epochs) this.runs.recordEpoch(id, epoch);
    this.runs.recordMetrics(id, run.metrics);
    this.runs.recordMetrics(id, run.testMetrics, 'test');
    for (const p of run.predictions) this.runs.recordPredictions(id, p.split, p.segments, p.values);
    return id;
  }

  /** Undoes imports whose files could not be put in place; children before parents. */
  remove(ids: readonly number[]): void {
    const remove = this.db.prepare('DELETE FROM runs WHERE id = ?');
    this.db.transaction(() => [...ids].sort((a, b) => b - a).forEach((id) => remove.run(id)))();
  }
}
