import type Database from 'better-sqlite3';
import { WorkbenchError } from '@shared/api/contract';
import type { RunSummary } from '@shared/api/entities';
import { CONFIG_FIELD_PATTERN, FACET_LIMIT, RUN_COLUMNS, type RunColumn, type RunFacets, type RunField, type RunFilterClause, type RunQuery } from '@shared/history/query';
import { leafPaths } from '@shared/history/compare';
import { SUMMARY_SELECT, toSummary, type RunRow } from './runs';

/**
 * A run's overall metric read from the small covering index of migration 7. INDEXED BY
 * because SQLite otherwise always takes the metrics primary key (all its columns are
 * constrained), whose lookups also read the big metrics table: sorting 10,000 runs by MAE
 * spent most of its time there.
 */
const overallMetric = (name: 'mae' | 'acc4', split: 'validation' | 'test' = 'validation') =>
  `(SELECT value FROM metrics m INDEXED BY ${split === 'test' ? 'metrics_overall_test' : 'metrics_overall'} WHERE m.run_id = q.id AND m.split = '${split}' AND m.scope = 'overall' AND m.name = '${name}')`;

/**
 * SQL of each history column over the summary query (aliased `q`). Config paths go
 * through json_extract with the path bound as a parameter, never spliced into the SQL.
 */
const COLUMN_SQL: Record<RunColumn, string> = {
  id: 'q.id',
  name: 'q.name',
  kind: 'q.kind',
  dataset: 'q.dataset_id',
  experiment: 'q.experiment_id',
  status: 'q.status',
  backend: 'q.backend',
  seed: 'q.seed',
  labelCount: 'q.label_count',
  maskSpan: 'q.mask_span',
  maskCount: 'q.mask_count',
  maskValue: 'q.mask_value',
  maskLossScope: 'q.mask_loss_scope',
  epochs: "json_extract(q.config_json, '$.epochs')",
  lastLoss: 'q.last_loss',
  mae: overallMetric('mae'),
  acc4: overallMetric('acc4'),
  maeTest: overallMetric('mae', 'test'),
  acc4Test: overallMetric('acc4', 'test'),
  // Emotions flagged as degenerate on the split the run reports (test when it has one); null without stored predictions.
  flagged: "(SELECT flagged FROM run_predictions p WHERE p.run_id = q.id ORDER BY p.split = 'test' DESC LIMIT 1)",
  startedAt: 'q.started_at',
  duration: '((julianday(q.finished_at) - julianday(q.started_at)) * 86400)',
  tags: 'q.tags',
};
/** Sorting by dataset means by its name, which is what the table shows. */
const SORT_SQL: Partial<Record<RunColumn, string>> = { dataset: '(SELECT name FROM datasets d WHERE d.id = q.dataset_id)' };

/** Columns whose distinct values the filter menus list. */
const FACET_FIELDS: RunField[] = ['kind', 'status', 'dataset', 'experiment', 'backend', 'labelCount', 'maskSpan', 'maskCount', 'maskValue', 'maskLossScope', 'epochs', 'config.split.kind', 'config.model.hiddenUnits'];

interface Sql {
  text: string;
  params: unknown[];
}

function fieldSql(field: RunField, sorting = false): Sql {
  if ((RUN_COLUMNS as readonly string[]).includes(field)) {
    const column = field as RunColumn;
    return { text: (sorting && SORT_SQL[column]) || COLUMN_SQL[column], params: [] };
  }
  if (!CONFIG_FIELD_PATTERN.test(field)) throw new WorkbenchError('invalid_params', `Unknown history field: ${field}`);
  return { text: 'json_extract(q.config_json, ?)', params: [`$${field.slice('config'.length)}`] };
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
/** SQLite keeps booleans as 0/1 (json_extract of true is 1). */
const sqlValue = (v: RunFilterClause['value']) => (typeof v === 'boolean' ? Number(v) : v);

function clauseSql(clause: RunFilterClause): Sql {
  const { op, value } = clause;
  // eq/neq null mean "has no tags"/"has some", like every other field: that is q.tags IS [NOT] NULL below.
  if (clause.field === 'tags' && value !== null) {
    const exists = 'EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = q.id AND t.tag = ?)';
    if (op === 'eq') return { text: exists, params: [sqlValue(value)] };
    if (op === 'neq') return { text: `NOT ${exists}`, params: [sqlValue(value)] };
  }
  const f = fieldSql(clause.field);
  const compare = (sqlOp: string): Sql => {
    if (value === null) throw new WorkbenchError('invalid_params', `Filter ${clause.field} ${op} needs a value.`);
    return { text: `${f.text} ${sqlOp} ?`, params: [...f.params, sqlValue(value)] };
  };
  switch (op) {
    case 'isNull':
      return { text: `${f.text} IS NULL`, params: f.params };
    case 'notNull':
      return { text: `${f.text} IS NOT NULL`, params: f.params };
    case 'eq':
      return value === null ? { text: `${f.text} IS NULL`, params: f.params } : compare('=');
    case 'neq':
      return value === null
        ? { text: `${f.text} IS NOT NULL`, params: f.params }
        : { text: `(${f.text} IS NULL OR ${f.text} != ?)`, params: [...f.params, ...f.params, sqlValue(value)] };
    case 'lt':
      return compare('<');
    case 'lte':
      return compare('<=');
    case 'gt':
      return compare('>');
    case 'gte':
      return compare('>=');
    case 'contains':
      return { text: `CAST(${f.text} AS TEXT) LIKE ? ESCAPE '\\'`, params: [...f.params, likePattern(String(value ?? ''))] };
  }
}

function whereSql(query: RunQuery): Sql {
  const parts: Sql[] = [];
  if (query.archived === 'hide') parts.push({ text: 'q.archived = 0', params: [] });
  if (query.archived === 'only') parts.push({ text: 'q.archived = 1', params: [] });
  for (const word of query.search.split(/\s+/).filter(Boolean)) {
    const p = likePattern(word);
    parts.push({ text: `(q.name LIKE ? ESCAPE '\\' OR q.notes LIKE ? ESCAPE '\\' OR q.tags LIKE ? ESCAPE '\\')`, params: [p, p, p] });
  }
  parts.push(...query.filters.map(clauseSql));
  return parts.length ? { text: `WHERE ${parts.map((p) => p.text).join(' AND ')}`, params: parts.flatMap((p) => p.params) } : { text: '', params: [] };
}

/**
 * The run history's reads and edits: filtered, sorted pages of runs, the values the filter
 * menus offer, and the researcher's own annotations (name, notes, tags, archive).
 */
export class RunHistory {
  constructor(private readonly db: Database.Database) {}

  query(query: RunQuery): { rows: RunSummary[]; total: number } {
    const where = whereSql(query);
    const sort = fieldSql(query.sort.field, true);
    const direction = query.sort.direction === 'asc' ? 'ASC' : 'DESC';
    // Missing values (a pre-training run's MAE, an unstarted run's backend) sort last either way.
    // NULLS LAST rather than a leading `(key) IS NULL` term: that term made SQLite sort every
    // matching run (all headline subqueries included) even for the default id order, which an
    // index answers directly (~85 ms -> ~4 ms for the first page at 10,000 runs).
    // Then two steps: sort the matching ids (SQLite computes only the columns a query uses
    // from the summary view, here the sort key and the filters), then read the page's
    // summaries. Sorting whole summary rows computed every headline subquery and copied
    // every config for every match. The count likewise computes only what the filters use.
    const page = this.db
      .prepare(`SELECT q.id FROM (${SUMMARY_SELECT}) q ${where.text} ORDER BY ${sort.text} ${direction} NULLS LAST, q.id DESC LIMIT ? OFFSET ?`)
      .pluck();
    const summaries = this.db.prepare(`${SUMMARY_SELECT} WHERE r.id IN (SELECT value FROM json_each(?))`);
    const count = this.db.prepare(`SELECT count(*) FROM (${SUMMARY_SELECT}) q ${where.text}`).pluck();
    // One read transaction: the page, its rows and the total come from the same snapshot.
    return this.db.transaction(() => {
      const ids = page.all(...where.params, ...sort.params, query.limit, query.offset) as number[];
      const byId = new Map((summaries.all(JSON.stringify(ids)) as RunRow[]).map((row) => [row.id, row]));
      return { rows: ids.map((id) => toSummary(byId.get(id)!)), total: count.get(...where.params) as number };
    })();
  }

  facets(): RunFacets {
    const values: RunFacets['values'] = {};
    for (const field of FACET_FIELDS) {
      const sql = fieldSql(field);
      values[field] = (this.db.prepare(`SELECT DISTINCT ${sql.text} AS v FROM runs q ORDER BY v LIMIT ${FACET_LIMIT}`).all(...sql.params) as Array<{ v: string | number | null }>).map((r) => r.v);
    }
    const tags = (this.db.prepare('SELECT DISTINCT tag FROM run_tags ORDER BY tag').all() as Array<{ tag: string }>).map((r) => r.tag);
    // Runs share a handful of config shapes; reading one run of each distinct shape is enough.
    const shapes = this.db.prepare(`SELECT config_json FROM runs GROUP BY json_type(config_json, '$.mask'), kind`).all() as Array<{ config_json: string }>;
    const fields = new Set<string>();
    for (const { config_json } of shapes) for (const path of leafPaths(JSON.parse(config_json), 'config')) fields.add(path);
    const total = (this.db.prepare('SELECT count(*) AS n FROM runs WHERE archived = 0').get() as { n: number }).n;
    return { total, tags, configFields: [...fields].sort(), values };
  }

  update(id: number, change: { name?: string; notes?: string; tags?: string[]; archived?: boolean }): void {
    this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id);
      if (!exists) throw new WorkbenchError('not_found', `Run ${id} does not exist.`);
      if (change.name !== undefined) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(change.name, id);
      if (change.notes !== undefined) this.db.prepare('UPDATE runs SET notes = ? WHERE id = ?').run(change.notes, id);
      if (change.archived !== undefined) this.db.prepare('UPDATE runs SET archived = ? WHERE id = ?').run(Number(change.archived), id);
      if (change.tags !== undefined) {
        this.db.prepare('DELETE FROM run_tags WHERE run_id = ?').run(id);
        const insert = this.db.prepare('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)');
        for (const tag of change.tags) insert.run(id, tag);
      }
    })();
  }

  /**
   * Removes a run's records (epochs, metrics and tags go with it). Refuses, saying why, when
   * something still needs the run: it is training, other runs fine-tune its encoder, or an
   * unfinished experiment would train it again.
   */
  delete(id: number): void {
    this.db.transaction(() => {
      const run = this.db.prepare('SELECT id, status, experiment_id FROM runs WHERE id = ?').get(id) as { id: number; status: string; experiment_id: number | null } | undefined;
      if (!run) throw new WorkbenchError('not_found', `Run ${id} does not exist.`);
      if (run.status === 'queued' || run.status === 'running') throw new WorkbenchError('conflict', `Run #${id} is ${run.status}. Cancel it first, then delete it.`);
      const children = this.db.prepare('SELECT id FROM runs WHERE parent_run_id = ? ORDER BY id').all(id) as Array<{ id: number }>;
      if (children.length) {
        const list = children.slice(0, 5).map((c) => `#${c.id}`).join(', ') + (children.length > 5 ? ` and ${children.length - 5} more` : '');
        throw new WorkbenchError('conflict', `Run #${id} is the pre-training run of ${children.length} fine-tune${children.length === 1 ? '' : 's'} (${list}). Delete those first, or archive this run to hide it.`);
      }
      const owner = this.db.prepare('SELECT id, name, status FROM experiments WHERE pretrain_run_id = ? OR (id = ? AND status IN (\'running\', \'interrupted\'))').get(id, run.experiment_id) as { id: number; name: string; status: string } | undefined;
      if (owner) {
        throw new WorkbenchError(
          'conflict',
          owner.status === 'running' || owner.status === 'interrupted'
            ? `Run #${id} belongs to experiment #${owner.id} "${owner.name}", which is ${owner.status} and would train it again. Cancel the experiment first.`
            : `Run #${id} is the pre-training run of experiment #${owner.id} "${owner.name}", whose results need it. Archive it instead to hide it.`,
        );
      }
      this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
    })();
  }
}
