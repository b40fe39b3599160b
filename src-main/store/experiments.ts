import type Database from 'better-sqlite3';
import { WorkbenchError } from '@shared/api/contract';
import type { ExperimentSummary } from '@shared/api/entities';
import { normalisePlan, type ExperimentPlan, type ExperimentPreset } from '@shared/experiments/presets';

interface ExperimentRow {
  id: number;
  name: string;
  dataset_id: string;
  preset: ExperimentPreset;
  plan_json: string;
  status: ExperimentSummary['status'];
  pretrain_run_id: number | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  runs_done: number;
}

const SELECT = `
  SELECT e.*, (SELECT COUNT(*) FROM runs r WHERE r.experiment_id = e.id AND r.kind != 'pretrain' AND r.status = 'done') AS runs_done
  FROM experiments e`;

function toSummary(row: ExperimentRow): ExperimentSummary & { plan: ExperimentPlan } {
  const plan = normalisePlan(JSON.parse(row.plan_json) as ExperimentPlan);
  return {
    id: row.id,
    name: row.name,
    datasetId: row.dataset_id,
    preset: row.preset,
    status: row.status,
    labelCounts: plan.labelCounts,
    repeats: plan.repeats,
    pretrainRunId: row.pretrain_run_id,
    runsTotal: plan.labelCounts.length * plan.repeats * 2,
    runsDone: row.runs_done,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    error: row.error,
    plan,
  };
}

export type StoredExperiment = ReturnType<typeof toSummary>;

export class ExperimentRepository {
  constructor(private readonly db: Database.Database) {}

  create(name: string, datasetId: string, preset: ExperimentPreset, plan: ExperimentPlan): StoredExperiment {
    const info = this.db
      .prepare(`INSERT INTO experiments (name, dataset_id, preset, plan_json, status, created_at) VALUES (?, ?, ?, ?, 'running', ?)`)
      .run(name, datasetId, preset, JSON.stringify(plan), new Date().toISOString());
    return this.get(Number(info.lastInsertRowid));
  }

  setPretrainRun(id: number, runId: number): void {
    this.db.prepare(`UPDATE experiments SET pretrain_run_id = ? WHERE id = ?`).run(runId, id);
  }

  finish(id: number, status: Exclude<ExperimentSummary['status'], 'running'>, error: string | null = null): boolean {
    return this.db.prepare(`UPDATE experiments SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'`).run(status, error, new Date().toISOString(), id).changes > 0;
  }

  /** Sets an ended (or interrupted) experiment running again; its runs are kept. */
  reopen(id: number): void {
    this.db.prepare(`UPDATE experiments SET status = 'running', error = NULL, finished_at = NULL WHERE id = ?`).run(id);
  }

  /** Experiments a previous session left running: they are continued at start. */
  running(): StoredExperiment[] {
    return (this.db.prepare(`${SELECT} WHERE e.status = 'running' ORDER BY e.id`).all() as ExperimentRow[]).map(toSummary);
  }

  list(): StoredExperiment[] {
    return (this.db.prepare(`${SELECT} ORDER BY e.id DESC`).all() as ExperimentRow[]).map(toSummary);
  }

  get(id: number): StoredExperiment {
    const row = this.db.prepare(`${SELECT} WHERE e.id = ?`).get(id) as ExperimentRow | undefined;
    if (!row) throw new WorkbenchError('not_found', `Experiment ${id} does not exist.`);
    return toSummary(row);
  }
}
