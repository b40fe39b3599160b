import type Database from 'better-sqlite3';
import { WorkbenchError } from '@shared/api/contract';
import type { ExperimentSummary } from '@shared/api/entities';
import { normalisePlan, type ExperimentPlan, type ExperimentPreset } from '@shared/experiments/presets';
import { planShape } from '@shared/experiments/ablationPlan';

/** The key of the pre-training every variant of a plan shares (a plain experiment's only one). */
export const SHARED_PRETRAIN = '{}';

interface ExperimentRow {
  id: number;
  name: string;
  dataset_id: string;
  preset: ExperimentPreset;
  plan_json: string;
  status: ExperimentSummary['status'];
  pretrain_run_id: number | null;
  pretrain_runs_json: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  runs_done: number;
}

const SELECT = `
  SELECT e.*, (SELECT COUNT(*) FROM runs r WHERE r.experiment_id = e.id AND r.kind != 'pretrain' AND r.status = 'done') AS runs_done
  FROM experiments e`;

/** Pre-training runs by the key of the factor values that set them ('{}': the one shared by every variant). */
function pretrainRunsOf(row: ExperimentRow): Record<string, number> {
  const own = row.pretrain_runs_json ? (JSON.parse(row.pretrain_runs_json) as Record<string, number>) : {};
  return row.pretrain_run_id === null ? own : { [SHARED_PRETRAIN]: row.pretrain_run_id, ...own };
}

function toSummary(row: ExperimentRow): ExperimentSummary & { plan: ExperimentPlan; pretrainRuns: Record<string, number> } {
  const plan = normalisePlan(JSON.parse(row.plan_json) as ExperimentPlan);
  const pretrainRuns = pretrainRunsOf(row);
  return {
    id: row.id,
    name: row.name,
    datasetId: row.dataset_id,
    preset: row.preset,
    status: row.status,
    labelCounts: plan.labelCounts,
    repeats: plan.repeats,
    pretrainRunId: row.pretrain_run_id,
    pretrainRunIds: [...new Set(Object.values(pretrainRuns))],
    factors: plan.factors,
    runsTotal: planShape(plan).runsTotal,
    runsDone: row.runs_done,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    error: row.error,
    plan,
    pretrainRuns,
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

  /** Records the pre-training of the variants whose pre-training values have this key (SHARED_PRETRAIN: of every variant). */
  setPretrainRun(id: number, runId: number, key = SHARED_PRETRAIN): void {
    if (key === SHARED_PRETRAIN) this.db.prepare(`UPDATE experiments SET pretrain_run_id = ? WHERE id = ?`).run(runId, id);
    else {
      // Keys are JSON themselves: the map is read and written whole, in one transaction.
      this.db.transaction(() => {
        const json = this.db.prepare(`SELECT pretrain_runs_json FROM experiments WHERE id = ?`).pluck().get(id) as string | null;
        const runs = { ...(json ? (JSON.parse(json) as Record<string, number>) : {}), [key]: runId };
        this.db.prepare(`UPDATE experiments SET pretrain_runs_json = ? WHERE id = ?`).run(JSON.stringify(runs), id);
      })();
    }
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
