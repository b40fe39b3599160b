import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrainConfig } from '@shared/api/entities';
import { openDatabase, DATABASE_FILE } from './database';
import { MIGRATIONS, migrate, schemaVersion } from './migrations';
import { RunRepository } from './runs';
import { DatasetRepository } from './datasets';
import { ExperimentRepository } from './experiments';
import { SplitRepository } from './splits';
import { RunHistory } from './runHistory';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wb-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const config: TrainConfig = {
  epochs: 3, batchSize: 8, learningRate: 0.001, model: { hiddenUnits: 4, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' }, labels: { count: null, seed: 0 }, seed: 5,
  sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' }, split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null,
  mask: { spanLength: 30, spanCount: 1, value: -30, lossScope: 'all-valid' },
};

function withDataset(db: Database.Database) {
  new DatasetRepository(db).insert({
    id: 'd1', name: 'test', source: 'synthetic', segments: 1, videos: 1, frames: 1, features: 74, nonFiniteReplaced: 0, fingerprint: 'f', params: {},
  });
}

/** The dataset row as any schema since 1 holds it (the repository's queries are the newest schema's). */
function rawDataset(db: Database.Database) {
  db.prepare(`INSERT INTO datasets (id, name, source, segments, videos, frames, features, fingerprint, params_json, created_at) VALUES ('d1', 'test', 'synthetic', 1, 1, 1, 74, 'f', '{}', '2025-01-01')`).run();
}

describe('migrations', () => {
  it('bring a new database to the newest version, in WAL mode with foreign keys on', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('apply only the migrations a database lacks, and nothing on a second start', () => {
    const db = new Database(':memory:');
    const steps = [
      { version: 1, name: 'a', sql: 'CREATE TABLE a (x)' },
      { version: 2, name: 'b', sql: 'CREATE TABLE b (x)' },
    ];
    expect(migrate(db, steps.slice(0, 1))).toEqual([1]);
    expect(migrate(db, steps)).toEqual([2]);
    expect(migrate(db, steps)).toEqual([]);
    expect(schemaVersion(db)).toBe(2);
  });

  it('roll back a failing migration whole and keep the previous version', () => {
    const db = new Database(':memory:');
    const steps = [
      { version: 1, name: 'a', sql: 'CREATE TABLE a (x)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE c (x); INSERT INTO missing VALUES (1)' },
    ];
    expect(() => migrate(db, steps)).toThrow(/missing/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'c'`).get()).toBeUndefined();
  });

  it("migration 9 records, on older runs and experiment plans, the Adam constants and initialisation they trained with", () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 8));
    rawDataset(db);
    const { adam: _adam, initialisation: _initialisation, ...before } = config;
    // Rows as a workbench of schema 8 wrote them.
    const old = { id: Number(db.prepare(`INSERT INTO runs (name, kind, status, dataset_id, config_json, seed, created_at) VALUES ('old', 'pretrain', 'done', 'd1', ?, 5, '2025-01-01T00:00:00Z')`).run(JSON.stringify(before)).lastInsertRowid) };
    const plan = { labelCounts: [20], repeats: 1, pretrain: before, supervised: { ...before, mask: null } };
    const experiment = { id: Number(db.prepare(`INSERT INTO experiments (name, dataset_id, preset, plan_json, status, created_at) VALUES ('old sweep', 'd1', 'quick', ?, 'done', '2025-01-01T00:00:00Z')`).run(JSON.stringify(plan)).lastInsertRowid) };
    const runs = new RunRepository(db);
    expect(migrate(db)).toEqual([9, 10, 11, 12]);
    const recorded = { ...before, adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'orthogonal-per-gate' } as const;
    expect(runs.summary(old.id).config).toEqual(recorded);
    // Its configuration text is what a plan's identical configuration serialises to, so it is still found for reuse.
    expect(runs.findReusablePretrain('d1', recorded)?.id).toBe(old.id);
    expect(runs.findReusablePretrain('d1', { ...recorded, initialisation: 'keras' })).toBeNull();
    const { pretrain, supervised } = new ExperimentRepository(db).get(experiment.id).plan;
    expect([pretrain, supervised].map((c) => [c.adam, c.initialisation])).toEqual([[recorded.adam, recorded.initialisation], [recorded.adam, recorded.initialisation]]);
  });

  it('migration 10 keeps every split, metric and run of a schema-9 store, names their split, and records the settings they trained with', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 9));
    rawDataset(db);
    const { split: { testFraction: _t, ...oldSplit }, selection: _s, earlyStopping: _e, ...rest } = config;
    const before = { ...rest, split: oldSplit };
    // Rows as a workbench of schema 9 wrote them: a stored split, a run on it with an epoch and metrics, and a plan.
    const splitId = Number(
      db.prepare(`INSERT INTO splits (dataset_id, kind, validation_fraction, seed, train_count, validation_count, test_count, unassigned_count, assignment_json, created_at) VALUES ('d1', 'random-segment', 0.2, 0, 4, 1, 0, 0, ?, '2025-01-01')`)
        .run(JSON.stringify({ train: [0, 1, 2, 3], validation: [4] })).lastInsertRowid,
    );
    const old = Number(db.prepare(`INSERT INTO runs (name, kind, status, dataset_id, config_json, seed, split_id, created_at) VALUES ('old', 'pretrain', 'done', 'd1', ?, 5, ?, '2025-01-01T00:00:00Z')`).run(JSON.stringify(before), splitId).lastInsertRowid);
    db.prepare(`INSERT INTO epochs (run_id, epoch, loss, val_loss, seconds) VALUES (?, 1, 0.5, 0.6, 1)`).run(old);
    db.prepare(`INSERT INTO metrics (run_id, scope, name, value) VALUES (?, 'overall', 'mae', 0.31), (?, 'overall', 'acc4', 0.7), (?, 'fear', 'f1Weighted', 0.9)`).run(old, old, old);
    const plan = { labelCounts: [20], repeats: 1, pretrain: before, supervised: { ...before, mask: null } };
    const experiment = Number(db.prepare(`INSERT INTO experiments (name, dataset_id, preset, plan_json, status, created_at) VALUES ('old sweep', 'd1', 'quick', ?, 'done', '2025-01-01T00:00:00Z')`).run(JSON.stringify(plan)).lastInsertRowid);

    expect(migrate(db)).toEqual([10, 11, 12]);
    // Foreign keys were switched off for the rebuild only, and every reference still holds.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // The split keeps its id, and the runs on it their link; it has no test part.
    expect(db.prepare('SELECT id, test_fraction, assignment_json FROM splits').all()).toEqual([{ id: splitId, test_fraction: 0, assignment_json: '{"train":[0,1,2,3],"validation":[4]}' }]);
    expect(db.prepare('SELECT split_id FROM runs WHERE id = ?').pluck().get(old)).toBe(splitId);
    // A split differing only by its test share is now a split of its own.
    const splits = new SplitRepository(db);
    expect(splits.sizes('d1', { ...config.split })).toEqual({ train: 4, validation: 1, test: 0 });
    expect(splits.sizes('d1', { ...config.split, testFraction: 0.2 })).toBeNull();
    // Every metric recorded so far was on validation, and still shows as such.
    const runs = new RunRepository(db);
    const detail = runs.detail(old);
    expect(detail).toMatchObject({ maeOverall: 0.31, acc4Overall: 0.7, maeTest: null, acc4Test: null, flags: null, testMetrics: [], predictions: [] });
    expect(detail.metrics).toHaveLength(3);
    expect(detail.epochs).toEqual([{ epoch: 1, loss: 0.5, valLoss: 0.6, seconds: 1, maskedLoss: null, valMaskedLoss: null }]);
    // The configuration and plan read as what the run trained with, in the text a new identical configuration has, so it is still reused.
    const recorded = { ...before, split: { ...oldSplit, testFraction: 0 }, selection: 'last-epoch', earlyStopping: null } as const;
    expect(detail.config).toEqual(recorded);
    expect(runs.findReusablePretrain('d1', recorded)?.id).toBe(old);
    const stored = new ExperimentRepository(db).get(experiment).plan;
    expect([stored.pretrain, stored.supervised].map((c) => [c.split.testFraction, c.selection, c.earlyStopping])).toEqual([[0, 'last-epoch', null], [0, 'last-epoch', null]]);
    // Metrics now name their split: a test metric sits beside the validation one.
    runs.recordMetrics(old, [{ scope: 'overall', name: 'mae', value: 0.4 }], 'test');
    expect(runs.summary(old)).toMatchObject({ maeOverall: 0.31, maeTest: 0.4 });
  });

  it('stop a migration that would break a reference, leaving the store as it was', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    const steps = [
      { version: 1, name: 'a', sql: 'CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id)); INSERT INTO p VALUES (1); INSERT INTO c VALUES (1);' },
      { version: 2, name: 'rebuild losing a row', rebuildsReferencedTable: true, sql: 'CREATE TABLE p2 (id INTEGER PRIMARY KEY); DROP TABLE p; ALTER TABLE p2 RENAME TO p;' },
    ];
    expect(() => migrate(db, steps)).toThrow(/Migration 2 would leave 1 broken references/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare('SELECT count(*) FROM p').pluck().get()).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('refuse a database written by a newer version instead of damaging it', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 99');
    expect(() => migrate(db)).toThrow(/newer version of the workbench/);
  });
});

describe('runs', () => {
  it('record a run with its config, masking columns, epochs and metrics', () => {
    const db = openDatabase(tempDir());
    withDataset(db);
    const runs = new RunRepository(db);
    const run = runs.create({ name: 'r', kind: 'pretrain', datasetId: 'd1', config, splitId: null });
    expect(run.status).toBe('queued');
    runs.markRunning(run.id, 'wasm', 'fallback');
    runs.recordEpoch(run.id, { epoch: 1, loss: 0.5, valLoss: 0.6, seconds: 1.5 });
    runs.recordEpoch(run.id, { epoch: 2, loss: 0.4, valLoss: null, seconds: 1.4 });
    runs.recordMetrics(run.id, [{ scope: 'overall', name: 'mae', value: 0.3 }, { scope: 'fear', name: 'acc4', value: 0.9 }]);
    expect(runs.finish(run.id, 'done')).toBe(true);
    const detail = runs.detail(run.id);
    expect(detail).toMatchObject({ status: 'done', backend: 'wasm', lastLoss: 0.4, maeOverall: 0.3, config });
    expect(detail.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const row = db.prepare('SELECT mask_span, mask_value, mask_loss_scope FROM runs WHERE id = ?').get(run.id);
    expect(row).toEqual({ mask_span: 30, mask_value: -30, mask_loss_scope: 'all-valid' });
  });

  it("keep a run's predictions compactly per split with the flags computed from them, and remove them with the run", () => {
    const db = openDatabase(tempDir());
    withDataset(db);
    const runs = new RunRepository(db);
    const run = runs.create({ name: 'r', kind: 'baseline', datasetId: 'd1', config: { ...config, mask: null }, splitId: null });
    // Two segments; anger predicted absent (bin 0) for both, the rest varied.
    const values = Float32Array.from([0.1, 2, 0.2, 1, 3, 0, 2.6, 0, 0.3, 0, 0.4, 2]);
    runs.recordPredictions(run.id, 'validation', [3, 1], values);
    expect(runs.summary(run.id).flags).toEqual({ split: 'validation', flags: [{ emotion: 'anger', kind: 'single-bin', bin: 0, present: false }] });
    const blobs = db.prepare('SELECT length(segments) AS s, length(predictions) AS p, flagged FROM run_predictions').get();
    expect(blobs).toEqual({ s: 2 * 4, p: 2 * 6 * 4, flagged: 1 });
    // A test split, when there is one, is the one the run reports.
    runs.recordPredictions(run.id, 'test', [0], Float32Array.from([0, 0, 0, 0, 0, 0]));
    expect(runs.summary(run.id).flags?.split).toBe('test');
    const [validation, test] = runs.predictionsOf(run.id);
    expect([Array.from(validation.segments), Array.from(validation.values), test.split]).toEqual([[3, 1], Array.from(values), 'test']);
    expect(runs.detail(run.id).predictions.map((p) => [p.split, p.segments, p.flags.length])).toEqual([['validation', 2, 1], ['test', 1, 6]]);
    expect(() => runs.recordPredictions(run.id, 'test', [0, 1], new Float32Array(6))).toThrow(`Run ${run.id}: 6 predicted values on test for 2 segments; each segment needs 6 (one per emotion).`);
    runs.finish(run.id, 'done');
    new RunHistory(db).delete(run.id);
    expect(db.prepare('SELECT count(*) FROM run_predictions').pluck().get()).toBe(0);
  });

  it('never overwrite a finished run', () => {
    const db = openDatabase(tempDir());
    withDataset(db);
    const runs = new RunRepository(db);
    const run = runs.create({ name: 'r', kind: 'baseline', datasetId: 'd1', config, splitId: null });
    runs.finish(run.id, 'cancelled');
    expect(runs.finish(run.id, 'done')).toBe(false);
    expect(runs.summary(run.id).status).toBe('cancelled');
  });

  it('refuse a run on a dataset that does not exist', () => {
    const runs = new RunRepository(openDatabase(tempDir()));
    expect(() => runs.create({ name: 'r', kind: 'baseline', datasetId: 'nope', config, splitId: null })).toThrow(/FOREIGN KEY/);
  });

  it('mark runs left running by a crash as interrupted at the next start, keeping their epochs', () => {
    const dir = tempDir();
    const first = openDatabase(dir);
    withDataset(first);
    const runs = new RunRepository(first);
    const running = runs.create({ name: 'crashed', kind: 'pretrain', datasetId: 'd1', config, splitId: null });
    runs.markRunning(running.id, 'cpu', 'test');
    runs.recordEpoch(running.id, { epoch: 1, loss: 1, valLoss: 1, seconds: 1 });
    const done = runs.create({ name: 'finished', kind: 'baseline', datasetId: 'd1', config, splitId: null });
    runs.finish(done.id, 'done');
    first.close(); // as if the process had died here

    const second = new RunRepository(new Database(join(dir, DATABASE_FILE)));
    expect(second.markInterrupted()).toBe(1);
    const after = second.detail(running.id);
    expect(after.status).toBe('interrupted');
    expect(after.error).toMatch(/stopped before this run finished/);
    expect(after.epochs).toHaveLength(1);
    expect(second.summary(done.id).status).toBe('done');
  });

  it('leave alone the runs of another workbench process still open on the same data directory', () => {
    const db = openDatabase(tempDir());
    withDataset(db);
    const runs = new RunRepository(db);
    const other = runs.create({ name: 'other process', kind: 'baseline', datasetId: 'd1', config, splitId: null });
    db.prepare('UPDATE runs SET owner_pid = 424242 WHERE id = ?').run(other.id);
    expect(runs.markInterrupted((pid) => pid === 424242)).toBe(0);
    expect(runs.summary(other.id).status).toBe('queued');
    expect(runs.markInterrupted(() => false)).toBe(1);
    expect(runs.summary(other.id).status).toBe('interrupted');
  });

  it('answer not_found for an unknown run', () => {
    expect(() => new RunRepository(openDatabase(tempDir())).detail(42)).toThrow(/does not exist/);
  });
});

describe('datasets', () => {
  it('refuse a duplicate id with a conflict error', () => {
    const db = openDatabase(tempDir());
    withDataset(db);
    expect(() => withDataset(db)).toThrow(/already exists/);
  });
});
