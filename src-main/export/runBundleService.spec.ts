import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunKind, TrainConfig } from '@shared/api/entities';
import { WorkbenchError } from '@shared/api/contract';
import { DatasetService } from '../data/datasetService';
import type { SyntheticParams } from '../data/synthetic';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { RunHistory } from '../store/runHistory';
import { RunRepository } from '../store/runs';
import { SplitRepository } from '../store/splits';
import { runDir } from '../training/trainingService';
import { saveCheckpoint } from '../training/model/checkpoint';
import { PaperModel } from '../training/model/paperModel';
import { sealBundle, type BundleBody } from './runBundleFormat';
import { RunBundleService, type RunBundleDeps } from './runBundleService';

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), `wb-bundle-${prefix}-`));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const SERVER_DATA: SyntheticParams = { seed: 1, segments: 30, segmentsPerVideo: 5, minFrames: 20, maxFrames: 30 };
const OTHER_DATA: SyntheticParams = { ...SERVER_DATA, seed: 2 };

const config: TrainConfig = {
  epochs: 2, batchSize: 8, learningRate: 0.001, model: { hiddenUnits: 4, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' }, labels: { count: null, seed: 0 }, seed: 5,
  sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' }, split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null,
  mask: { spanLength: 5, spanCount: 1, value: -30, lossScope: 'all-valid' },
};

/** A data directory with one synthetic dataset; `datasetId` differs between machines to show datasets match by fingerprint. */
async function machine(name: string, datasetId: string, data = SERVER_DATA, deps: Partial<RunBundleDeps> = {}) {
  const dir = tempDir(name);
  const db = openDatabase(dir);
  const runs = new RunRepository(db);
  const datasets = new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db));
  await datasets.ensureSynthetic(datasetId, `Synthetic ${name}`, data);
  datasets.list(); // computes the default split now, so snapshots taken later see it
  const service = new RunBundleService({ db, runs, datasets, dataDir: dir, ...deps });
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  /** Everything an import could leave behind: rows of every table a run touches, and the runs folder. */
  const snapshot = () => ({
    tables: ['runs', 'epochs', 'metrics', 'run_tags', 'splits', 'run_predictions'].map(count),
    files: existsSync(join(dir, 'runs')) ? readdirSync(join(dir, 'runs')).sort() : [],
  });
  const ownerPid = (id: number) => (db.prepare('SELECT owner_pid FROM runs WHERE id = ?').get(id) as { owner_pid: number | null }).owner_pid;
  return { dir, db, runs, datasets, service, datasetId, snapshot, ownerPid };
}
type Machine = Awaited<ReturnType<typeof machine>>;

/**
 * Checkpoint files of each kind as training writes them (saveCheckpoint of the paper's model
 * after one Adam step), made once: weights, and the optimizer state of runs that have one.
 */
const checkpoints = new Map<RunKind, Record<string, Buffer>>();
beforeAll(async () => {
  await tf.setBackend('cpu');
  for (const kind of ['pretrain', 'finetune', 'baseline'] as const) {
    const dir = tempDir(`checkpoint-${kind}`);
    const model = PaperModel.initial(config.model, config.seed, config.initialisation);
    const variables = kind === 'pretrain' ? model.encoder.variables() : kind === 'finetune' ? model.head.variables() : model.variables();
    const optimizer = kind === 'finetune' ? null : tf.train.adam(0.01);
    optimizer?.minimize(() => tf.addN(variables.map((v) => tf.sum(tf.square(v)))) as tf.Scalar, false, variables);
    await saveCheckpoint(join(dir, 'ckpt'), model.byName(variables), optimizer, { epoch: 2 });
    checkpoints.set(kind, Object.fromEntries(readdirSync(join(dir, 'ckpt')).filter((n) => n !== 'state.json').map((n) => [n, readFileSync(join(dir, 'ckpt', n))])));
    optimizer?.dispose();
    model.dispose();
  }
});
const STATS = { mean: Array.from({ length: 74 }, (_, i) => i / 10), std: Array.from({ length: 74 }, () => 1.5) };

/** A run recorded as the trainer would, with its checkpoint (weights, optimizer state, state) and an encoder cache. */
function trainedRun(m: Machine, kind: RunKind, options: { parentRunId?: number; status?: 'done' | 'failed' | 'interrupted'; name?: string } = {}) {
  const runConfig = kind === 'pretrain' ? config : { ...config, mask: null, labels: { count: 4, seed: 2 } };
  const run = m.runs.create({ name: options.name ?? `${kind} quick`, kind, datasetId: m.datasetId, parentRunId: options.parentRunId ?? null, config: runConfig, splitId: m.datasets.split(m.datasetId, config.split).id });
  m.runs.markRunning(run.id, 'cpu', 'test backend');
  m.runs.recordEpoch(run.id, { epoch: 1, loss: 1.5, valLoss: 1.25, seconds: 0.5 });
  m.runs.recordEpoch(run.id, { epoch: 2, loss: 1.125, valLoss: null, seconds: 0.25 });
  m.runs.recordMetrics(run.id, kind === 'pretrain' ? [{ scope: 'overall', name: 'reconstructionMse', value: 0.875 }] : [{ scope: 'overall', name: 'mae', value: 0.5 }, { scope: 'anger', name: 'f1', value: 0.625 }]);
  if (kind !== 'pretrain') {
    // Predictions on validation, as the trainer reports them: anger always in bin 0, the rest varied.
    const { validation } = m.datasets.split(m.datasetId, config.split).assignment;
    m.runs.recordPredictions(run.id, 'validation', validation, Float32Array.from({ length: validation.length * 6 }, (_, k) => (k % 6 === 2 ? 0.125 : (k % 7) * 0.5)));
  }
  new RunHistory(m.db).update(run.id, { notes: `Notes of ${kind} — with "quotes"`, tags: ['server', kind] });
  const dir = runDir(m.dir, run.id);
  mkdirSync(join(dir, 'encoded'), { recursive: true });
  for (const [name, bytes] of Object.entries(checkpoints.get(kind)!)) writeFileSync(join(dir, name), bytes);
  const state = kind === 'finetune' ? { epoch: 2, parentRunDir: runDir(m.dir, options.parentRunId!) } : { epoch: 2, stats: STATS };
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
  writeFileSync(join(dir, 'encoded', 'cache.f32'), randomBytes(100));
  if (options.status === 'interrupted') m.runs.markInterrupted(() => false);
  else m.runs.finish(run.id, options.status ?? 'done', options.status === 'failed' ? 'Out of memory' : null);
  return run.id;
}

const filesOf = (m: Machine, id: number) => (existsSync(runDir(m.dir, id)) ? readdirSync(runDir(m.dir, id)).sort() : []);
const bytesOf = (m: Machine, id: number, name: string) => readFileSync(join(runDir(m.dir, id), name));

async function exported(m: Machine, id: number): Promise<string> {
  return (await m.service.exportBundle(id, undefined)).content!;
}

/** The bundle changed and sealed again with a valid checksum, so only the change is wrong. */
function resealed(text: string, change: (body: BundleBody & Record<string, unknown>) => void): string {
  const { sha256: _sha256, ...body } = JSON.parse(text) as BundleBody & { sha256: string };
  change(body);
  return sealBundle(body);
}

async function importError(m: Machine, source: { path?: string; content?: string; asCopy?: boolean }): Promise<WorkbenchError> {
  const err = await m.service.importBundle({ asCopy: false, ...source }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkbenchError);
  return err as WorkbenchError;
}

describe('run bundles', () => {
  it('carry a run from one data directory to another: records, annotations, byte-identical weights, provenance', async () => {
    const server = await machine('server', 'mosei-server');
    const laptop = await machine('laptop', 'mosei-laptop');
    const id = trainedRun(server, 'pretrain');
    const out = tempDir('out');
    const saved = await server.service.exportBundle(id, join(out, 'chosen name.json'));
    // The name chosen in the save dialog is kept as typed; only names the workbench makes up are sanitised.
    expect(saved).toMatchObject({ path: join(out, 'chosen name.json'), content: null });
    expect((await server.service.exportBundle(id, undefined)).fileName).toBe(`run-${id}-pretrain-quick.mosei-run.json`);

    const { runs } = await laptop.service.importBundle({ path: saved.path!, asCopy: false });
    expect(runs).toHaveLength(1);
    const [copy, original] = [laptop.runs.detail(runs[0].id), server.runs.detail(id)];
    const same = ['name', 'kind', 'status', 'config', 'seed', 'backend', 'backendReason', 'createdAt', 'startedAt', 'finishedAt', 'error', 'labelCount', 'notes', 'tags', 'epochs', 'metrics'] as const;
    for (const key of same) expect(copy[key], key).toEqual(original[key]);
    expect(copy).toMatchObject({ datasetId: 'mosei-laptop', parentRunId: null, experimentId: null, archived: false });
    expect(copy.origin).toMatchObject({ sourceRunId: id, sourceDataDir: resolve(server.dir), workbenchVersion: expect.any(String), bundleSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Date.parse(copy.origin!.importedAt)).toBeGreaterThanOrEqual(Date.parse(copy.origin!.exportedAt));
    // Start-up recovery leaves it alone: it has no owner process and stays done.
    expect(laptop.ownerPid(copy.id)).toBeNull();
    expect(laptop.runs.markInterrupted(() => false)).toBe(0);
    expect(laptop.runs.summary(copy.id).status).toBe('done');
    // The checkpoint, not the optimizer state (a done run is never resumed) nor the encoder cache.
    expect(filesOf(laptop, copy.id)).toEqual(['state.json', 'weights.bin', 'weights.json']);
    for (const name of filesOf(laptop, copy.id)) expect(bytesOf(laptop, copy.id, name).equals(bytesOf(server, id, name)), name).toBe(true);
  });

  it("carry a supervised run's test metrics and per-segment predictions, with the flags computed from them", async () => {
    const server = await machine('server', 'mosei-server');
    const laptop = await machine('laptop', 'mosei-laptop');
    const id = trainedRun(server, 'baseline');
    server.runs.recordMetrics(id, [{ scope: 'overall', name: 'mae', value: 0.625 }], 'test');
    server.runs.recordPredictions(id, 'test', [0, 3], Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1, 2, 3, 0, 1, 2]));
    const [copy] = (await laptop.service.importBundle({ content: await exported(server, id), asCopy: false })).runs;
    const [original, imported] = [server.runs.detail(id), laptop.runs.detail(copy.id)];
    expect(imported.testMetrics).toEqual(original.testMetrics);
    expect(imported.predictions).toEqual(original.predictions);
    expect(imported.predictions.map((p) => [p.split, p.segments])).toEqual([['validation', 6], ['test', 2]]);
    expect(imported.flags).toEqual({ split: 'test', flags: original.flags!.flags });
    const values = (m: Machine, run: number) => m.runs.predictionsOf(run).map((p) => ({ ...p, segments: Array.from(p.segments), values: Array.from(p.values) }));
    expect(values(laptop, copy.id)).toEqual(values(server, id));
  });

  it('read a bundle of version 1, from before test metrics and predictions, as a run without them', async () => {
    const server = await machine('server', 'd');
    const laptop = await machine('laptop', 'd');
    const v1 = resealed(await exported(server, trainedRun(server, 'baseline')), (b) => {
      (b as { version: number }).version = 1;
      for (const run of b.runs as Array<Record<string, unknown>>) {
        delete run.testMetrics;
        delete run.predictions;
      }
    });
    const [copy] = (await laptop.service.importBundle({ content: v1, asCopy: false })).runs;
    expect(laptop.runs.detail(copy.id)).toMatchObject({ testMetrics: [], predictions: [], flags: null, status: 'done' });
  });

  it('refuse to import the same run twice unless asked for a copy, naming the run already here', async () => {
    const server = await machine('server', 'd');
    const laptop = await machine('laptop', 'd');
    const baseline = trainedRun(server, 'baseline', { name: 'baseline 20 labels' });
    const content = await exported(server, baseline);
    const [first] = (await laptop.service.importBundle({ content, asCopy: false })).runs;
    const before = laptop.snapshot();
    const err = await importError(laptop, { content });
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(new RegExp(`already here as run #${first.id} "baseline 20 labels".*as a copy`));
    expect(laptop.snapshot()).toEqual(before);
    // Renaming or re-tagging the run on the server does not make it another run.
    new RunHistory(server.db).update(baseline, { name: 'renamed', notes: 'later', tags: ['x'] });
    expect((await importError(laptop, { content: await exported(server, baseline) })).code).toBe('conflict');

    const [copy] = (await laptop.service.importBundle({ content, asCopy: true })).runs;
    expect(copy.id).not.toBe(first.id);
    expect(copy.origin!.bundleSha256).toBe(first.origin!.bundleSha256);
    expect(filesOf(laptop, copy.id)).toEqual(filesOf(laptop, first.id));
  });

  it('bring a fine-tune with its pre-training run, and reuse that run for the next fine-tune of it', async () => {
    const server = await machine('server', 'd');
    const laptop = await machine('laptop', 'd');
    const pretrain = trainedRun(server, 'pretrain');
    const first = trainedRun(server, 'finetune', { parentRunId: pretrain });
    const second = trainedRun(server, 'finetune', { parentRunId: pretrain });

    const one = (await laptop.service.importBundle({ content: await exported(server, first), asCopy: false })).runs;
    expect(one.map((r) => [r.kind, r.origin!.sourceRunId])).toEqual([['pretrain', pretrain], ['finetune', first]]);
    expect(one[1].parentRunId).toBe(one[0].id);
    expect(bytesOf(laptop, one[0].id, 'weights.bin').equals(bytesOf(server, pretrain, 'weights.bin'))).toBe(true);

    const two = (await laptop.service.importBundle({ content: await exported(server, second), asCopy: false })).runs;
    expect(two.map((r) => r.origin!.sourceRunId)).toEqual([second]);
    expect(two[0].parentRunId).toBe(one[0].id);
    expect(laptop.runs.list().filter((r) => r.kind === 'pretrain')).toHaveLength(1);
  });

  it("read a bundle from before Adam's constants and the initialisation were recorded as what its runs trained with", async () => {
    const server = await machine('server', 'd');
    const laptop = await machine('laptop', 'd');
    const old = resealed(await exported(server, trainedRun(server, 'baseline')), (b) => {
      for (const run of b.runs) {
        const config = run.config as Partial<TrainConfig>;
        delete config.adam;
        delete config.initialisation;
      }
    });
    const [copy] = (await laptop.service.importBundle({ content: old, asCopy: false })).runs;
    expect(laptop.runs.summary(copy.id).config).toMatchObject({ adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'orthogonal-per-gate' });
  });

  it('recognise runs exported from this very data directory', async () => {
    const server = await machine('server', 'd');
    const pretrain = trainedRun(server, 'pretrain');
    const finetune = trainedRun(server, 'finetune', { parentRunId: pretrain, name: 'head' });
    const content = await exported(server, finetune);
    const err = await importError(server, { content });
    expect(err.message).toMatch(`already here as run #${finetune} "head"`);
    // A copy of the fine-tune shares the original pre-training run.
    const [copy] = (await server.service.importBundle({ content, asCopy: true })).runs;
    expect(copy).toMatchObject({ kind: 'finetune', parentRunId: pretrain });
  });

  it('carry an interrupted run with its optimizer state, still interrupted, so it can be resumed there', async () => {
    const server = await machine('server', 'd');
    const laptop = await machine('laptop', 'd');
    const id = trainedRun(server, 'pretrain', { status: 'interrupted' });
    const [copy] = (await laptop.service.importBundle({ content: await exported(server, id), asCopy: false })).runs;
    expect(copy).toMatchObject({ status: 'interrupted', error: server.runs.summary(id).error });
    expect(filesOf(laptop, copy.id)).toEqual(['optimizer.bin', 'optimizer.json', 'state.json', 'weights.bin', 'weights.json']);
    expect(laptop.runs.requeue(copy.id)).toBe(true);
  });

  it("carry an interrupted run's kept best-epoch weights so its selection resumes there; a done run's weights already are them", async () => {
    const server = await machine('server', 'd');
    const laptop = await machine('laptop', 'd');
    const copyBest = (id: number) => {
      for (const ext of ['json', 'bin']) writeFileSync(join(runDir(server.dir, id), `best.${ext}`), bytesOf(server, id, `weights.${ext}`).toString(ext === 'json' ? 'utf8' : 'latin1').replace('weights.bin', 'best.bin'), ext === 'json' ? 'utf8' : 'latin1');
    };
    const interrupted = trainedRun(server, 'baseline', { status: 'interrupted' });
    copyBest(interrupted);
    const [resumable] = (await laptop.service.importBundle({ content: await exported(server, interrupted), asCopy: false })).runs;
    expect(filesOf(laptop, resumable.id)).toEqual(['best.bin', 'best.json', 'optimizer.bin', 'optimizer.json', 'state.json', 'weights.bin', 'weights.json']);
    const done = trainedRun(server, 'baseline', { name: 'done, early stopped' });
    copyBest(done);
    // Stopped early after epoch 1 of 2: a done run whose checkpoint is of an earlier epoch.
    server.db.prepare('UPDATE runs SET config_json = json_set(config_json, \'$.earlyStopping\', json(\'{"patience":1}\')) WHERE id = ?').run(done);
    writeFileSync(join(runDir(server.dir, done), 'state.json'), JSON.stringify({ epoch: 1, stats: STATS }));
    const [finished] = (await laptop.service.importBundle({ content: await exported(server, done), asCopy: false })).runs;
    expect(filesOf(laptop, finished.id)).toEqual(['state.json', 'weights.bin', 'weights.json']);
    // Without early stopping the same checkpoint would be of the wrong epoch.
    server.db.prepare('UPDATE runs SET config_json = json_set(config_json, \'$.earlyStopping\', json(\'null\')) WHERE id = ?').run(done);
    expect((await importError(laptop, { content: await exported(server, done), asCopy: true })).message).toMatch(/state\.json says epoch 1, but the run is done, so its checkpoint is of epoch 2/);
  });

  it('refuse to export a run that has not ended, or a done run whose weights are gone', async () => {
    const server = await machine('server', 'd');
    const queued = server.runs.create({ name: 'waiting', kind: 'pretrain', datasetId: 'd', config, splitId: null });
    await expect(server.service.exportBundle(queued.id, undefined)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/is queued\. Export it once it has ended/) });
    const done = trainedRun(server, 'pretrain');
    rmSync(runDir(server.dir, done), { recursive: true });
    await expect(server.service.exportBundle(done, undefined)).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/weights are missing/) });
  });

  describe('refuse bad input with a message saying what to do, and write nothing', () => {
    const cases: Array<[string, (text: string) => string, RegExp]> = [
      ['a truncated file', (t) => t.slice(0, Math.floor(t.length / 2)), /ends early: it was cut off .* Copy it again/],
      ['a file that is not JSON', () => 'weights, probably', /is not a run bundle: it is not valid JSON/],
      ['another kind of JSON file', () => JSON.stringify({ format: 'table1', rows: [] }), /is not a run bundle of the MOSEI SSL Workbench/],
      ['a newer bundle version', (t) => resealed(t, (b) => ((b as { version: number }).version = 3)), /newer workbench \(bundle version 3; this one reads versions up to 2\)\. Update the workbench/],
      ['a changed value (checksum)', (t) => t.replace('"loss":1.5', '"loss":0.5'), /does not match its checksum: it was changed or damaged after it was exported/],
      ['a missing checksum', (t) => t.replace(/,"sha256":"[0-9a-f]+"}$/, '}'), /has no checksum/],
      ['a file name that climbs out of the run folder', (t) => resealed(t, (b) => (b.runs[0].files['../../evil.bin'] = 'AAAA')), /"\.\.\/\.\.\/evil\.bin" is not a plain file name/],
      ['a file name with a folder', (t) => resealed(t, (b) => (b.runs[0].files['sub/x'] = 'AAAA')), /"sub\/x" is not a plain file name/],
      ['an out-of-range field', (t) => resealed(t, (b) => (b.runs[0].epochs[0].seconds = -1)), /not a valid run bundle \(runs\.0\.epochs\.0\.seconds: /],
      ['a fine-tune without its pre-training run', (t) => resealed(t, (b) => b.runs.shift()), /needs its pre-training run/],
      ['predictions cut short', (t) => resealed(t, (b) => (b.runs[1].predictions[0].values = b.runs[1].predictions[0].values.slice(0, 16))),
        /cannot be imported: the validation predictions of its run #\d+ "finetune quick" hold 12 bytes of values for 6 segments; each segment has 6 float32 values/],
      ['a prediction that is not finite', (t) => resealed(t, (b) => {
        const values = Buffer.from(b.runs[1].predictions[0].values, 'base64');
        values.writeFloatLE(NaN, 4 * 7);
        b.runs[1].predictions[0].values = values.toString('base64');
      }), /the validation predictions of its run #\d+ "finetune quick" hold NaN \(segment 2\); predictions are finite/],
      ['a prediction of a segment the dataset lacks', (t) => resealed(t, (b) => {
        const segments = Buffer.from(b.runs[1].predictions[0].segments, 'base64');
        segments.writeInt32LE(30, 0);
        b.runs[1].predictions[0].segments = segments.toString('base64');
      }), /name segment 30, but the dataset has 30/],
      ['one split twice', (t) => resealed(t, (b) => b.runs[1].predictions.push(b.runs[1].predictions[0])), /runs\.1\.predictions: holds one split twice/],
    ];
    it.each(cases)('%s', async (_label, damage, message) => {
      const server = await machine('server', 'd');
      const laptop = await machine('laptop', 'd');
      const pretrain = trainedRun(server, 'pretrain');
      const text = damage(await exported(server, trainedRun(server, 'finetune', { parentRunId: pretrain })));
      const before = laptop.snapshot();
      const file = join(tempDir('in'), 'bundle.json');
      writeFileSync(file, text);
      const err = await importError(laptop, { path: file });
      expect(err.code).toBe('invalid_params');
      expect(err.message).toMatch(message);
      expect(err.message.startsWith(`The file ${file} `)).toBe(true);
      expect(laptop.snapshot()).toEqual(before);
      expect(existsSync(join(laptop.dir, 'evil.bin'))).toBe(false);
    });

    it('a bundle of a dataset this workbench does not have', async () => {
      const server = await machine('server', 'd');
      const laptop = await machine('laptop', 'd', OTHER_DATA);
      const content = await exported(server, trainedRun(server, 'pretrain'));
      const before = laptop.snapshot();
      const err = await importError(laptop, { content });
      const fingerprint = server.datasets.get('d').fingerprint;
      expect(err).toMatchObject({ code: 'not_found', message: expect.stringContaining(`dataset "Synthetic server" (fingerprint ${fingerprint})`) });
      expect(err.message).toMatch(/Import the same CMU-MOSEI files here first/);
      expect(laptop.snapshot()).toEqual(before);
    });

    it('a path with no file, or a folder', async () => {
      const laptop = await machine('laptop', 'd');
      expect(await importError(laptop, { path: join(laptop.dir, 'nope.json') })).toMatchObject({ code: 'not_found', message: expect.stringMatching(/There is no file at/) });
      expect(await importError(laptop, { path: laptop.dir })).toMatchObject({ code: 'invalid_params', message: expect.stringMatching(/is a folder, not a file/) });
    });
  });

  describe('refuse a bundle whose checkpoint does not fit its run, even with its checksum recomputed, and write nothing', () => {
    type Files = Record<string, string>;
    const bytes = (files: Files, name: string) => Buffer.from(files[name], 'base64');
    const put = (files: Files, name: string, data: Buffer | string) => (files[name] = Buffer.from(data).toString('base64'));
    const manifest = (files: Files) => JSON.parse(bytes(files, 'weights.json').toString()) as { weightsManifest: Array<{ weights: Array<{ name: string; shape: number[]; dtype: string }> }> };
    const editManifest = (files: Files, change: (weights: Array<{ name: string; shape: number[]; dtype: string }>) => void) => {
      const m = manifest(files);
      change(m.weightsManifest[0].weights);
      put(files, 'weights.json', JSON.stringify(m));
    };
    /** Sets value `index` of the .bin file to `value`. */
    const poke = (files: Files, name: string, index: number, value: number) => {
      const data = bytes(files, name);
      data.writeFloatLE(value, index * 4);
      put(files, name, data);
    };
    // runs[0] is the pre-training run (done), runs[1] its fine-tune (done).
    const cases: Array<[string, (b: BundleBody) => void, RegExp]> = [
      ['weights cut short', (b) => put(b.runs[0].files, 'weights.bin', bytes(b.runs[0].files, 'weights.bin').subarray(0, -8)),
        /run #\d+ "pretrain quick" \(pretrain, done\) has a checkpoint that does not fit it: weights\.bin is \d+ bytes, but the tensors weights\.json lists need \d+\. Export the run again/],
      ['a NaN in the weights', (b) => poke(b.runs[0].files, 'weights.bin', 3, NaN), /weights\.bin: the tensor "gru_1\/kernel" holds NaN \(value 4 of 888\)/],
      ['an infinite head weight', (b) => poke(b.runs[1].files, 'weights.bin', 74 * 6, Infinity), /\(finetune, done\) .*the tensor "dense_6\/bias" holds Infinity \(value 1 of 6\)/],
      ['a tensor of another shape', (b) => editManifest(b.runs[0].files, (w) => (w[1].shape = [12, 4])),
        /weights\.json: the tensor "gru_1\/recurrent_kernel" is \[12, 4\], but its model \(1 GRU layer of 4 units, then Dense\(74\)\) needs \[4, 12\]/],
      ['a missing tensor', (b) => editManifest(b.runs[0].files, (w) => w.pop()), /weights\.json lacks the tensor "dense_74\/bias" \[74\] that its model/],
      ['an extra tensor', (b) => {
        editManifest(b.runs[0].files, (w) => w.push({ name: 'gru_2/kernel', shape: [1], dtype: 'float32' }));
        put(b.runs[0].files, 'weights.bin', Buffer.concat([bytes(b.runs[0].files, 'weights.bin'), Buffer.alloc(4)]));
      }, /weights\.json holds a tensor "gru_2\/kernel" that its model \(1 GRU layer of 4 units, then Dense\(74\)\) does not have/],
      ['a config the weights were not trained with', (b) => (b.runs[0].config.model.hiddenUnits = 8),
        /the tensor "gru_1\/kernel" is \[74, 12\], but its model \(1 GRU layer of 8 units, then Dense\(74\)\) needs \[74, 24\]/],
      ['a head on another input', (b) => (b.runs[1].config.model.headInput = 'encoder'),
        /the tensor "dense_6\/kernel" is \[74, 6\], but its model \(Dense\(6\) on the GRU states\) needs \[4, 6\]/],
      ['a fine-tune on another encoder size', (b) => (b.runs[1].config.model.gruLayers = 2), /is configured for 2 GRU layers of 4 units, but the encoder of its pre-training run #\d+ has 1 of 4/],
      ['a done run without its weights', (b) => (b.runs[0].files = {}), /\(pretrain, done\) lacks weights\.json, weights\.bin, state\.json: a done run carries its saved weights/],
      ['a file a checkpoint does not hold', (b) => put(b.runs[1].files, 'notes.txt', 'hello'), /has a file "notes\.txt" that a checkpoint does not hold/],
      ['statistics that are not numbers', (b) => put(b.runs[0].files, 'state.json', JSON.stringify({ epoch: 2, stats: { mean: [...STATS.mean.slice(1), null], std: STATS.std } })),
        /state\.json is not what a checkpoint holds there \(stats\.mean\.73: /],
      ['a done run whose checkpoint is of an earlier epoch', (b) => put(b.runs[0].files, 'state.json', JSON.stringify({ epoch: 1, stats: STATS })), /state\.json says epoch 1, but the run is done/],
    ];
    it.each(cases)('%s', async (_label, damage, message) => {
      const server = await machine('server', 'd');
      const laptop = await machine('laptop', 'd');
      const pretrain = trainedRun(server, 'pretrain');
      const content = resealed(await exported(server, trainedRun(server, 'finetune', { parentRunId: pretrain })), damage);
      const before = laptop.snapshot();
      const err = await importError(laptop, { content });
      expect(err.code).toBe('invalid_params');
      expect(err.message).toMatch(/^The bundle cannot be imported: its run #/);
      expect(err.message).toMatch(message);
      expect(laptop.snapshot()).toEqual(before);
    });

    it('an interrupted run whose optimizer state holds a NaN or lacks a moment', async () => {
      const server = await machine('server', 'd');
      const laptop = await machine('laptop', 'd');
      const content = await exported(server, trainedRun(server, 'pretrain', { status: 'interrupted' }));
      const before = laptop.snapshot();
      const nan = await importError(laptop, { content: resealed(content, (b) => poke(b.runs[0].files, 'optimizer.bin', 5, NaN)) });
      expect(nan.message).toMatch(/\(pretrain, interrupted\) has a checkpoint that does not fit it: optimizer\.bin: the tensor "paper_model_\d+\/gru_1\/kernel\/m" holds NaN/);
      const short = await importError(laptop, {
        content: resealed(content, (b) => {
          const m = JSON.parse(bytes(b.runs[0].files, 'optimizer.json').toString()) as { weightsManifest: Array<{ weights: unknown[] }> };
          m.weightsManifest[0].weights.splice(1, 1);
          put(b.runs[0].files, 'optimizer.json', JSON.stringify(m));
        }),
      });
      expect(short.message).toMatch(/optimizer\.json lacks the tensor "gru_1\/kernel\/m" \[74, 12\]/);
      expect(laptop.snapshot()).toEqual(before);
    });
  });

  describe('leave nothing behind when the disk fails mid-import', () => {
    const failing = (code: string, after: number) => {
      let calls = 0;
      return () => {
        if (++calls > after) throw Object.assign(new Error(`${code}: simulated`), { code });
      };
    };

    it('while writing the files (disk full)', async () => {
      const server = await machine('server', 'd');
      const fail = failing('ENOSPC', 3);
      const laptop = await machine('laptop', 'd', SERVER_DATA, { files: { writeFile: (p, d) => (fail(), writeFileSync(p, d)), rename: renameSync } });
      const pretrain = trainedRun(server, 'pretrain');
      const content = await exported(server, trainedRun(server, 'finetune', { parentRunId: pretrain }));
      const before = laptop.snapshot();
      const err = await importError(laptop, { content });
      expect(err).toMatchObject({ code: 'storage', message: expect.stringMatching(/is full: the bundle was not imported and nothing was kept/) });
      expect(laptop.snapshot()).toEqual(before);
    });

    it('while moving them into place (after the rows were recorded)', async () => {
      const server = await machine('server', 'd');
      const fail = failing('EACCES', 1);
      const laptop = await machine('laptop', 'd', SERVER_DATA, { files: { writeFile: writeFileSync, rename: (a, b) => (fail(), renameSync(a, b)) } });
      const pretrain = trainedRun(server, 'pretrain');
      const content = await exported(server, trainedRun(server, 'finetune', { parentRunId: pretrain }));
      const before = laptop.snapshot();
      const err = await importError(laptop, { content });
      expect(err).toMatchObject({ code: 'storage', message: expect.stringMatching(/cannot be written \(EACCES\)/) });
      expect(laptop.snapshot()).toEqual(before);
      // Nothing of the failed attempt stands in the way of the next one.
      const { runs } = await new RunBundleService({ db: laptop.db, runs: laptop.runs, datasets: laptop.datasets, dataDir: laptop.dir }).importBundle({ content, asCopy: false });
      expect(runs.map((r) => filesOf(laptop, r.id).length)).toEqual([3, 3]);
    });
  });
});
