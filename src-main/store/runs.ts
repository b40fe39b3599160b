import type Database from 'better-sqlite3';
import {
  DegenerateFlag,
  FactorValues,
  RunOrigin,
  type MaskConfig,
  type FactorValuesRecord,
  TrainConfig,
  type BackendName,
  type EpochRecord,
  type ExperimentHost,
  type MetricRecord,
  type RunDetail,
  type RunKind,
  type RunStatus,
  type RunSummary,
} from '@shared/api/entities';
import { WorkbenchError } from '@shared/api/contract';
import type { EvaluationSplit } from '@shared/data/splits';
import { degenerateFlags } from '@shared/metrics/degenerate';
import { processIsAlive } from '../platform/processIsAlive';
import { decodeFloat32, decodeInt32, encodeFloat32, encodeInt32 } from './blobs';
import { experimentHosts } from './experimentHosts';

const now = () => new Date().toISOString();

export interface RunRow {
  id: number;
  name: string;
  kind: RunKind;
  status: RunStatus;
  dataset_id: string;
  parent_run_id: number | null;
  config_json: string;
  seed: number;
  backend: BackendName | null;
  backend_reason: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  last_loss: number | null;
  mae_overall: number | null;
  acc4_overall: number | null;
  label_count: number | null;
  experiment_id: number | null;
  notes: string;
  archived: number;
  origin_json: string | null;
  tags: string | null;
  mask_span: number | null;
  mask_count: number | null;
  mask_value: number | null;
  mask_loss_scope: MaskConfig['lossScope'] | null;
  mae_test: number | null;
  acc4_test: number | null;
  flags_split: EvaluationSplit | null;
  flags_json: string | null;
  factor_values_json: string | null;
}

/** Separates tags in the summary query's group_concat; tags cannot contain it (see Tag). */
const TAG_SEPARATOR = '\t';

/**
 * Headline columns come from the epochs, metrics and predictions tables, so the history needs one
 * query. The flags are those of the split the run's numbers are reported on: test when it has one.
 */
export const SUMMARY_SELECT = `
  SELECT r.*,
    (SELECT loss FROM epochs e WHERE e.run_id = r.id ORDER BY epoch DESC LIMIT 1) AS last_loss,
    (SELECT value FROM metrics m WHERE m.run_id = r.id AND split = 'validation' AND scope = 'overall' AND name = 'mae') AS mae_overall,
    (SELECT value FROM metrics m WHERE m.run_id = r.id AND split = 'validation' AND scope = 'overall' AND name = 'acc4') AS acc4_overall,
    (SELECT value FROM metrics m WHERE m.run_id = r.id AND split = 'test' AND scope = 'overall' AND name = 'mae') AS mae_test,
    (SELECT value FROM metrics m WHERE m.run_id = r.id AND split = 'test' AND scope = 'overall' AND name = 'acc4') AS acc4_test,
    (SELECT split FROM run_predictions p WHERE p.run_id = r.id ORDER BY p.split = 'test' DESC LIMIT 1) AS flags_split,
    (SELECT flags_json FROM run_predictions p WHERE p.run_id = r.id ORDER BY p.split = 'test' DESC LIMIT 1) AS flags_json,
    (SELECT group_concat(tag, char(9)) FROM (SELECT tag FROM run_tags t WHERE t.run_id = r.id ORDER BY tag)) AS tags
  FROM runs r`;

const parseFlags = (json: string): DegenerateFlag[] => DegenerateFlag.array().parse(JSON.parse(json));

export function toSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.status,
    datasetId: row.dataset_id,
    parentRunId: row.parent_run_id,
    config: TrainConfig.parse(JSON.parse(row.config_json)),
    seed: row.seed,
    backend: row.backend,
    backendReason: row.backend_reason,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    lastLoss: row.last_loss,
    maeOverall: row.mae_overall,
    acc4Overall: row.acc4_overall,
    labelCount: row.label_count,
    experimentId: row.experiment_id,
    tags: row.tags ? row.tags.split(TAG_SEPARATOR) : [],
    notes: row.notes,
    archived: row.archived === 1,
    origin: row.origin_json ? RunOrigin.parse(JSON.parse(row.origin_json)) : null,
    pretrainMask:
      row.mask_span === null || row.mask_count === null || row.mask_value === null || row.mask_loss_scope === null
        ? null
        : { spanLength: row.mask_span, spanCount: row.mask_count, value: row.mask_value, lossScope: row.mask_loss_scope },
    maeTest: row.mae_test,
    acc4Test: row.acc4_test,
    flags: row.flags_split === null || row.flags_json === null ? null : { split: row.flags_split, flags: parseFlags(row.flags_json) },
    factorValues: row.factor_values_json === null ? null : FactorValues.parse(JSON.parse(row.factor_values_json)),
  };
}

/** A run's per-segment predictions on one split: indices into its dataset's segments, and [segments x 6] values. */
export interface StoredPredictions {
  split: EvaluationSplit;
  segments: Int32Array;
  values: Float32Array;
  flags: DegenerateFlag[];
}

export interface NewRun {
  name: string;
  kind: RunKind;
  datasetId: string;
  parentRunId?: number | null;
  config: TrainConfig;
  splitId: number | null;
  /**
   * Set for the fine-tunes and baselines of an experiment (and the pre-training it started); in an
   * ablation, with the factor values the run stands for.
   */
  experiment?: { id: number; repeat: number | null; factorValues?: FactorValuesRecord };
}

/** Where a run trains: a cluster worker's host, or null for this workbench's pool; the cores of that machine when known. */
export interface RunPlacement {
  host: string | null;
  cores: number | null;
}

/** A finished run as projected times read it (see finishedRuns). */
export interface FinishedRun {
  id: number;
  kind: RunKind;
  datasetId: string;
  config: TrainConfig;
  parentRunId: number | null;
  backend: BackendName;
  /** Wall seconds from its start to its end. */
  seconds: number;
  encoded: boolean;
  /** The worker host it trained on; null: this workbench's pool. */
  host: string | null;
  /** Mean XNNPACK threads and the machine's cores; null when not recorded. */
  threads: number | null;
  cores: number | null;
}

/** Every write a run goes through. Terminal statuses are never overwritten. */
export class RunRepository {
  constructor(private readonly db: Database.Database) {}

  /** Runs `write` in one transaction (nested calls join the outer one). */
  transaction(write: () => void): void {
    this.db.transaction(write)();
  }

  create(run: NewRun): RunSummary {
    // A fine-tune's mask columns hold its encoder's masking, so the history finds it by the pre-training it builds on.
    const mask = run.config.mask ?? (run.kind === 'finetune' && run.parentRunId ? this.summary(run.parentRunId).pretrainMask : null);
    const info = this.db
      .prepare(
        `INSERT INTO runs (name, kind, status, dataset_id, parent_run_id, config_json,
           mask_span, mask_count, mask_value, mask_loss_scope, seed, split_id, experiment_id, label_count, repeat_index, owner_pid, created_at, factor_values_json)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.name,
        run.kind,
        run.datasetId,
        run.parentRunId ?? null,
        JSON.stringify(run.config),
        mask?.spanLength ?? null,
        mask?.spanCount ?? null,
        mask?.value ?? null,
        mask?.lossScope ?? null,
        run.config.seed,
        run.splitId,
        run.experiment?.id ?? null,
        run.kind === 'pretrain' ? null : run.config.labels.count,
        run.experiment?.repeat ?? null,
        process.pid,
        now(),
        run.experiment?.factorValues ? JSON.stringify(run.experiment.factorValues) : null,
      );
    return this.summary(Number(info.lastInsertRowid));
  }

  /**
   * The run started: on a cluster worker (`host`) or in this workbench's pool (host null), on a
   * machine of `cores` cores when known. Its thread count comes when it ends (recordThreads).
   */
  markRunning(id: number, backend: BackendName, backendReason: string, where: RunPlacement = { host: null, cores: null }): void {
    this.db
      .prepare(
        `UPDATE runs SET status = 'running', backend = ?, backend_reason = ?, started_at = ?, train_host = ?, on_cluster = ?, cores = ?, threads = NULL
         WHERE id = ? AND status = 'queued'`,
      )
      .run(backend, backendReason, now(), where.host, where.host === null ? 0 : 1, where.cores, id);
  }

  /** The run was handed to the cluster: it waits for a worker (no host yet). */
  markOnCluster(id: number): void {
    this.db.prepare(`UPDATE runs SET on_cluster = 1, train_host = NULL WHERE id = ? AND status = 'queued'`).run(id);
  }

  /** The XNNPACK threads a run's training process used, as a time-weighted mean over its training. */
  recordThreads(id: number, threads: number): void {
    this.db.prepare(`UPDATE runs SET threads = ? WHERE id = ?`).run(threads, id);
  }

  /** Re-recording an epoch (a resumed run) replaces it rather than failing. */
  recordEpoch(id: number, e: EpochRecord): void {
    this.db
      .prepare(`INSERT OR REPLACE INTO epochs (run_id, epoch, loss, val_loss, seconds, masked_loss, val_masked_loss) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(id, e.epoch, e.loss, e.valLoss, e.seconds, e.maskedLoss ?? null, e.valMaskedLoss ?? null);
  }

  /**
   * An epoch re-reported from a resumed run's checkpoint: recorded only if the store lacks
   * it (the record it already has is the same epoch). Returns whether it was missing.
   */
  recordEpochIfMissing(id: number, e: EpochRecord): boolean {
    return (
      this.db
        .prepare(`INSERT OR IGNORE INTO epochs (run_id, epoch, loss, val_loss, seconds, masked_loss, val_masked_loss) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(id, e.epoch, e.loss, e.valLoss, e.seconds, e.maskedLoss ?? null, e.valMaskedLoss ?? null).changes > 0
    );
  }

  /** Removes the epochs recorded after `epoch` (a run resumed from an earlier checkpoint trains them again); returns which. */
  dropEpochsAfter(id: number, epoch: number): number[] {
    return this.db.transaction(() => {
      const dropped = (this.db.prepare(`SELECT epoch FROM epochs WHERE run_id = ? AND epoch > ? ORDER BY epoch`).all(id, epoch) as Array<{ epoch: number }>).map((r) => r.epoch);
      this.db.prepare(`DELETE FROM epochs WHERE run_id = ? AND epoch > ?`).run(id, epoch);
      return dropped;
    })();
  }

  /** A run's metrics on one split (validation unless said). */
  recordMetrics(id: number, metrics: MetricRecord[], split: EvaluationSplit = 'validation'): void {
    const insert = this.db.prepare(`INSERT OR REPLACE INTO metrics (run_id, split, scope, name, value) VALUES (?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const m of metrics) insert.run(id, split, m.scope, m.name, m.value);
    })();
  }

  /**
   * A run's per-segment predictions on one split, kept compactly (int32 segment indices,
   * float32 values), with the degenerate-prediction flags computed from them once, here.
   */
  recordPredictions(id: number, split: EvaluationSplit, segments: readonly number[], values: ArrayLike<number>): void {
    if (values.length !== segments.length * 6) {
      throw new Error(`Run ${id}: ${values.length} predicted values on ${split} for ${segments.length} segments; each segment needs 6 (one per emotion).`);
    }
    const flags = degenerateFlags(values);
    this.db
      .prepare(`INSERT OR REPLACE INTO run_predictions (run_id, split, segments, predictions, flags_json, flagged) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(id, split, encodeInt32(segments), encodeFloat32(values), JSON.stringify(flags), flags.length);
  }

  /** Every split's stored predictions of a run (validation first). */
  predictionsOf(id: number): StoredPredictions[] {
    const rows = this.db
      .prepare(`SELECT split, segments, predictions, flags_json FROM run_predictions WHERE run_id = ? ORDER BY split = 'test'`)
      .all(id) as Array<{ split: EvaluationSplit; segments: Buffer; predictions: Buffer; flags_json: string }>;
    return rows.map((r) => ({ split: r.split, segments: decodeInt32(r.segments), values: decodeFloat32(r.predictions), flags: parseFlags(r.flags_json) }));
  }

  /** Moves a queued or running run to a terminal status; returns false if it had already ended. */
  finish(id: number, status: Extract<RunStatus, 'done' | 'failed' | 'cancelled'>, error: string | null = null): boolean {
    const info = this.db
      .prepare(
        `UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status IN ('queued', 'running')`,
      )
      .run(status, error, now(), id);
    return info.changes > 0;
  }

  /** Queues an interrupted, failed or cancelled run again; it keeps its epochs and checkpoint. */
  requeue(id: number): boolean {
    return (
      this.db
        .prepare(`UPDATE runs SET status = 'queued', error = NULL, finished_at = NULL, owner_pid = ?, on_cluster = 0, train_host = NULL WHERE id = ? AND status IN ('interrupted', 'failed', 'cancelled')`)
        .run(process.pid, id).changes > 0
    );
  }

  /**
   * Called once at start: whatever was queued or running when the previous session
   * ended (crash, kill, power cut) did not finish, and says so.
   */
  markInterrupted(isAlive: (pid: number) => boolean = processIsAlive): number {
    const unfinished = this.db.prepare(`SELECT id, owner_pid FROM runs WHERE status IN ('queued', 'running')`).all() as Array<{ id: number; owner_pid: number | null }>;
    // Runs of another workbench still open on this data directory (the app and a CLI) are left alone.
    const orphaned = unfinished.filter((r) => r.owner_pid === null || r.owner_pid === process.pid || !isAlive(r.owner_pid));
    const mark = this.db.prepare(
      `UPDATE runs SET status = 'interrupted', finished_at = ?,
         error = COALESCE(error, 'The workbench stopped before this run finished; epochs recorded until then are kept.')
       WHERE id = ? AND status IN ('queued', 'running')`,
    );
    this.db.transaction(() => orphaned.forEach((r) => mark.run(now(), r.id)))();
    return orphaned.length;
  }

  /** The processes that queued an experiment's unfinished (queued or running) runs. */
  ownersOfUnfinished(experimentId: number): number[] {
    return this.db
      .prepare(`SELECT DISTINCT owner_pid FROM runs WHERE experiment_id = ? AND status IN ('queued', 'running') AND owner_pid IS NOT NULL`)
      .pluck()
      .all(experimentId) as number[];
  }

  /** Runs of an experiment with where they sit in its sweep. */
  ofExperiment(experimentId: number): Array<RunSummary & { labelCount: number | null; repeat: number | null }> {
    const rows = this.db
      .prepare(`${SUMMARY_SELECT} WHERE r.experiment_id = ? ORDER BY r.id`)
      .all(experimentId) as Array<RunRow & { repeat_index: number | null }>;
    return rows.map((row) => ({ ...toSummary(row), labelCount: row.label_count, repeat: row.repeat_index }));
  }

  /** Every run id in the store. */
  ids(): Set<number> {
    return new Set((this.db.prepare(`SELECT id FROM runs`).pluck().all() as number[]));
  }

  /** The metrics of every run of an experiment on one split, by run: one query for a whole results reload. */
  experimentMetrics(experimentId: number, split: EvaluationSplit): Map<number, MetricRecord[]> {
    const rows = this.db
      .prepare(`SELECT m.run_id, m.scope, m.name, m.value FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.experiment_id = ? AND m.split = ? ORDER BY m.run_id, m.scope, m.name`)
      .all(experimentId, split) as Array<MetricRecord & { run_id: number }>;
    const out = new Map<number, MetricRecord[]>();
    for (const { run_id, ...metric } of rows) out.set(run_id, [...(out.get(run_id) ?? []), metric]);
    return out;
  }

  /** The degenerate-prediction flags of every run of an experiment on one split, by run (a run without stored predictions is absent). */
  experimentFlags(experimentId: number, split: EvaluationSplit): Map<number, DegenerateFlag[]> {
    const rows = this.db
      .prepare(`SELECT p.run_id, p.flags_json FROM run_predictions p JOIN runs r ON r.id = p.run_id WHERE r.experiment_id = ? AND p.split = ?`)
      .all(experimentId, split) as Array<{ run_id: number; flags_json: string }>;
    return new Map(rows.map((r) => [r.run_id, parseFlags(r.flags_json)]));
  }

  metricsOf(id: number, split: EvaluationSplit = 'validation'): MetricRecord[] {
    return this.db.prepare(`SELECT scope, name, value FROM metrics WHERE run_id = ? AND split = ? ORDER BY scope, name`).all(id, split) as MetricRecord[];
  }

  /** A finished pre-training run on this dataset with exactly this configuration, to reuse. */
  findReusablePretrain(datasetId: string, config: TrainConfig): RunSummary | null {
    const json = JSON.stringify(config);
    const row = this.db
      .prepare(`${SUMMARY_SELECT} WHERE r.kind = 'pretrain' AND r.status = 'done' AND r.dataset_id = ? AND r.config_json = ? ORDER BY r.id DESC LIMIT 1`)
      .get(datasetId, json) as RunRow | undefined;
    return row ? toSummary(row) : null;
  }

  /**
   * Finished runs, newest first, with how long each took, where and with how many threads:
   * what projected times are measured from. `encoded`: a fine-tune that was the first of its
   * pre-training to start, so it computed that pre-training's encoder outputs.
   */
  finishedRuns(limit = 500): FinishedRun[] {
    const rows = this.db
      .prepare(
        `SELECT r.id, r.kind, r.dataset_id, r.config_json, r.parent_run_id, r.backend, r.threads, r.cores,
           COALESCE(r.train_host, json_extract(r.origin_json, '$.sourceHost')) AS host,
           (julianday(r.finished_at) - julianday(r.started_at)) * 86400 AS seconds,
           r.kind = 'finetune' AND r.started_at = (SELECT MIN(c.started_at) FROM runs c WHERE c.parent_run_id = r.parent_run_id AND c.kind = 'finetune') AS encoded
         FROM runs r WHERE r.status = 'done' AND r.backend IS NOT NULL AND r.started_at IS NOT NULL AND r.finished_at IS NOT NULL
         ORDER BY r.id DESC LIMIT ?`,
      )
      .all(limit) as Array<{ id: number; kind: RunKind; dataset_id: string; config_json: string; parent_run_id: number | null; backend: BackendName; threads: number | null; cores: number | null; host: string | null; seconds: number; encoded: number }>;
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      datasetId: r.dataset_id,
      config: TrainConfig.parse(JSON.parse(r.config_json)),
      parentRunId: r.parent_run_id,
      backend: r.backend,
      seconds: r.seconds,
      encoded: r.encoded === 1,
      host: r.host,
      threads: r.threads,
      cores: r.cores,
    }));
  }

  /** Where an experiment's runs trained, by host and kind (see experimentHosts); this machine is named `thisHost`. */
  hostsOfExperiment(experimentId: number, thisHost: string): ExperimentHost[] {
    return experimentHosts(this.db, experimentId, thisHost);
  }

  /** Whether a fine-tune of this pre-training has finished (its encoder outputs are then cached). */
  hasFinishedFinetune(pretrainRunId: number): boolean {
    return this.db.prepare(`SELECT 1 FROM runs WHERE parent_run_id = ? AND kind = 'finetune' AND status = 'done' LIMIT 1`).get(pretrainRunId) !== undefined;
  }

  list(limit = 500, offset = 0): RunSummary[] {
    const rows = this.db.prepare(`${SUMMARY_SELECT} ORDER BY r.id DESC LIMIT ? OFFSET ?`).all(limit, offset) as RunRow[];
    return rows.map(toSummary);
  }

  summary(id: number): RunSummary {
    const row = this.db.prepare(`${SUMMARY_SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined;
    if (!row) throw new WorkbenchError('not_found', `Run ${id} does not exist.`);
    return toSummary(row);
  }

  detail(id: number): RunDetail {
    const summary = this.summary(id);
    const epochs = this.db
      .prepare(`SELECT epoch, loss, val_loss AS valLoss, seconds, masked_loss AS maskedLoss, val_masked_loss AS valMaskedLoss FROM epochs WHERE run_id = ? ORDER BY epoch`)
      .all(id) as EpochRecord[];
    const predictions = (
      this.db.prepare(`SELECT split, length(segments) / 4 AS segments, flags_json FROM run_predictions WHERE run_id = ? ORDER BY split = 'test'`).all(id) as Array<{ split: EvaluationSplit; segments: number; flags_json: string }>
    ).map((p) => ({ split: p.split, segments: p.segments, flags: parseFlags(p.flags_json) }));
    return { ...summary, epochs, metrics: this.metricsOf(id), testMetrics: this.metricsOf(id, 'test'), predictions };
  }
}
