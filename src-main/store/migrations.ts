import type Database from 'better-sqlite3';

/**
 * Numbered schema migrations. `PRAGMA user_version` holds the number of the last one
 * applied; each runs in its own transaction, so a crash mid-migration leaves the
 * previous version intact. Append new migrations; never edit a published one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The migration rebuilds a table other tables reference (SQLite cannot change a table's
   * constraints in place). It then runs with foreign keys off, as SQLite's documented procedure
   * for such a rebuild asks, and every reference is checked before it commits.
   */
  rebuildsReferencedTable?: boolean;
}

export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: 'datasets, runs, epochs, metrics',
    sql: `
      CREATE TABLE datasets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('synthetic', 'import')),
        segments INTEGER NOT NULL,
        videos INTEGER NOT NULL,
        frames INTEGER NOT NULL,
        features INTEGER NOT NULL,
        non_finite_replaced INTEGER NOT NULL DEFAULT 0,
        fingerprint TEXT NOT NULL,
        params_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('pretrain', 'finetune', 'baseline')),
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        dataset_id TEXT NOT NULL REFERENCES datasets(id),
        parent_run_id INTEGER REFERENCES runs(id),
        config_json TEXT NOT NULL,
        mask_span INTEGER,
        mask_count INTEGER,
        mask_value REAL,
        mask_loss_scope TEXT,
        seed INTEGER NOT NULL,
        backend TEXT,
        backend_reason TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error TEXT,
        notes TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX runs_status ON runs(status);
      CREATE INDEX runs_kind ON runs(kind);
      CREATE INDEX runs_dataset ON runs(dataset_id);
      CREATE INDEX runs_mask ON runs(mask_span, mask_count, mask_value, mask_loss_scope);
      CREATE TABLE epochs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        loss REAL NOT NULL,
        val_loss REAL,
        seconds REAL NOT NULL,
        PRIMARY KEY (run_id, epoch)
      );
      CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        scope TEXT NOT NULL,
        name TEXT NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (run_id, scope, name)
      );
    `,
  },
  {
    version: 2,
    name: 'splits stored with their dataset; runs name their split',
    sql: `
      CREATE TABLE splits (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        validation_fraction REAL NOT NULL,
        seed INTEGER NOT NULL,
        train_count INTEGER NOT NULL,
        validation_count INTEGER NOT NULL,
        test_count INTEGER NOT NULL,
        unassigned_count INTEGER NOT NULL,
        assignment_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (dataset_id, kind, validation_fraction, seed)
      );
      ALTER TABLE runs ADD COLUMN split_id INTEGER REFERENCES splits(id);
      CREATE INDEX runs_split ON runs(split_id);
    `,
  },
  {
    version: 3,
    name: 'experiments: a sweep of fine-tunes and baselines around one pre-training run',
    sql: `
      CREATE TABLE experiments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        dataset_id TEXT NOT NULL REFERENCES datasets(id),
        preset TEXT NOT NULL,
        plan_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
        pretrain_run_id INTEGER REFERENCES runs(id),
        error TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT
      );
      ALTER TABLE runs ADD COLUMN experiment_id INTEGER REFERENCES experiments(id);
      ALTER TABLE runs ADD COLUMN label_count INTEGER;
      ALTER TABLE runs ADD COLUMN repeat_index INTEGER;
      CREATE INDEX runs_experiment ON runs(experiment_id);
    `,
  },
  {
    version: 4,
    name: 'runs remember the process that queued them',
    sql: `ALTER TABLE runs ADD COLUMN owner_pid INTEGER;`,
  },
  {
    version: 5,
    name: 'settings',
    sql: `CREATE TABLE settings (key TEXT PRIMARY KEY, value_json TEXT NOT NULL);`,
  },
  {
    version: 6,
    name: 'run history: tags, archive, provenance of imported runs',
    sql: `
      CREATE TABLE run_tags (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag)
      );
      CREATE INDEX run_tags_tag ON run_tags(tag);
      ALTER TABLE runs ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE runs ADD COLUMN origin_json TEXT;
      CREATE INDEX runs_archived ON runs(archived);
      CREATE INDEX runs_label_count ON runs(label_count);
      CREATE INDEX runs_parent ON runs(parent_run_id);
    `,
  },
  {
    version: 7,
    name: 'run history: overall metrics indexed apart, so sorting by MAE does not read the metrics table',
    // Two rows per evaluated run (mae, acc4) against ~50 in metrics; covering, so a sort by a
    // headline metric stays in this small index (see overallMetric in runHistory.ts).
    sql: `CREATE INDEX metrics_overall ON metrics(run_id, name, value) WHERE scope = 'overall';`,
  },
  {
    version: 8,
    name: "fine-tunes carry their encoder's masking in the mask columns",
    // The history filters and groups fine-tunes by the pre-training masking they build on.
    sql: `
      UPDATE runs SET
        mask_span = (SELECT p.mask_span FROM runs p WHERE p.id = runs.parent_run_id),
        mask_count = (SELECT p.mask_count FROM runs p WHERE p.id = runs.parent_run_id),
        mask_value = (SELECT p.mask_value FROM runs p WHERE p.id = runs.parent_run_id),
        mask_loss_scope = (SELECT p.mask_loss_scope FROM runs p WHERE p.id = runs.parent_run_id)
      WHERE kind = 'finetune' AND parent_run_id IS NOT NULL;
    `,
  },
  {
    version: 9,
    name: "configurations record Adam's constants and the initialisation",
    // What every run before this trained with: tfjs's Adam defaults (Keras's) and the per-gate
    // orthogonal recurrent initialisation. Appended last, as a new configuration serialises them,
    // so an old pre-training run still matches a plan's identical configuration text for reuse.
    sql: `
      UPDATE runs SET config_json = json_set(config_json, '$.adam', json('{"beta1":0.9,"beta2":0.999,"epsilon":1e-7}'))
        WHERE json_type(config_json, '$.adam') IS NULL;
      UPDATE runs SET config_json = json_set(config_json, '$.initialisation', 'orthogonal-per-gate')
        WHERE json_type(config_json, '$.initialisation') IS NULL;
      UPDATE experiments SET plan_json = json_set(plan_json,
          '$.pretrain.adam', json('{"beta1":0.9,"beta2":0.999,"epsilon":1e-7}'),
          '$.supervised.adam', json('{"beta1":0.9,"beta2":0.999,"epsilon":1e-7}'))
        WHERE json_type(plan_json, '$.pretrain.adam') IS NULL;
      UPDATE experiments SET plan_json = json_set(plan_json,
          '$.pretrain.initialisation', 'orthogonal-per-gate',
          '$.supervised.initialisation', 'orthogonal-per-gate')
        WHERE json_type(plan_json, '$.pretrain.initialisation') IS NULL;
    `,
  },
  {
    version: 10,
    name: 'test splits, metrics per split, model selection, stored predictions, masked-step reconstruction error',
    rebuildsReferencedTable: true,
    // Splits gain a test share, part of what identifies one (so the table is rebuilt with the new
    // key; ids kept, so every run still names its split). Metrics gain the split they were measured
    // on: every metric recorded so far was on validation. Configurations and plans record the test
    // share, the epoch selection and early stopping as every run so far trained: none, the last
    // epoch, none; appended last, as a new configuration serialises them, so an older pre-training
    // run still matches a plan's identical configuration text for reuse.
    sql: `
      CREATE TABLE splits_v10 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        validation_fraction REAL NOT NULL,
        test_fraction REAL NOT NULL DEFAULT 0,
        seed INTEGER NOT NULL,
        train_count INTEGER NOT NULL,
        validation_count INTEGER NOT NULL,
        test_count INTEGER NOT NULL,
        unassigned_count INTEGER NOT NULL,
        assignment_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (dataset_id, kind, validation_fraction, test_fraction, seed)
      );
      INSERT INTO splits_v10 (id, dataset_id, kind, validation_fraction, test_fraction, seed, train_count, validation_count, test_count, unassigned_count, assignment_json, created_at)
        SELECT id, dataset_id, kind, validation_fraction, 0, seed, train_count, validation_count, test_count, unassigned_count, assignment_json, created_at FROM splits;
      DROP TABLE splits;
      ALTER TABLE splits_v10 RENAME TO splits;

      CREATE TABLE metrics_v10 (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        split TEXT NOT NULL CHECK (split IN ('validation', 'test')),
        scope TEXT NOT NULL,
        name TEXT NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (run_id, split, scope, name)
      );
      INSERT INTO metrics_v10 (run_id, split, scope, name, value) SELECT run_id, 'validation', scope, name, value FROM metrics;
      DROP INDEX metrics_overall;
      DROP TABLE metrics;
      ALTER TABLE metrics_v10 RENAME TO metrics;
      CREATE INDEX metrics_overall ON metrics(run_id, name, value) WHERE scope = 'overall' AND split = 'validation';
      CREATE INDEX metrics_overall_test ON metrics(run_id, name, value) WHERE scope = 'overall' AND split = 'test';

      ALTER TABLE epochs ADD COLUMN masked_loss REAL;
      ALTER TABLE epochs ADD COLUMN val_masked_loss REAL;

      -- Per-segment predictions of a fine-tune or baseline on each split it was evaluated on:
      -- little-endian int32 indices into the dataset's segments, float32 predictions (segments x 6,
      -- emotions in the workbench's order), and the degenerate-prediction flags computed from them.
      CREATE TABLE run_predictions (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        split TEXT NOT NULL CHECK (split IN ('validation', 'test')),
        segments BLOB NOT NULL,
        predictions BLOB NOT NULL,
        flags_json TEXT NOT NULL,
        flagged INTEGER NOT NULL,
        PRIMARY KEY (run_id, split)
      );

      UPDATE runs SET config_json = json_set(config_json, '$.split.testFraction', 0)
        WHERE json_type(config_json, '$.split.testFraction') IS NULL;
      UPDATE runs SET config_json = json_set(config_json, '$.selection', 'last-epoch', '$.earlyStopping', json('null'))
        WHERE json_type(config_json, '$.selection') IS NULL;
      UPDATE experiments SET plan_json = json_set(plan_json, '$.pretrain.split.testFraction', 0, '$.supervised.split.testFraction', 0)
        WHERE json_type(plan_json, '$.pretrain.split.testFraction') IS NULL;
      UPDATE experiments SET plan_json = json_set(plan_json,
          '$.pretrain.selection', 'last-epoch', '$.pretrain.earlyStopping', json('null'),
          '$.supervised.selection', 'last-epoch', '$.supervised.earlyStopping', json('null'))
        WHERE json_type(plan_json, '$.pretrain.selection') IS NULL;
    `,
  },
  {
    version: 11,
    name: 'ablations: the factor values a run stands for, and the pre-trainings of an experiment that needs several',
    sql: `
      -- JSON object: factor id -> value (see src-shared/experiments/factors.ts); NULL outside an ablation.
      ALTER TABLE runs ADD COLUMN factor_values_json TEXT;
      -- JSON object: the key of the factor values that set a pre-training -> its run id. The
      -- pre-training every variant shares (key '{}') stays in pretrain_run_id.
      ALTER TABLE experiments ADD COLUMN pretrain_runs_json TEXT;
    `,
  },
  {
    version: 12,
    name: 'where a run trained, and the threads and cores it trained with',
    sql: `
      -- The cluster worker's host that trains (or trained) the run; NULL: this workbench's own pool, or not started.
      ALTER TABLE runs ADD COLUMN train_host TEXT;
      -- 1 while the run is handed to the cluster (waiting for a worker, or on one); 0: in this workbench's pool.
      ALTER TABLE runs ADD COLUMN on_cluster INTEGER NOT NULL DEFAULT 0;
      -- Time-weighted mean of the XNNPACK threads its training process used; NULL: not recorded (older runs, non-WASM backends).
      ALTER TABLE runs ADD COLUMN threads REAL;
      -- Cores of the machine it trained on; NULL: not recorded.
      ALTER TABLE runs ADD COLUMN cores INTEGER;
    `,
  },
];

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration newer than the database; returns the versions applied. */
export function migrate(db: Database.Database, migrations = MIGRATIONS): number[] {
  const current = schemaVersion(db);
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(
      `This data directory was written by a newer version of the workbench (schema ${current}, this version knows ${newest}). ` +
        'Update the workbench, or choose another data directory.',
    );
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    // foreign_keys cannot change inside a transaction: it is switched around it.
    const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
    if (m.rebuildsReferencedTable && enforced) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.sql);
        if (m.rebuildsReferencedTable) {
          const broken = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
          if (broken.length) throw new Error(`Migration ${m.version} would leave ${broken.length} broken references (first: ${broken[0].table} row ${broken[0].rowid} -> ${broken[0].parent}); nothing was changed.`);
        }
        db.pragma(`user_version = ${m.version}`);
      })();
    } finally {
      if (m.rebuildsReferencedTable && enforced) db.pragma('foreign_keys = ON');
    }
    applied.push(m.version);
  }
  return applied;
}
