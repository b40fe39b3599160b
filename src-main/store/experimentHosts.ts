import type Database from 'better-sqlite3';
import type { ExperimentHost, HostJobCounts, RunKind } from '@shared/api/entities';

/**
 * Where an experiment's runs trained, counted in one query grouped by host and kind. A run's
 * host is the cluster worker that started it (train_host) or, for a run imported from a
 * bundle, the host that exported it; neither: this workbench's own pool, unless the run was
 * handed to the cluster and no worker has started it yet (the row without a host). Reused
 * pre-trainings belong to the experiment that trained them and are not counted here.
 */
const HOSTS_QUERY = `
  SELECT COALESCE(r.train_host, json_extract(r.origin_json, '$.sourceHost')) AS host,
    r.on_cluster AS on_cluster,
    r.kind AS kind,
    SUM(r.status = 'done') AS done,
    SUM(r.status = 'running') AS running,
    SUM(r.status = 'queued') AS queued,
    SUM(r.status IN ('failed', 'cancelled', 'interrupted')) AS stopped,
    -- julianday's float carries about 20 µs of error: milliseconds are what the clock recorded.
    ROUND(COALESCE(SUM(CASE WHEN r.status = 'done' THEN (julianday(r.finished_at) - julianday(r.started_at)) * 86400 END), 0), 3) AS seconds
  FROM runs r
  WHERE r.experiment_id = ?
  GROUP BY 1, 2, 3`;

interface HostRow extends HostJobCounts {
  host: string | null;
  on_cluster: number;
  kind: RunKind;
}

const none = (): HostJobCounts => ({ done: 0, running: 0, queued: 0, stopped: 0, seconds: 0 });

/** The experiment's runs per host: this machine first (named `thisHost`), then workers by name, then those waiting for a worker. */
export function experimentHosts(db: Database.Database, experimentId: number, thisHost: string): ExperimentHost[] {
  const rows = db.prepare(HOSTS_QUERY).all(experimentId) as HostRow[];
  const byKey = new Map<string, ExperimentHost>();
  for (const row of rows) {
    const waiting = row.host === null && row.on_cluster === 1;
    const thisMachine = row.host === null && !waiting;
    const key = thisMachine ? 'this' : waiting ? 'waiting' : `host:${row.host}`;
    const entry = byKey.get(key) ?? { host: thisMachine ? thisHost : row.host, thisMachine, pretrain: none(), baseline: none(), finetune: none() };
    const counts = entry[row.kind];
    counts.done += row.done;
    counts.running += row.running;
    counts.queued += row.queued;
    counts.stopped += row.stopped;
    counts.seconds += Math.max(0, row.seconds);
    byKey.set(key, entry);
  }
  const order = (h: ExperimentHost) => (h.thisMachine ? 0 : h.host === null ? 2 : 1);
  return [...byKey.values()].sort((a, b) => order(a) - order(b) || (a.host ?? '').localeCompare(b.host ?? ''));
}
