import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MaskConfig, RunKind, RunStatus, TrainConfig } from '@shared/api/entities';
import { experimentPlan } from '@shared/experiments/presets';
import { RunQuery, type RunFilterClause, type RunQueryInput, finishedPretrainsQuery, PRETRAIN_PICKER_LIMIT } from '@shared/history/query';
import { createWorkbench, type Workbench } from '../app/workbench';
import type { ProcessChannel } from '../platform/workerProcesses';
import { DATABASE_FILE, openDatabase } from './database';
import { MIGRATIONS, migrate } from './migrations';
import { DatasetRepository } from './datasets';
import { ExperimentRepository } from './experiments';
import { RunHistory } from './runHistory';
import { RunRepository } from './runs';

const dirs: string[] = [];
const dbs: Database.Database[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wb-history-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  dbs.splice(0).forEach((db) => db.open && db.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const base: TrainConfig = {
  epochs: 3, batchSize: 8, learningRate: 0.001, model: { hiddenUnits: 64, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' }, labels: { count: null, seed: 0 }, seed: 1,
  sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' }, split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null,
  mask: null,
};
const span30: MaskConfig = { spanLength: 30, spanCount: 1, value: -30, lossScope: 'all-valid' };
const span10: MaskConfig = { spanLength: 10, spanCount: 2, value: 0, lossScope: 'masked-only' };

interface RunSpec {
  name: string;
  kind: RunKind;
  mask?: MaskConfig | null;
  labels?: number | null;
  seed?: number;
  hiddenUnits?: number;
  learningRate?: number;
  losses?: number[];
  mae?: number;
  acc4?: number;
  status?: Extract<RunStatus, 'done' | 'failed' | 'cancelled'> | 'running' | 'queued';
  parentRunId?: number;
  experiment?: { id: number; repeat: number | null };
}

/** A store on disk with one dataset, and runs made the way training makes them. */
function store() {
  const db = openDatabase(tempDir());
  dbs.push(db);
  new DatasetRepository(db).insert({ id: 'd1', name: 'test', source: 'synthetic', segments: 1, videos: 1, frames: 1, features: 74, nonFiniteReplaced: 0, fingerprint: 'f', params: {} });
  const runs = new RunRepository(db);
  const history = new RunHistory(db);
  const make = (s: RunSpec): number => {
    const config: TrainConfig = {
      ...base,
      seed: s.seed ?? 1,
      learningRate: s.learningRate ?? 0.001,
      mask: s.mask ?? null,
      model: { ...base.model, hiddenUnits: s.hiddenUnits ?? 64 },
      labels: { count: s.labels ?? null, seed: 0 },
    };
    const { id } = runs.create({ name: s.name, kind: s.kind, datasetId: 'd1', parentRunId: s.parentRunId ?? null, config, splitId: null, experiment: s.experiment });
    if (s.status === 'queued') return id;
    runs.markRunning(id, 'cpu', 'test');
    (s.losses ?? [1, 0.5]).forEach((loss, i) => runs.recordEpoch(id, { epoch: i + 1, loss, valLoss: null, seconds: 1 }));
    if (s.mae !== undefined) runs.recordMetrics(id, [{ scope: 'overall', name: 'mae', value: s.mae }, { scope: 'overall', name: 'acc4', value: s.acc4 ?? 0.3 }, { scope: 'fear', name: 'mae', value: 0.9 }]);
    if (s.status !== 'running') runs.finish(id, s.status ?? 'done');
    return id;
  };
  return { db, runs, history, make };
}

/** Six runs with distinct kinds, masks, label counts, seeds, models and metrics. */
function sweep() {
  const s = store();
  const A = s.make({ name: 'pretrain span30', kind: 'pretrain', mask: span30, seed: 1, hiddenUnits: 64, losses: [0.9, 0.5] });
  const B = s.make({ name: 'pretrain span10', kind: 'pretrain', mask: span10, seed: 2, hiddenUnits: 128, learningRate: 0.0005, losses: [0.8, 0.6] });
  const C = s.make({ name: 'finetune n=50', kind: 'finetune', parentRunId: A, labels: 50, seed: 1, mae: 0.4, acc4: 0.35 });
  const D = s.make({ name: 'finetune n=200', kind: 'finetune', parentRunId: A, labels: 200, seed: 2, mae: 0.3, acc4: 0.45 });
  const E = s.make({ name: 'baseline n=200', kind: 'baseline', labels: 200, seed: 3, hiddenUnits: 256, learningRate: 0.003, mae: 0.35, acc4: 0.4 });
  const F = s.make({ name: 'baseline n=50 failed', kind: 'baseline', labels: 50, seed: 4, status: 'failed', losses: [1.2] });
  const ids = (q: RunQueryInput = {}) => s.history.query(RunQuery.parse(q)).rows.map((r) => r.id);
  const where = (...filters: RunQueryInput['filters'] & object) => ids({ filters }).sort((a, b) => a - b);
  return { ...s, A, B, C, D, E, F, ids, where };
}

describe('the fine-tune form\'s pre-training picker', () => {
  it('finds a finished pre-training from 2,000 runs ago on the chosen dataset, by a word of its name, archived or not', () => {
    const s = store();
    const old = s.make({ name: 'pretrain span30 spring', kind: 'pretrain', mask: span30 });
    s.history.update(old, { archived: true });
    s.make({ name: 'pretrain still running', kind: 'pretrain', mask: span30, status: 'running' });
    const insert = s.db.transaction(() => {
      for (let i = 0; i < 2000; i++) s.make({ name: `sweep run ${i}`, kind: i % 10 ? 'baseline' : 'pretrain', mask: i % 10 ? null : span10, losses: [1] });
    });
    insert();
    const found = (search?: string) => s.history.query(RunQuery.parse(finishedPretrainsQuery('d1', search)));
    // All finished pre-trainings match; the first page holds the newest, and says how many there are.
    expect(found().total).toBe(201);
    expect(found().rows).toHaveLength(PRETRAIN_PICKER_LIMIT);
    expect(found('spring').rows.map((r) => r.id)).toEqual([old]);
    expect(found('running').rows).toEqual([]);
    expect(s.history.query(RunQuery.parse(finishedPretrainsQuery('other-dataset'))).total).toBe(0);
  });
});

describe('run history: filters', () => {
  it('apply every operator to fixed columns, with missing values counting as "not equal"', () => {
    const { A, B, C, D, E, F, where } = sweep();
    expect(where({ field: 'kind', op: 'eq', value: 'finetune' })).toEqual([C, D]);
    expect(where({ field: 'kind', op: 'neq', value: 'finetune' })).toEqual([A, B, E, F]);
    // Fine-tunes C and D carry their encoder A's 30-step masking; baselines have none.
    expect(where({ field: 'maskSpan', op: 'neq', value: 30 })).toEqual([B, E, F]);
    expect(where({ field: 'maskSpan', op: 'eq', value: 30 })).toEqual([A, C, D]);
    expect(where({ field: 'mae', op: 'lt', value: 0.35 })).toEqual([D]);
    expect(where({ field: 'mae', op: 'lte', value: 0.35 })).toEqual([D, E]);
    expect(where({ field: 'mae', op: 'gt', value: 0.35 })).toEqual([C]);
    expect(where({ field: 'mae', op: 'gte', value: 0.35 })).toEqual([C, E]);
    expect(where({ field: 'name', op: 'contains', value: 'n=2' })).toEqual([D, E]);
    expect(where({ field: 'mae', op: 'isNull' })).toEqual([A, B, F]);
    expect(where({ field: 'mae', op: 'notNull' })).toEqual([C, D, E]);
    expect(where({ field: 'mae', op: 'eq', value: null })).toEqual([A, B, F]);
    expect(where({ field: 'status', op: 'eq', value: 'failed' })).toEqual([F]);
    expect(where({ field: 'labelCount', op: 'gte', value: 200 })).toEqual([D, E]);
    expect(where({ field: 'seed', op: 'eq', value: 2 })).toEqual([B, D]);
    expect(where({ field: 'maskLossScope', op: 'eq', value: 'masked-only' })).toEqual([B]);
    expect(where({ field: 'maskValue', op: 'lt', value: -1 })).toEqual([A, C, D]);
    expect(where({ field: 'lastLoss', op: 'gt', value: 0.55 })).toEqual([B, F]);
    expect(where({ field: 'epochs', op: 'eq', value: 3 })).toEqual([A, B, C, D, E, F]);
    // Clauses combine with AND.
    expect(where({ field: 'kind', op: 'eq', value: 'baseline' }, { field: 'labelCount', op: 'eq', value: 200 })).toEqual([E]);
  });

  it('reach any leaf of the config by its path, numbers compared as numbers', () => {
    const { A, B, C, D, E, F, where } = sweep();
    expect(where({ field: 'config.mask.spanLength', op: 'eq', value: 30 })).toEqual([A]);
    expect(where({ field: 'config.mask.spanCount', op: 'gte', value: 2 })).toEqual([B]);
    expect(where({ field: 'config.mask', op: 'isNull' })).toEqual([C, D, E, F]);
    expect(where({ field: 'config.mask.spanLength', op: 'notNull' })).toEqual([A, B]);
    expect(where({ field: 'config.mask.spanLength', op: 'neq', value: 30 })).toEqual([B, C, D, E, F]);
    expect(where({ field: 'config.model.hiddenUnits', op: 'eq', value: 256 })).toEqual([E]);
    expect(where({ field: 'config.model.hiddenUnits', op: 'gt', value: 64 })).toEqual([B, E]);
    expect(where({ field: 'config.model.hiddenUnits', op: 'lte', value: 64 })).toEqual([A, C, D, F]);
    expect(where({ field: 'config.learningRate', op: 'lt', value: 0.001 })).toEqual([B]);
    expect(where({ field: 'config.learningRate', op: 'contains', value: '0.003' })).toEqual([E]);
    expect(where({ field: 'config.mask.lossScope', op: 'eq', value: 'masked-only' })).toEqual([B]);
    expect(where({ field: 'config.labels.count', op: 'eq', value: 200 })).toEqual([D, E]);
    expect(where({ field: 'config.no.such.path', op: 'notNull' })).toEqual([]);
  });

  it('refuse an ordering operator without a value', () => {
    const { history } = sweep();
    expect(() => history.query(RunQuery.parse({ filters: [{ field: 'mae', op: 'lt' }] }))).toThrow(expect.objectContaining({ code: 'invalid_params' }));
  });
});

describe('run history: search', () => {
  it('needs every word somewhere in the name, notes or tags, case-insensitively', () => {
    const { history, C, D, E, ids } = sweep();
    history.update(D, { notes: 'reran after the padding fix' });
    history.update(E, { tags: ['keeper'] });
    expect(ids({ search: 'FINETUNE' }).sort()).toEqual([C, D].sort());
    expect(ids({ search: 'finetune 200' })).toEqual([D]);
    expect(ids({ search: '  n=200   reran ' })).toEqual([D]);
    expect(ids({ search: 'baseline keeper' })).toEqual([E]);
    expect(ids({ search: 'keeper reran' })).toEqual([]);
    expect(ids({ search: '   ' })).toHaveLength(6);
  });

  it('take %, _ and \\ literally', () => {
    const { history, B, C, D, E, ids } = sweep();
    history.update(C, { notes: 'kept 50% of the labels' });
    history.update(D, { notes: 'reran with batch_size 16' });
    history.update(B, { notes: 'batchXsize was wrong' });
    history.update(E, { notes: 'checkpoint copied to C:\\tmp\\e' });
    // As wildcards, '50%' would match every "n=50" name and '_' any character.
    expect(ids({ search: '50%' })).toEqual([C]);
    expect(ids({ search: '%' })).toEqual([C]);
    expect(ids({ search: 'batch_size' })).toEqual([D]);
    expect(ids({ search: '_' })).toEqual([D]);
    expect(ids({ search: 'C:\\tmp' })).toEqual([E]);
    expect(ids({ search: '\\' })).toEqual([E]);
    expect(ids({ search: 'tmp\\e' })).toEqual([E]);
  });
});

describe('run history: sort and pages', () => {
  it('sort by a metric with missing values last in both directions, ties by newest first', () => {
    const { A, B, C, D, E, F, ids } = sweep();
    expect(ids({ sort: { field: 'mae', direction: 'asc' } })).toEqual([D, E, C, F, B, A]);
    expect(ids({ sort: { field: 'mae', direction: 'desc' } })).toEqual([C, E, D, F, B, A]);
    expect(ids({ sort: { field: 'maskSpan', direction: 'asc' } })).toEqual([B, D, C, A, F, E]);
    expect(ids({ sort: { field: 'config.model.hiddenUnits', direction: 'desc' } })).toEqual([E, B, F, D, C, A]);
    expect(ids()).toEqual([F, E, D, C, B, A]);
    expect(ids({ sort: { field: 'id', direction: 'asc' } })).toEqual([A, B, C, D, E, F]);
    expect(ids({ sort: { field: 'name', direction: 'asc' } })).toEqual([E, F, D, C, B, A]);
  });

  it('sort and filter on the test metrics and on the number of flagged emotions, without mixing in validation', () => {
    const { runs, history, make } = store();
    const a = make({ name: 'a', kind: 'baseline', mae: 0.1 });
    const b = make({ name: 'b', kind: 'baseline', mae: 0.2 });
    const c = make({ name: 'c', kind: 'baseline', mae: 0.3 });
    runs.recordMetrics(a, [{ scope: 'overall', name: 'mae', value: 0.9 }], 'test');
    runs.recordMetrics(b, [{ scope: 'overall', name: 'mae', value: 0.5 }], 'test');
    // a: anger constant on test; b: none flagged; c: no predictions stored.
    runs.recordPredictions(a, 'test', [0, 1], Float32Array.from([0, 1, 0.1, 1, 1, 1, 1, 0, 0.2, 0, 0, 0]));
    runs.recordPredictions(b, 'test', [0, 1], Float32Array.from([0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0]));
    const ids = (q: RunQueryInput) => history.query(RunQuery.parse(q)).rows.map((r) => r.id);
    expect(ids({ sort: { field: 'maeTest', direction: 'asc' } })).toEqual([b, a, c]);
    expect(ids({ sort: { field: 'mae', direction: 'asc' } })).toEqual([a, b, c]);
    expect(ids({ filters: [{ field: 'flagged', op: 'gt', value: 0 }] })).toEqual([a]);
    expect(ids({ filters: [{ field: 'flagged', op: 'isNull' }] })).toEqual([c]);
    expect(history.query(RunQuery.parse({ sort: { field: 'flagged', direction: 'desc' } })).rows.map((r) => [r.id, r.flags?.flags.map((f) => f.emotion) ?? null])).toEqual([[a, ['anger']], [b, []], [c, null]]);
  });

  it('page through the matches, each page saying how many there are in all', () => {
    const { ids, history } = sweep();
    const all = ids({ sort: { field: 'acc4', direction: 'desc' } });
    const page = (offset: number) => history.query(RunQuery.parse({ sort: { field: 'acc4', direction: 'desc' }, limit: 4, offset }));
    expect(page(0)).toMatchObject({ total: 6 });
    expect([...page(0).rows, ...page(4).rows].map((r) => r.id)).toEqual(all);
    expect(page(4).rows).toHaveLength(2);
    expect(page(10)).toEqual({ rows: [], total: 6 });
    // The total counts every match, not the page; with a headline filter and without.
    expect(history.query(RunQuery.parse({ filters: [{ field: 'mae', op: 'notNull' }], limit: 1 }))).toMatchObject({ total: 3, rows: [expect.anything()] });
    expect(history.query(RunQuery.parse({ filters: [{ field: 'kind', op: 'neq', value: 'pretrain' }], limit: 1 })).total).toBe(4);
  });
});

describe('run history: annotations', () => {
  it('hide archived runs by default, or show only them, or both', () => {
    const { history, E, ids } = sweep();
    history.update(E, { archived: true });
    expect(ids()).not.toContain(E);
    expect(ids({ archived: 'only' })).toEqual([E]);
    expect(ids({ archived: 'include' })).toHaveLength(6);
    expect(history.query(RunQuery.parse({ archived: 'only' })).rows[0]).toMatchObject({ archived: true });
    history.update(E, { archived: false });
    expect(ids()).toContain(E);
  });

  it('replace tags whole, drop duplicates, and filter on them', () => {
    const { history, runs, A, B, C, D, E, F, where } = sweep();
    history.update(C, { tags: ['b', 'a', 'b'] });
    expect(runs.summary(C).tags).toEqual(['a', 'b']);
    history.update(C, { tags: ['c'] });
    expect(runs.summary(C).tags).toEqual(['c']);
    history.update(D, { tags: ['c', 'keep'], name: 'renamed', notes: 'a note' });
    expect(runs.summary(D)).toMatchObject({ tags: ['c', 'keep'], name: 'renamed', notes: 'a note' });
    expect(where({ field: 'tags', op: 'eq', value: 'c' })).toEqual([C, D]);
    expect(where({ field: 'tags', op: 'neq', value: 'c' })).toEqual([A, B, E, F]);
    expect(where({ field: 'tags', op: 'contains', value: 'ee' })).toEqual([D]);
    expect(where({ field: 'tags', op: 'isNull' })).toEqual([A, B, E, F]);
    expect(where({ field: 'tags', op: 'eq', value: null })).toEqual([A, B, E, F]);
    expect(where({ field: 'tags', op: 'neq', value: null })).toEqual([C, D]);
    expect(history.query(RunQuery.parse({ filters: [{ field: 'tags', op: 'eq', value: 'c' }], limit: 1 })).total).toBe(2);
    history.update(D, { tags: [] });
    expect(runs.summary(D).tags).toEqual([]);
  });

  it('answer not_found when updating a run that does not exist', () => {
    const { history } = sweep();
    expect(() => history.update(999, { notes: 'x' })).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});

describe('run history: facets', () => {
  it('list the stored values, tags and config fields the filters can offer', () => {
    const { history, C, E } = sweep();
    history.update(C, { tags: ['paper', 'keep'] });
    history.update(E, { tags: ['keep'], archived: true });
    const f = history.facets();
    // The active runs: E is archived.
    expect(f.total).toBe(5);
    expect(f.tags).toEqual(['keep', 'paper']);
    expect(f.values.kind).toEqual(['baseline', 'finetune', 'pretrain']);
    expect(f.values.status).toEqual(['done', 'failed']);
    expect(f.values.maskSpan).toEqual([null, 10, 30]);
    expect(f.values.labelCount).toEqual([null, 50, 200]);
    // Seeds are typed as numbers (there can be thousands), not offered as a menu.
    expect(f.values.seed).toBeUndefined();
    expect(f.values.epochs).toEqual([3]);
    expect(f.values.dataset).toEqual(['d1']);
    // Both config shapes: a masked pre-training run's leaves and a baseline's null mask.
    expect(f.configFields).toEqual(expect.arrayContaining(['config.mask', 'config.mask.spanLength', 'config.mask.lossScope', 'config.model.hiddenUnits', 'config.learningRate', 'config.labels.count', 'config.sequence.maxFrames']));
    expect(f.configFields).toEqual([...f.configFields].sort());
  });
});

describe('run history: delete', () => {
  it('refuse a run that is queued or running', () => {
    const { history, runs, make } = sweep();
    const running = make({ name: 'busy', kind: 'baseline', labels: 50, status: 'running' });
    const queued = make({ name: 'waiting', kind: 'baseline', labels: 50, status: 'queued' });
    expect(() => history.delete(running)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringMatching(/is running\. Cancel it first/) }));
    expect(() => history.delete(queued)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringMatching(/is queued/) }));
    expect(runs.summary(running).status).toBe('running');
  });

  it('refuse a pre-training run that fine-tunes still use, naming them', () => {
    const { history, runs, A, C, D } = sweep();
    expect(() => history.delete(A)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining(`2 fine-tunes (#${C}, #${D})`) }));
    expect(runs.summary(A).id).toBe(A);
    history.delete(C);
    history.delete(D);
    history.delete(A);
    expect(() => runs.summary(A)).toThrow(/does not exist/);
  });

  it("refuse an experiment's pre-training run, and any run of an experiment still running", () => {
    const { db, history, runs, make } = sweep();
    const experiments = new ExperimentRepository(db);
    const done = experiments.create('finished sweep', 'd1', 'quick', experimentPlan('quick'));
    const pretrain = make({ name: 'exp pretrain', kind: 'pretrain', mask: span30, experiment: { id: done.id, repeat: null } });
    experiments.setPretrainRun(done.id, pretrain);
    const finishedBaseline = make({ name: 'exp baseline', kind: 'baseline', labels: 20, experiment: { id: done.id, repeat: 0 } });
    experiments.finish(done.id, 'done');
    expect(() => history.delete(pretrain)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringMatching(/pre-training run of experiment .*"finished sweep"/) }));

    const running = experiments.create('live sweep', 'd1', 'quick', experimentPlan('quick'));
    const baseline = make({ name: 'live baseline', kind: 'baseline', labels: 20, experiment: { id: running.id, repeat: 0 } });
    expect(() => history.delete(baseline)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringMatching(/"live sweep", which is running .*Cancel the experiment first/) }));
    experiments.finish(running.id, 'cancelled');
    history.delete(baseline);
    // A finished experiment's other runs may go.
    history.delete(finishedBaseline);
    expect(runs.ofExperiment(done.id).map((r) => r.id)).toEqual([pretrain]);
  });

  it('remove the run with its epochs, metrics and tags', () => {
    const { db, history, runs, D, ids } = sweep();
    history.update(D, { tags: ['x', 'y'], notes: 'gone soon' });
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE run_id = ?`).get(D) as { n: number }).n;
    expect([count('epochs'), count('metrics'), count('run_tags')]).toEqual([2, 3, 2]);
    history.delete(D);
    expect([count('epochs'), count('metrics'), count('run_tags')]).toEqual([0, 0, 0]);
    expect(() => runs.summary(D)).toThrow(/does not exist/);
    expect(ids({ archived: 'include' })).not.toContain(D);
    expect(history.facets().tags).toEqual([]);
    expect(() => history.delete(D)).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});

describe('run history: hostile fields', () => {
  const hostile = "config.a') OR 1=1 --";

  it('are refused by the query schema', () => {
    const filter = (field: string): RunQueryInput => ({ filters: [{ field, op: 'eq', value: 1 } as RunFilterClause] });
    expect(RunQuery.safeParse(filter(hostile)).success).toBe(false);
    expect(RunQuery.safeParse(filter('name; DROP TABLE runs')).success).toBe(false);
    expect(RunQuery.safeParse(filter('config')).success).toBe(false);
    expect(RunQuery.safeParse(filter('config.__proto__')).success).toBe(false);
    expect(RunQuery.safeParse({ sort: { field: hostile, direction: 'asc' } }).success).toBe(false);
    expect(RunQuery.safeParse(filter('config.mask.spanLength')).success).toBe(true);
  });

  it('never reach SQL even when the schema is bypassed', () => {
    const { db, history } = sweep();
    const prepare = vi.spyOn(db, 'prepare');
    const valid = RunQuery.parse({});
    const bypass = (q: object) => () => history.query({ ...valid, ...q } as RunQuery);
    expect(bypass({ filters: [{ field: hostile, op: 'eq', value: 1 }] })).toThrow(expect.objectContaining({ code: 'invalid_params' }));
    expect(bypass({ sort: { field: hostile, direction: 'asc' } })).toThrow(expect.objectContaining({ code: 'invalid_params' }));
    expect(bypass({ filters: [{ field: 'name; DROP TABLE runs', op: 'isNull', value: null }] })).toThrow(expect.objectContaining({ code: 'invalid_params' }));
    expect(prepare).not.toHaveBeenCalled();
    prepare.mockRestore();
    expect(history.query(valid).total).toBe(6);
  });
});

describe('runs.delete through the workbench', () => {
  const silentProcess = (): ProcessChannel => ({ send: () => undefined, onMessage: () => undefined, onExit: () => undefined, kill: () => undefined });
  const open: Workbench[] = [];
  afterEach(() => open.splice(0).forEach((wb) => wb.close()));

  it("removes the run's folder with it, and leaves it when the delete is refused", async () => {
    const dir = tempDir();
    const wb = await createWorkbench({ dataDir: dir, mode: 'browser', spawnProcess: silentProcess });
    open.push(wb);
    // A second connection on the same store (WAL) writes the runs as a training process would.
    const db = new Database(join(dir, DATABASE_FILE));
    dbs.push(db);
    db.pragma('foreign_keys = ON');
    const runs = new RunRepository(db);
    const datasetId = (db.prepare('SELECT id FROM datasets LIMIT 1').get() as { id: string }).id;
    const create = (kind: RunKind, parentRunId: number | null) => {
      const { id } = runs.create({ name: kind, kind, datasetId, parentRunId, config: { ...base, mask: kind === 'pretrain' ? span30 : null }, splitId: null });
      runs.finish(id, 'done');
      const folder = join(dir, 'runs', String(id));
      mkdirSync(join(folder, 'checkpoint'), { recursive: true });
      writeFileSync(join(folder, 'checkpoint', 'weights.bin'), 'w');
      return { id, folder };
    };
    const pretrain = create('pretrain', null);
    const finetune = create('finetune', pretrain.id);
    mkdirSync(`${finetune.folder}.old`);

    expect(await wb.dispatch('runs.delete', { id: pretrain.id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(existsSync(pretrain.folder)).toBe(true);

    expect(await wb.dispatch('runs.delete', { id: finetune.id })).toEqual({ ok: true, result: { id: finetune.id, filesRemoved: true } });
    expect(existsSync(finetune.folder)).toBe(false);
    expect(existsSync(`${finetune.folder}.old`)).toBe(false);
    expect(await wb.dispatch('runs.get', { id: finetune.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    expect(await wb.dispatch('runs.delete', { id: pretrain.id })).toEqual({ ok: true, result: { id: pretrain.id, filesRemoved: true } });
    expect(existsSync(pretrain.folder)).toBe(false);
    expect(existsSync(join(dir, 'runs'))).toBe(true);

    // The contract checks fields before the handler runs; unknown ids come back as not_found.
    expect(await wb.dispatch('runs.query', { filters: [{ field: "config.a') OR 1=1 --", op: 'eq', value: 1 }] })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(await wb.dispatch('runs.update', { id: 999, notes: 'x' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await wb.dispatch('runs.delete', { id: 999 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe("fine-tunes and their encoder's masking", () => {
  it('record the parent pre-training masking at creation, and migration 8 fills it in for older fine-tunes', () => {
    const { db, runs, make } = store();
    const A = make({ name: 'pretrain', kind: 'pretrain', mask: span10 });
    const C = make({ name: 'finetune', kind: 'finetune', parentRunId: A, labels: 20 });
    expect(runs.summary(C).pretrainMask).toEqual(span10);
    expect(runs.summary(C).config.mask).toBeNull();
    // A store from before migration 8: the fine-tune's mask columns are empty.
    db.prepare('UPDATE runs SET mask_span = NULL, mask_count = NULL, mask_value = NULL, mask_loss_scope = NULL WHERE id = ?').run(C);
    db.pragma('user_version = 7');
    expect(runs.summary(C).pretrainMask).toBeNull();
    expect(migrate(db, MIGRATIONS.slice(0, 8))).toEqual([8]);
    expect(runs.summary(C).pretrainMask).toEqual(span10);
  });
});
