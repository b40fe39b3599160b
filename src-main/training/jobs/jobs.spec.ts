import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EpochRecord, MetricRecord, TrainConfig } from '@shared/api/entities';
import type { JobResult, TrainerJob } from '@shared/api/trainerProtocol';
import { assignSplit } from '@shared/data/splits';
import { FEATURE_COUNT } from '@shared/emotions';
import { writeDataset } from '../../data/datasetFiles';
import { generateSynthetic } from '../../data/synthetic';
import { JobCancelled, type JobHooks } from './loop';
import { runPretrain } from './pretrain';
import { runBaseline, runFinetune } from './supervised';
import { checkpointWeightShapes } from '@shared/model/weightShapes';
import { loadCheckpoint } from '../model/checkpoint';
import { checkBundledCheckpoints } from '../../export/bundledCheckpoint';
import type { BundledRun } from '../../export/runBundleFormat';

const dataDir = mkdtempSync(join(tmpdir(), 'wb-jobs-'));
const segments = [...generateSynthetic({ seed: 5, segments: 30, segmentsPerVideo: 5, minFrames: 15, maxFrames: 40 })];
const split = assignSplit(segments, { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 });

beforeAll(async () => {
  await tf.setBackend('cpu');
  await writeDataset(dataDir, 'tiny', segments);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const config: TrainConfig = {
  epochs: 2, batchSize: 8, learningRate: 0.01, seed: 3,
  mask: { spanLength: 5, spanCount: 1, value: -30, lossScope: 'all-valid' },
  model: { hiddenUnits: 6, gruLayers: 2, headInput: 'reconstruction', pooling: 'last-valid' },
  labels: { count: 10, seed: 1 },
  sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' },
  split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null,
};

function job(runId: number, kind: TrainerJob['kind'], overrides: Partial<TrainerJob> = {}): TrainerJob {
  return { runId, kind, dataDir, datasetId: 'tiny', config, runDir: join(dataDir, 'runs', String(runId)), parentRunDir: null, split: { train: split.train, validation: split.validation, test: [] }, ...overrides };
}

/** Hooks that keep what a job reports: trained epochs, and epochs re-reported from a checkpoint apart. */
function recorder(cancelAfterEpoch?: number) {
  const epochs: EpochRecord[] = [];
  const fromCheckpoint: EpochRecord[] = [];
  const hooks: JobHooks = {
    progress: () => undefined,
    epoch: (e, checkpointed) => (checkpointed ? fromCheckpoint : epochs).push(e),
    isCancelled: () => cancelAfterEpoch !== undefined && epochs.length >= cancelAfterEpoch,
  };
  return { epochs, fromCheckpoint, hooks };
}

/** The process dies while reporting this epoch: its checkpoint is on disk, its record never reaches main. */
class KilledAtReport extends Error {}
function killedAtReport(epoch: number) {
  const r = recorder();
  const report = r.hooks.epoch;
  r.hooks.epoch = (e, checkpointed) => {
    if (e.epoch === epoch && !checkpointed) throw new KilledAtReport();
    report(e, checkpointed);
  };
  return r;
}

const metric = (r: JobResult | MetricRecord[], scope: string, name: string) => (Array.isArray(r) ? r : r.metrics).find((m) => m.scope === scope && m.name === name)?.value;

describe('training jobs', () => {
  it('pre-trains, checkpointing every epoch, and gives the same losses for the same seed', async () => {
    const a = recorder();
    const metrics = await runPretrain(job(1, 'pretrain'), a.hooks);
    expect(a.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(a.epochs.every((e) => Number.isFinite(e.loss) && e.valLoss !== null)).toBe(true);
    expect(metric(metrics, 'overall', 'reconstructionMse')).toBeCloseTo(a.epochs[1].valLoss!, 6);
    expect(existsSync(join(dataDir, 'runs/1/state.json'))).toBe(true);
    const b = recorder();
    await runPretrain(job(2, 'pretrain'), b.hooks);
    expect(b.epochs.map((e) => e.loss)).toEqual(a.epochs.map((e) => e.loss));
  });

  it('resumes an interrupted pre-training from its last completed epoch, with the same result', async () => {
    const cut = recorder(1);
    await expect(runPretrain(job(3, 'pretrain'), cut.hooks)).rejects.toBeInstanceOf(JobCancelled);
    expect(cut.epochs.map((e) => e.epoch)).toEqual([1]);
    const rest = recorder();
    await runPretrain(job(3, 'pretrain'), rest.hooks);
    expect(rest.epochs.map((e) => e.epoch)).toEqual([2]);
    expect(rest.fromCheckpoint).toEqual(cut.epochs); // re-reported as checkpointed; main keeps what it has
    const whole = recorder();
    await runPretrain(job(4, 'pretrain'), whole.hooks);
    expect(rest.epochs[0].loss).toBeCloseTo(whole.epochs[1].loss, 5);
  });

  it('re-reports an epoch checkpointed just before a kill, so the history gets every epoch', async () => {
    const killed = killedAtReport(1);
    const everyEpoch = { config: { ...config, epochs: 3 }, checkpointEverySeconds: 0 };
    await expect(runPretrain(job(10, 'pretrain', everyEpoch), killed.hooks)).rejects.toBeInstanceOf(KilledAtReport);
    expect(killed.epochs).toEqual([]);
    const resumed = recorder();
    await runPretrain(job(10, 'pretrain', everyEpoch), resumed.hooks);
    expect(resumed.fromCheckpoint.map((e) => e.epoch)).toEqual([1]);
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([2, 3]);
    const whole = recorder();
    await runPretrain(job(11, 'pretrain', { config: { ...config, epochs: 3 } }), whole.hooks);
    expect(resumed.fromCheckpoint[0].loss).toBeCloseTo(whole.epochs[0].loss, 6);
  });

  it("counts the interval between resumable checkpoints in the training process's CPU time, not the wall clock's", async () => {
    // Every reading of a clock moves it on: the wall clock by a minute (a machine loaded by other work; far past the
    // 10 s interval, short of the hourly wall-clock ceiling), the CPU clock by `cpuStep` seconds.
    let wall = 0;
    let cpu = 0;
    let cpuStep = 0;
    const dateNow = vi.spyOn(Date, 'now').mockImplementation(() => (wall += 60_000));
    const cpuUsage = vi.spyOn(process, 'cpuUsage').mockImplementation(() => ({ user: (cpu += cpuStep * 1e6), system: 0 }));
    try {
      const every10 = { config: { ...config, epochs: 3 }, checkpointEverySeconds: 10 };
      // Minutes of wall time, no CPU time: a kill at epoch 2 finds no checkpoint (a wall clock would have written one after each epoch).
      await expect(runPretrain(job(60, 'pretrain', every10), killedAtReport(2).hooks)).rejects.toBeInstanceOf(KilledAtReport);
      expect(loadCheckpoint(join(dataDir, 'runs/60'))).toBeNull();
      // 11 s of CPU time between readings: the same kill finds epoch 2's resumable checkpoint.
      cpuStep = 11;
      await expect(runPretrain(job(61, 'pretrain', every10), killedAtReport(2).hooks)).rejects.toBeInstanceOf(KilledAtReport);
      const saved = loadCheckpoint(join(dataDir, 'runs/61'))!;
      expect(saved.state.epoch).toBe(2);
      expect(saved.optimizer).not.toBeNull();
      tf.dispose([...Object.values(saved.weights), ...saved.optimizer!.map((t) => t.tensor)]);
    } finally {
      dateNow.mockRestore();
      cpuUsage.mockRestore();
    }
  });

  it('finishes a run killed while reporting its last epoch: the epoch is re-reported and the metrics computed', async () => {
    const pretrain = killedAtReport(2);
    await expect(runPretrain(job(12, 'pretrain'), pretrain.hooks)).rejects.toBeInstanceOf(KilledAtReport);
    const resumed = recorder();
    const metrics = await runPretrain(job(12, 'pretrain'), resumed.hooks);
    expect(resumed.epochs).toEqual([]);
    expect(resumed.fromCheckpoint.map((e) => e.epoch)).toEqual([1, 2]);
    expect(metric(metrics, 'overall', 'reconstructionMse')).toBe(resumed.fromCheckpoint[1].valLoss);

    const baseline = killedAtReport(2);
    await expect(runBaseline(job(13, 'baseline'), baseline.hooks)).rejects.toBeInstanceOf(KilledAtReport);
    const again = recorder();
    const baselineMetrics = await runBaseline(job(13, 'baseline'), again.hooks);
    expect(again.fromCheckpoint.map((e) => e.epoch)).toEqual([1, 2]);
    const whole = await runBaseline(job(14, 'baseline'), recorder().hooks);
    expect(metric(baselineMetrics, 'overall', 'mae')).toBeCloseTo(metric(whole, 'overall', 'mae')!, 6);
  });

  it('fine-tunes Dense(6) on cached outputs of the frozen encoder, computed once', async () => {
    const first = recorder();
    const metrics = await runFinetune(job(5, 'finetune', { parentRunDir: join(dataDir, 'runs/1') }), first.hooks);
    expect(first.epochs).toHaveLength(2);
    expect(metric(metrics, 'overall', 'mae')).toBeGreaterThan(0);
    expect(metric(metrics, 'fear', 'acc4')).toBeGreaterThanOrEqual(0);
    const cache = readdirSync(join(dataDir, 'runs/1/encoded'));
    expect(cache.filter((f) => f.endsWith('.f32'))).toHaveLength(1);
    const again = recorder();
    const second = await runFinetune(job(6, 'finetune', { parentRunDir: join(dataDir, 'runs/1') }), again.hooks);
    expect(readdirSync(join(dataDir, 'runs/1/encoded'))).toEqual(cache);
    expect(metric(second, 'overall', 'mae')).toBeCloseTo(metric(metrics, 'overall', 'mae')!, 6);
  });

  it("builds only what a fine-tune needs: the encoder from the checkpoint for the one encoding pass, then only Dense(6) while it trains", async () => {
    const parentRunDir = join(dataDir, 'runs/1');
    rmSync(join(parentRunDir, 'encoded'), { recursive: true, force: true });
    const checkpoint = loadCheckpoint(parentRunDir)!;
    // The model's variables (the optimizer's moments are unnamed).
    const liveNames = () => Object.keys(tf.engine().state.registeredVariables).filter((n) => n.startsWith('paper_model_'));
    const before = new Set(liveNames());
    const ours = () => liveNames().filter((n) => !before.has(n));
    const duringEncoding: string[][] = [];
    const duringTraining: string[][] = [];
    const r = recorder();
    r.hooks.progress = (p) => {
      if (p.batch > 0) return void duringTraining.push(ours().map((n) => n.replace(/^[^/]+\//, '')).sort());
      duringEncoding.push(ours());
      // The encoder's variables hold the pre-training run's weights: made from them, never initialised.
      for (const name of ours().filter((n) => n.includes('gru_'))) {
        const own = name.replace(/^[^/]+\//, '');
        expect(Array.from(tf.engine().state.registeredVariables[name].dataSync()), own).toEqual(Array.from(checkpoint.weights[own].dataSync()));
      }
    };
    await runFinetune(job(16, 'finetune', { parentRunDir }), r.hooks);
    expect(duringEncoding.length).toBeGreaterThan(0);
    expect(duringEncoding[0].some((n) => n.endsWith('gru_1/recurrent_kernel'))).toBe(true);
    expect(duringTraining.length).toBeGreaterThan(0);
    for (const names of duringTraining) expect(names).toEqual(['dense_6/bias', 'dense_6/kernel']);
    expect(ours()).toEqual([]);
  });

  it('computes the encoder cache again when a kill or a full disk left its metadata or data cut short', async () => {
    const parentRunDir = join(dataDir, 'runs/1');
    const reference = await runFinetune(job(15, 'finetune', { parentRunDir }), recorder().hooks);
    const encoded = join(parentRunDir, 'encoded');
    const [data] = readdirSync(encoded).filter((f) => f.endsWith('.f32'));
    const meta = join(encoded, data.replace(/\.f32$/, '.json'));
    const whole = { meta: readFileSync(meta), data: readFileSync(join(encoded, data)) };
    const cuts: Array<[string, () => void]> = [
      ['empty metadata', () => writeFileSync(meta, '')],
      ['truncated metadata', () => writeFileSync(meta, whole.meta.subarray(0, 7))],
      ['truncated data', () => writeFileSync(join(encoded, data), whole.data.subarray(0, whole.data.length - 4 * 3))],
    ];
    for (const [what, cut] of cuts) {
      cut();
      const metrics = await runFinetune(job(15, 'finetune', { parentRunDir }), recorder().hooks);
      expect(metric(metrics, 'overall', 'mae'), what).toBeCloseTo(metric(reference, 'overall', 'mae')!, 6);
      expect(readFileSync(meta).equals(whole.meta), what).toBe(true);
      expect(readFileSync(join(encoded, data)).equals(whole.data), what).toBe(true);
    }
    expect(readdirSync(encoded).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it("uploads a fine-tune's validation inputs once, not once per epoch, and frees them when it ends", async () => {
    const parentRunDir = join(dataDir, 'runs/1');
    await runFinetune(job(17, 'finetune', { parentRunDir }), recorder().hooks); // the encoder cache exists from here on
    const write = vi.spyOn(tf.backend(), 'write');
    const tensorsBefore = tf.memory().numTensors;
    try {
      const r = recorder();
      await runFinetune(job(18, 'finetune', { parentRunDir, config: { ...config, epochs: 4 } }), r.hooks);
      expect(r.epochs.map((e) => e.valLoss === null)).toEqual([false, false, false, false]);
      // The head reads the Dense(74) outputs ('reconstruction'): one row of 74 per validation segment.
      const validationUploads = write.mock.calls.filter(([, shape]) => shape.join() === [split.validation.length, FEATURE_COUNT].join());
      expect(validationUploads).toHaveLength(1);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    } finally {
      write.mockRestore();
    }
  });

  it('refuses to fine-tune from a pre-training run without weights', async () => {
    await expect(runFinetune(job(7, 'finetune', { parentRunDir: join(dataDir, 'runs/999') }), recorder().hooks)).rejects.toThrow(/no saved weights/);
  });

  it('validates only after the last epoch when asked to, and still reports every metric', async () => {
    const r = recorder();
    const metrics = await runBaseline(job(9, 'baseline', { config: { ...config, epochs: 3, validation: 'final' } }), r.hooks);
    expect(r.epochs.map((e) => e.valLoss === null)).toEqual([true, true, false]);
    expect(metrics.metrics.find((m) => m.scope === 'overall' && m.name === 'mae')).toBeDefined();
  });

  it('trains the baseline from scratch on the labelled sample and reports every metric', async () => {
    const r = recorder();
    const metrics = await runBaseline(job(8, 'baseline'), r.hooks);
    expect(r.epochs).toHaveLength(2);
    expect(metrics.metrics.filter((m) => m.scope === 'overall').map((m) => m.name).sort()).toEqual(['acc4', 'mae']);
    expect(metrics.metrics.filter((m) => m.scope === 'happiness')).toHaveLength(8);
  });
});

describe('checkpoints as a run bundle checks them', () => {
  const bundled = (runId: number, kind: TrainerJob['kind'], parentSourceRunId: number | null) => {
    const dir = join(dataDir, 'runs', String(runId));
    const files = Object.fromEntries(readdirSync(dir).filter((n) => n.includes('.')).map((n) => [n, readFileSync(join(dir, n)).toString('base64')]));
    return { sourceRunId: runId, name: `run ${runId}`, kind, status: 'done', parentSourceRunId, config, files } as unknown as BundledRun;
  };

  it('every job writes exactly the tensors its kind and model imply, weights and optimizer state, and a bundle of them passes', async () => {
    // A cancelled pre-training and baseline keep a resumable checkpoint: weights and the optimizer's state.
    for (const [runId, kind] of [[20, 'pretrain'], [21, 'baseline']] as const) {
      const run = kind === 'pretrain' ? runPretrain : runBaseline;
      await expect(run(job(runId, kind, { config: { ...config, epochs: 3 } }), recorder(1).hooks)).rejects.toBeInstanceOf(JobCancelled);
    }
    const cancelled = (runId: number, kind: TrainerJob['kind']) => ({ ...bundled(runId, kind, null), status: 'cancelled', config: { ...config, epochs: 3 } }) as BundledRun;
    const runs = [bundled(1, 'pretrain', null), bundled(5, 'finetune', 1), bundled(8, 'baseline', null), cancelled(20, 'pretrain'), cancelled(21, 'baseline')];
    for (const run of runs) {
      const manifest = JSON.parse(Buffer.from(run.files['weights.json'], 'base64').toString()) as { weightsManifest: Array<{ weights: Array<{ name: string; shape: number[] }> }> };
      expect(manifest.weightsManifest[0].weights.map(({ name, shape }) => ({ name, shape })), run.kind).toEqual(checkpointWeightShapes(run.kind, config.model));
    }
    // A finished run keeps its final weights only; an unfinished one the optimizer's state too.
    for (const done of runs.slice(0, 3)) expect(Object.keys(done.files).sort(), done.kind).toEqual(['state.json', 'weights.bin', 'weights.json']);
    for (const stopped of runs.slice(3)) expect(Object.keys(stopped.files).sort(), stopped.kind).toEqual(['optimizer.bin', 'optimizer.json', 'state.json', 'weights.bin', 'weights.json']);
    expect(() => checkBundledCheckpoints(runs, 'test')).not.toThrow();
  });
});

describe('evaluation on a test part, model selection and early stopping', () => {
  const withTest = assignSplit(segments, { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0.2 });
  const split3 = { train: withTest.train, validation: withTest.validation, test: withTest.test! };
  const mseOf = (values: readonly number[], indices: readonly number[]) =>
    values.reduce((s, v, k) => s + (v - segments[indices[Math.floor(k / 6)]].emotions[k % 6]) ** 2, 0) / values.length;

  it('evaluates a supervised run on validation and test, and hands back its predictions of each, in the split\'s order', async () => {
    const r = recorder();
    const result = await runBaseline(job(40, 'baseline', { split: split3 }), r.hooks);
    expect(result.predictions.map((p) => [p.split, p.segments])).toEqual([['validation', split3.validation], ['test', split3.test]]);
    expect(result.predictions.every((p) => p.values.length === p.segments.length * 6)).toBe(true);
    // The metrics are those of the predictions handed back.
    const [validation, test] = result.predictions;
    expect(metric(result.metrics, 'overall', 'mae')).toBeCloseTo(validation.values.reduce((s, v, k) => s + Math.abs(v - segments[validation.segments[Math.floor(k / 6)]].emotions[k % 6]), 0) / validation.values.length, 6);
    expect(metric(result.testMetrics, 'overall', 'mae')).toBeCloseTo(test.values.reduce((s, v, k) => s + Math.abs(v - segments[test.segments[Math.floor(k / 6)]].emotions[k % 6]), 0) / test.values.length, 6);
    // The last validation loss is the MSE of the validation predictions (the last epoch is kept).
    expect(mseOf(validation.values, validation.segments)).toBeCloseTo(r.epochs.at(-1)!.valLoss!, 5);
    // Without a test part: validation only.
    const plain = await runBaseline(job(41, 'baseline'), recorder().hooks);
    expect([plain.testMetrics, plain.predictions.map((p) => p.split)]).toEqual([[], ['validation']]);
  });

  it('keeps the epoch with the lowest validation loss: its weights are the ones evaluated and saved', async () => {
    const selecting = { ...config, epochs: 6, learningRate: 0.05, selection: 'best-validation-loss' as const };
    const r = recorder();
    const result = await runBaseline(job(42, 'baseline', { config: selecting, split: split3 }), r.hooks);
    const losses = r.epochs.map((e) => e.valLoss!);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    // This seed overfits: the best epoch is not the last, so selection matters here.
    expect(best).toBeLessThan(6);
    const [validation] = result.predictions;
    // Evaluated with the best epoch's weights: their validation MSE is that epoch's validation loss.
    expect(mseOf(validation.values, validation.segments)).toBeCloseTo(losses[best - 1], 5);
    // And those weights are the run's saved ones: the checkpoint says so, and predicts the same.
    const saved = loadCheckpoint(join(dataDir, 'runs/42'))!;
    expect(saved.state).toMatchObject({ epoch: 6, selectedEpoch: best, bestEpoch: best });
    // A finished run keeps those weights alone: no optimizer state, no second copy of them.
    expect([saved.optimizer, saved.best]).toEqual([null, null]);
    // They are the weights training had after the best epoch: a run of that many epochs ends with the same.
    const upToBest = job(48, 'baseline', { config: { ...selecting, epochs: best, selection: 'last-epoch' }, split: split3 });
    await runBaseline(upToBest, recorder().hooks);
    const trainedToBest = loadCheckpoint(upToBest.runDir)!.weights;
    for (const name of Object.keys(saved.weights)) expect(Array.from(saved.weights[name].dataSync()), name).toEqual(Array.from(trainedToBest[name].dataSync()));
    const last = recorder();
    const lastEpoch = await runBaseline(job(43, 'baseline', { config: { ...selecting, selection: 'last-epoch' }, split: split3 }), last.hooks);
    expect(last.epochs.map((e) => e.valLoss)).toEqual(r.epochs.map((e) => e.valLoss));
    expect(metric(lastEpoch.metrics, 'overall', 'mae')).not.toBeCloseTo(metric(result.metrics, 'overall', 'mae')!, 6);
    // A run killed after its selected weights were saved is finished from the checkpoint with the same result.
    const again = await runBaseline(job(42, 'baseline', { config: selecting, split: split3 }), recorder().hooks);
    expect(again.predictions).toEqual(result.predictions);
  });

  it('a run selecting by validation loss that stops after its best epoch resumes with the same choice, whether a checkpoint was due or it was cancelled', async () => {
    const selecting = { ...config, epochs: 6, learningRate: 0.05, selection: 'best-validation-loss' as const };
    const whole = recorder();
    const reference = await runBaseline(job(50, 'baseline', { config: selecting, split: split3 }), whole.hooks);
    const losses = whole.epochs.map((e) => e.valLoss!);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(best).toBeLessThan(5); // an epoch after the best, before the last, to stop at
    const resumedSelection = async (runId: number) => {
      const resumed = await runBaseline(job(runId, 'baseline', { config: selecting, split: split3 }), recorder().hooks);
      expect(resumed.predictions).toEqual(reference.predictions);
      expect(loadCheckpoint(join(dataDir, 'runs', String(runId)))!.state).toMatchObject({ selectedEpoch: best, bestEpoch: best });
    };

    // Killed while reporting the epoch after the best, a checkpoint due after every epoch: it holds that epoch's weights and optimizer state, and the best epoch's weights.
    const killed = killedAtReport(best + 1);
    await expect(runBaseline(job(51, 'baseline', { config: selecting, split: split3, checkpointEverySeconds: 0 }), killed.hooks)).rejects.toBeInstanceOf(KilledAtReport);
    const written = loadCheckpoint(join(dataDir, 'runs/51'))!;
    expect(written.state).toMatchObject({ epoch: best + 1, bestEpoch: best });
    expect([written.optimizer !== null, written.best !== null]).toEqual([true, true]);
    await resumedSelection(51);

    // Cancelled after the epoch after the best, no checkpoint due yet: the cancel writes that epoch as it ended, with the best epoch's weights.
    await expect(runBaseline(job(52, 'baseline', { config: selecting, split: split3 }), recorder(best + 1).hooks)).rejects.toBeInstanceOf(JobCancelled);
    const flushed = loadCheckpoint(join(dataDir, 'runs/52'))!;
    expect(flushed.state).toMatchObject({ epoch: best + 1, bestEpoch: best });
    expect(flushed.best).not.toBeNull();
    await resumedSelection(52);
  });

  it('keeps the best epoch of a fine-tune too, from the weights it held in memory', async () => {
    const selecting = { ...config, epochs: 8, learningRate: 0.2, selection: 'best-validation-loss' as const };
    const r = recorder();
    const result = await runFinetune(job(44, 'finetune', { config: selecting, parentRunDir: join(dataDir, 'runs/1') }), r.hooks);
    const losses = r.epochs.map((e) => e.valLoss!);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(best).toBeLessThan(8);
    const [validation] = result.predictions;
    expect(mseOf(validation.values, validation.segments)).toBeCloseTo(losses[best - 1], 5);
    expect(loadCheckpoint(join(dataDir, 'runs/44'))!.state).toMatchObject({ selectedEpoch: best });
  });

  it('stops early once the validation loss has not improved for `patience` epochs, and a resumed run trains no more', async () => {
    const stopping = { ...config, epochs: 20, learningRate: 0.05, earlyStopping: { patience: 2 } };
    const r = recorder();
    await runBaseline(job(45, 'baseline', { config: stopping }), r.hooks);
    const losses = r.epochs.map((e) => e.valLoss!);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(r.epochs.length).toBeLessThan(20);
    expect(r.epochs.length).toBe(best + 2);
    // The epoch it stopped after is the run's last: its weights alone are kept, without the optimizer's state.
    const saved = loadCheckpoint(join(dataDir, 'runs/45'))!;
    expect(saved.state.epoch).toBe(r.epochs.length);
    expect(saved.optimizer).toBeNull();
    const resumed = recorder();
    await runBaseline(job(45, 'baseline', { config: stopping }), resumed.hooks);
    expect(resumed.epochs).toEqual([]);
    expect(resumed.fromCheckpoint.map((e) => e.epoch)).toEqual(r.epochs.map((e) => e.epoch));
  });

  it('records, per pre-training epoch, the reconstruction error on masked steps alone, and the errors on test', async () => {
    const r = recorder();
    const result = await runPretrain(job(46, 'pretrain', { split: split3 }), r.hooks);
    for (const e of r.epochs) {
      expect(e.maskedLoss).toBeGreaterThan(0);
      expect(e.valMaskedLoss).toBeGreaterThan(0);
      // With the loss on every real step, the masked steps alone (filled from context) are reconstructed worse.
      expect(e.maskedLoss).toBeGreaterThan(e.loss);
    }
    expect(metric(result.metrics, 'overall', 'maskedReconstructionMse')).toBeCloseTo(r.epochs.at(-1)!.valMaskedLoss!, 6);
    expect(result.testMetrics.map((m) => m.name).sort()).toEqual(['maskedReconstructionMse', 'reconstructionMse']);
    expect(result.predictions).toEqual([]);
    // When the loss covers masked steps only, the two are the same quantity.
    const masked = recorder();
    await runPretrain(job(47, 'pretrain', { config: { ...config, mask: { ...config.mask!, lossScope: 'masked-only' } } }), masked.hooks);
    for (const e of masked.epochs) {
      expect(e.maskedLoss).toBeCloseTo(e.loss, 5);
      expect(e.valMaskedLoss).toBeCloseTo(e.valLoss!, 6);
    }
  });
});
