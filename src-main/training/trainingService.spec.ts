import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TrainConfig } from '@shared/api/entities';
import type { ToTrainer } from '@shared/api/trainerProtocol';
import { openDatabase } from '../store/database';
import { RunRepository } from '../store/runs';
import { DatasetRepository } from '../store/datasets';
import { SplitRepository } from '../store/splits';
import { EventSink } from '../platform/events';
import { defaultWorkers, TrainingService } from './trainingService';
import type { ProcessChannel } from '../platform/workerProcesses';

/** A training process double: records what main sends and lets the test answer or die. */
class FakeTrainer implements ProcessChannel {
  sent: ToTrainer[] = [];
  finished = new Set<number>();
  readySent = false;
  private message: (m: unknown) => void = () => undefined;
  private exit: (code: number | null, signal: string | null) => void = () => undefined;
  killed = false;
  send(m: unknown) { this.sent.push(m as ToTrainer); }
  onMessage(l: (m: unknown) => void) { this.message = l; }
  onExit(l: (code: number | null, signal: string | null) => void) { this.exit = l; }
  kill() { this.killed = true; this.die(null, 'SIGKILL'); }
  reply(m: unknown) { this.message(m); }
  die(code: number | null, signal: string | null) { this.exit(code, signal); }
}

const config: TrainConfig = {
  epochs: 2, batchSize: 4, learningRate: 0.001, model: { hiddenUnits: 2, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' }, labels: { count: null, seed: 0 }, seed: 3, mask: null,
  sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' }, split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null,
};
const segments = Array.from({ length: 10 }, (_, i) => ({ id: `v${i % 3}[${i}]`, video: `v${i % 3}` }));
const backend = { name: 'cpu', reason: 'test', tfjsVersion: '4' } as const;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(workers: number | null = 1, cores = 2, load = { now: 0 }, clock = { ms: 0 }) {
  const dir = mkdtempSync(join(tmpdir(), 'wb-train-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  new DatasetRepository(db).insert({ id: 'd', name: 'd', source: 'synthetic', segments: 1, videos: 1, frames: 1, features: 74, nonFiniteReplaced: 0, fingerprint: 'f', params: {} });
  const runs = new RunRepository(db);
  const splits = new SplitRepository(db);
  const trainers: FakeTrainer[] = [];
  const envs: Array<Record<string, string>> = [];
  const events = new EventSink();
  const seen: Array<[string, unknown]> = [];
  events.subscribe((name, payload) => seen.push([name, payload]));
  const spawn = (env: Record<string, string>) => {
    const t = new FakeTrainer();
    trainers.push(t);
    envs.push(env);
    return t;
  };
  const service = new TrainingService(runs, spawn, events, dir, { split: (id, cfg) => splits.ensure(id, cfg, () => segments), segmentFrames: () => segments.map(() => 100) }, workers, { cores, loadAverage: () => load.now, clock: () => clock.ms });
  return { runs, trainers, envs, service, seen, dir };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('TrainingService', () => {
  it('queues a run until the training process is ready, then records what it reports', async () => {
    const { runs, trainers, service, seen } = setup();
    const run = service.start({ datasetId: 'd', kind: 'baseline', config });
    expect(runs.summary(run.id).status).toBe('queued');
    const trainer = trainers[0];
    expect(trainer.sent).toEqual([]); // not before 'ready'
    trainer.reply({ type: 'ready', backend });
    await flush();
    expect(trainer.sent[0]).toMatchObject({ type: 'start', job: { runId: run.id, datasetId: 'd', config, split: { train: [0, 1, 2, 4, 5, 6, 7, 9], validation: [3, 8] } } });
    trainer.reply({ type: 'started', runId: run.id, backend: 'cpu', backendReason: 'test' });
    trainer.reply({ type: 'epoch', runId: run.id, record: { epoch: 1, loss: 0.9, valLoss: 1.1, seconds: 0.5 } });
    trainer.reply({ type: 'done', runId: run.id, metrics: [{ scope: 'overall', name: 'mae', value: 0.25 }] });
    const detail = runs.detail(run.id);
    expect(detail).toMatchObject({ status: 'done', backend: 'cpu', maeOverall: 0.25 });
    expect(detail.epochs).toHaveLength(1);
    expect(seen.map(([n]) => n)).toEqual(expect.arrayContaining(['backend.ready', 'run.status', 'run.epoch']));
    expect(service.backendInfo()).toEqual(backend);
  });

  it('records an epoch re-reported from a checkpoint only when the store lacks it', async () => {
    const { runs, trainers, service, seen } = setup();
    const run = service.start({ datasetId: 'd', kind: 'baseline', config });
    trainers[0].reply({ type: 'ready', backend });
    await flush();
    trainers[0].reply({ type: 'started', runId: run.id, backend: 'cpu', backendReason: 'test' });
    trainers[0].reply({ type: 'epoch', runId: run.id, record: { epoch: 1, loss: 0.9, valLoss: 1.1, seconds: 0.5 } });
    const epochEvents = () => seen.filter(([n]) => n === 'run.epoch').length;
    expect(epochEvents()).toBe(1);
    trainers[0].reply({ type: 'epoch', runId: run.id, fromCheckpoint: true, record: { epoch: 1, loss: 0.5, valLoss: 0.5, seconds: 9 } });
    expect(runs.detail(run.id).epochs).toEqual([{ epoch: 1, loss: 0.9, valLoss: 1.1, seconds: 0.5, maskedLoss: null, valMaskedLoss: null }]);
    expect(epochEvents()).toBe(1);
    trainers[0].reply({ type: 'epoch', runId: run.id, fromCheckpoint: true, record: { epoch: 2, loss: 0.8, valLoss: 1, seconds: 0.5 } });
    expect(runs.detail(run.id).epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(epochEvents()).toBe(2);
  });

  it('runs queued jobs one after another', async () => {
    const { trainers, service } = setup();
    const a = service.start({ datasetId: 'd', kind: 'baseline', config });
    const b = service.start({ datasetId: 'd', kind: 'baseline', config });
    trainers[0].reply({ type: 'ready', backend });
    await flush();
    expect(trainers[0].sent.filter((m) => m.type === 'start')).toHaveLength(1);
    trainers[0].reply({ type: 'failed', runId: a.id, error: 'boom' });
    const starts = trainers[0].sent.filter((m) => m.type === 'start');
    expect(starts).toHaveLength(2);
    expect(starts[1]).toMatchObject({ job: { runId: b.id } });
  });

  it('retries a run once when its training process dies, then fails only that run and goes on with the next', async () => {
    const { runs, trainers, service } = setup();
    const a = service.start({ datasetId: 'd', kind: 'baseline', config });
    const b = service.start({ datasetId: 'd', kind: 'baseline', config });
    trainers[0].reply({ type: 'ready', backend });
    await flush();
    trainers[0].reply({ type: 'started', runId: a.id, backend: 'cpu', backendReason: 'test' });
    trainers[0].reply({ type: 'epoch', runId: a.id, record: { epoch: 1, loss: 1, valLoss: null, seconds: 1 } });
    trainers[0].die(null, 'SIGKILL');
    await flush();
    expect(trainers).toHaveLength(2);
    trainers[1].reply({ type: 'ready', backend });
    await flush();
    expect(trainers[1].sent[0]).toMatchObject({ type: 'start', job: { runId: a.id } }); // the retry comes first
    trainers[1].die(null, 'SIGKILL');
    await flush();
    const failed = runs.detail(a.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/stopped unexpectedly/);
    expect(failed.epochs).toHaveLength(1);
    trainers[2].reply({ type: 'ready', backend });
    await flush();
    expect(trainers[2].sent[0]).toMatchObject({ type: 'start', job: { runId: b.id } });
  });

  it('cancels a queued run at once and a running run through the process', async () => {
    const { runs, trainers, service } = setup();
    const a = service.start({ datasetId: 'd', kind: 'baseline', config });
    const b = service.start({ datasetId: 'd', kind: 'baseline', config });
    expect(service.cancel(b.id)).toBe(true);
    expect(runs.summary(b.id).status).toBe('cancelled');
    trainers[0].reply({ type: 'ready', backend });
    await flush();
    service.cancel(a.id);
    expect(trainers[0].sent).toContainEqual({ type: 'cancel', runId: a.id });
    trainers[0].reply({ type: 'cancelled', runId: a.id });
    expect(runs.summary(a.id).status).toBe('cancelled');
    expect(() => service.cancel(a.id)).toThrow(/only queued or running runs/);
  });

  it('kills a running run\'s process that does not answer a cancel, and records the run cancelled', async () => {
    vi.useFakeTimers();
    try {
      const { runs, trainers, service } = setup();
      const run = service.start({ datasetId: 'd', kind: 'baseline', config });
      trainers[0].reply({ type: 'ready', backend });
      await vi.advanceTimersByTimeAsync(0);
      trainers[0].reply({ type: 'started', runId: run.id, backend: 'cpu', backendReason: 'test' });
      service.cancel(run.id);
      await vi.advanceTimersByTimeAsync(4000);
      expect(trainers[0].killed).toBe(false);
      expect(runs.summary(run.id).status).toBe('running');
      await vi.advanceTimersByTimeAsync(2000);
      expect(trainers[0].killed).toBe(true);
      expect(runs.summary(run.id)).toMatchObject({ status: 'cancelled' });
      expect(trainers.slice(1).flatMap((t) => t.sent).some((m) => m.type === 'start')).toBe(false); // not retried
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails a run whose finished results cannot be recorded, saying why, and keeps the process for the next run', async () => {
    const { runs, trainers, service } = setup();
    const a = service.start({ datasetId: 'd', kind: 'baseline', config });
    const b = service.start({ datasetId: 'd', kind: 'baseline', config });
    trainers[0].reply({ type: 'ready', backend });
    await flush();
    trainers[0].reply({ type: 'started', runId: a.id, backend: 'cpu', backendReason: 'test' });
    // Predictions for a segment count that does not match their values cannot be stored.
    trainers[0].reply({ type: 'done', runId: a.id, metrics: [{ scope: 'overall', name: 'mae', value: 0.2 }], predictions: [{ split: 'validation', segments: [0, 1], values: [0.1] }] });
    const failed = runs.detail(a.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/finished but its results could not be recorded/);
    expect(failed.maeOverall).toBeNull(); // nothing of the half-recorded results remains
    expect(trainers[0].sent.filter((m) => m.type === 'start').at(-1)).toMatchObject({ job: { runId: b.id } });
  });

  it('rejects warmUp when the first process exits before it is ready, and starts afresh on the next request', async () => {
    const { trainers, service } = setup();
    const ready = service.warmUp();
    trainers[0].die(1, null);
    await expect(ready).rejects.toThrow(/exited before it was ready \(code 1/);
    const again = service.warmUp();
    expect(trainers).toHaveLength(2);
    trainers[1].reply({ type: 'ready', backend });
    await expect(again).resolves.toEqual(backend);
  });

  it('ignores malformed messages from the training process and says so', async () => {
    const { trainers, service, seen } = setup();
    service.start({ datasetId: 'd', kind: 'baseline', config });
    trainers[0].reply({ type: 'epoch', runId: 'x' });
    expect(seen.some(([n, p]) => n === 'log' && /malformed/.test((p as { message: string }).message))).toBe(true);
  });
});

const pretrainConfig: TrainConfig = { ...config, mask: { spanLength: 3, spanCount: 1, value: -30, lossScope: 'all-valid' } };

describe('TrainingService: fine-tunes and resumes', () => {
  it('fine-tunes only from a finished pre-training run on the same dataset, inheriting its shape, sequences and split', async () => {
    const { runs, trainers, service } = setup();
    expect(() => service.start({ datasetId: 'd', kind: 'finetune', config })).toThrow(/needs the pre-training run/);
    const base = service.start({ datasetId: 'd', kind: 'baseline', config });
    expect(() => service.start({ datasetId: 'd', kind: 'finetune', parentRunId: base.id, config })).toThrow(/not a pre-training run/);
    const pre = service.start({ datasetId: 'd', kind: 'pretrain', config: { ...pretrainConfig, model: { ...config.model, hiddenUnits: 12 }, sequence: { ...config.sequence, maxFrames: 33 } } });
    expect(() => service.start({ datasetId: 'd', kind: 'finetune', parentRunId: pre.id, config })).toThrow(/is queued; fine-tune once it is done/);
    runs.finish(pre.id, 'done');
    const ft = service.start({ datasetId: 'd', kind: 'finetune', parentRunId: pre.id, config });
    expect(ft.parentRunId).toBe(pre.id);
    expect(ft.config.model.hiddenUnits).toBe(12);
    expect(ft.config.sequence.maxFrames).toBe(33);
    expect(ft.config.mask).toBeNull();
    trainers[0].reply({ type: 'ready', backend });
    await flush();
    expect(() => service.start({ datasetId: 'd', kind: 'pretrain', config: { ...config, mask: null } })).toThrow(/needs a masking configuration/);
  });

  it('resumes an interrupted run into its own folder, keeping its recorded epochs', async () => {
    const { runs, trainers, service, dir } = setup();
    const run = service.start({ datasetId: 'd', kind: 'pretrain', config: pretrainConfig });
    trainers[0].reply({ type: 'ready', backend });
    await flush();
    trainers[0].reply({ type: 'started', runId: run.id, backend: 'cpu', backendReason: 'test' });
    trainers[0].reply({ type: 'epoch', runId: run.id, record: { epoch: 1, loss: 1, valLoss: 1, seconds: 1 } });
    service.cancel(run.id);
    trainers[0].reply({ type: 'cancelled', runId: run.id });
    expect(runs.summary(run.id).status).toBe('cancelled');
    expect(() => service.resume(9999)).toThrow(/does not exist/);
    const resumed = service.resume(run.id);
    expect(resumed.status).toBe('queued');
    await flush();
    expect(trainers[0].sent.at(-1)).toMatchObject({ type: 'start', job: { runId: run.id, runDir: join(dir, 'runs', String(run.id)) } });
    expect(runs.detail(run.id).epochs).toHaveLength(1);
    expect(() => service.resume(run.id)).toThrow(/only interrupted, failed or cancelled/);
  });
});

/** The run a fake process was given first. */
const runOf = (t: FakeTrainer) => (t.sent.find((m) => m.type === 'start') as { job: { runId: number } }).job.runId;

/** Makes the first `count` processes of the pool ready, one after another (each start spawns the next). */
async function readyEach(trainers: FakeTrainer[], count: number) {
  for (let i = 0; i < count; i++) {
    trainers[i].reply({ type: 'ready', backend });
    trainers[i].readySent = true;
    await flush();
  }
}

describe('TrainingService: a pool of training processes', () => {
  const finishAll = async (trainers: FakeTrainer[]) => {
    for (let round = 0; round < 20; round++) {
      for (const t of trainers) {
        const start = t.sent.filter((m) => m.type === 'start').at(-1) as { job: { runId: number } } | undefined;
        if (start && !t.finished.has(start.job.runId)) {
          t.finished.add(start.job.runId);
          t.reply({ type: 'started', runId: start.job.runId, backend: 'cpu', backendReason: 'test' });
          t.reply({ type: 'done', runId: start.job.runId, metrics: [{ scope: 'overall', name: 'mae', value: start.job.runId }] });
        }
      }
      for (const t of trainers) if (!t.readySent) { t.readySent = true; t.reply({ type: 'ready', backend }); }
      await flush();
    }
  };

  it('runs more jobs than processes on every process, recording each result once', async () => {
    const { runs, trainers, service } = setup(2);
    const ids = Array.from({ length: 5 }, () => service.start({ datasetId: 'd', kind: 'baseline', config }).id);
    await finishAll(trainers);
    expect(trainers).toHaveLength(2);
    expect(trainers.every((t) => t.finished.size >= 2)).toBe(true);
    for (const id of ids) expect(runs.detail(id)).toMatchObject({ status: 'done', maeOverall: id });
  });

  it('computes a pre-training run\'s encoder outputs once: its fine-tunes wait for the first to finish', async () => {
    const { trainers, service } = setup(2);
    const pre = service.start({ datasetId: 'd', kind: 'pretrain', config: { ...config, mask: { spanLength: 3, spanCount: 1, value: -30, lossScope: 'all-valid' } } });
    await readyEach(trainers, 1);
    trainers[0].reply({ type: 'done', runId: pre.id, metrics: [] });
    await flush();
    const first = service.start({ datasetId: 'd', kind: 'finetune', parentRunId: pre.id, config });
    const second = service.start({ datasetId: 'd', kind: 'finetune', parentRunId: pre.id, config });
    await flush();
    for (const t of trainers) if (!t.readySent) { t.readySent = true; t.reply({ type: 'ready', backend }); }
    await flush();
    const started = () => trainers.flatMap((t) => t.sent.filter((m) => m.type === 'start').map((m) => (m as { job: { runId: number } }).job.runId));
    expect(started()).toEqual([pre.id, first.id]); // the second waits although a process is free
    const owner = trainers.find((t) => t.sent.some((m) => m.type === 'start' && (m as { job: { runId: number } }).job.runId === first.id))!;
    owner.reply({ type: 'done', runId: first.id, metrics: [] });
    await flush();
    expect(started()).toEqual([pre.id, first.id, second.id]);
  });

  it('keeps the other processes\' results when one process is killed mid-job, and retries the killed job', async () => {
    const { runs, trainers, service } = setup(2);
    const a = service.start({ datasetId: 'd', kind: 'baseline', config });
    const b = service.start({ datasetId: 'd', kind: 'baseline', config });
    await readyEach(trainers, 2);
    expect(new Set([runOf(trainers[0]), runOf(trainers[1])])).toEqual(new Set([a.id, b.id]));
    trainers[1].reply({ type: 'done', runId: runOf(trainers[1]), metrics: [] });
    trainers[0].die(null, 'SIGKILL');
    await flush();
    expect(runs.summary(runOf(trainers[1])).status).toBe('done');
    await finishAll(trainers);
    expect(runs.summary(a.id).status).toBe('done');
    expect(runs.summary(b.id).status).toBe('done');
  });

  it('stops processes beyond a smaller pool once they are idle', async () => {
    const { trainers, service } = setup(2);
    const a = service.start({ datasetId: 'd', kind: 'baseline', config });
    service.start({ datasetId: 'd', kind: 'baseline', config });
    await readyEach(trainers, 2);
    service.setWorkers(1);
    expect(service.poolSize()).toBe(1);
    const first = trainers.find((t) => runOf(t) === a.id)!;
    first.reply({ type: 'done', runId: a.id, metrics: [] });
    await flush();
    expect(first.sent.at(-1)).toEqual({ type: 'shutdown' });
  });
});


describe('TrainingService: cores, GPUs and resumed runs', () => {
  const threaded = { name: 'wasm', reason: 'test', tfjsVersion: '4', threads: { current: 1, max: 4 } } as const;
  const threadsAsked = (t: FakeTrainer) => t.sent.filter((m) => m.type === 'threads').map((m) => (m as { count: number }).count);

  it('gives a lone run every core as threads, one each to runs side by side, and all again to the one left', async () => {
    const { trainers, service } = setup(2, 2);
    const pre = service.start({ datasetId: 'd', kind: 'pretrain', config: pretrainConfig });
    trainers[0].reply({ type: 'ready', backend: threaded });
    await flush();
    expect(threadsAsked(trainers[0])).toEqual([2]);
    trainers[0].reply({ type: 'threads', current: 2, max: 4, canGrow: true });
    const base = service.start({ datasetId: 'd', kind: 'baseline', config });
    await flush();
    trainers[1].reply({ type: 'ready', backend: threaded });
    await flush();
    expect(runOf(trainers[1])).toBe(base.id);
    expect(threadsAsked(trainers[0])).toEqual([2, 1]);
    expect(threadsAsked(trainers[1])).toEqual([]); // it starts with one
    trainers[0].reply({ type: 'threads', current: 1, max: 4, canGrow: true });
    trainers[1].reply({ type: 'done', runId: base.id, metrics: [] });
    await flush();
    expect(threadsAsked(trainers[0])).toEqual([2, 1, 2]);
    expect(runOf(trainers[0])).toBe(pre.id);
  });

  it('records on a finished run the time-weighted mean of its threads and the machine\'s cores', async () => {
    const clock = { ms: 0 };
    const { trainers, service, runs } = setup(1, 2, { now: 0 }, clock);
    const run = service.start({ datasetId: 'd', kind: 'baseline', config });
    trainers[0].reply({ type: 'ready', backend: threaded });
    await flush();
    trainers[0].reply({ type: 'started', runId: run.id, backend: 'wasm', backendReason: 'test' });
    clock.ms = 1000; // 1 s on its starting thread...
    trainers[0].reply({ type: 'threads', current: 2, max: 4, canGrow: true });
    clock.ms = 4000; // ...then 3 s on 2
    trainers[0].reply({ type: 'done', runId: run.id, metrics: [] });
    await flush();
    expect(runs.finishedRuns().find((r) => r.id === run.id)).toMatchObject({ threads: 1.75, cores: 2, host: null });
    // A plain-JS process has no XNNPACK threads: none recorded.
    const { trainers: plain, service: single, runs: plainRuns } = setup(1, 2, { now: 0 }, clock);
    const other = single.start({ datasetId: 'd', kind: 'baseline', config });
    plain[0].reply({ type: 'ready', backend });
    await flush();
    plain[0].reply({ type: 'started', runId: other.id, backend: 'cpu', backendReason: 'test' });
    plain[0].reply({ type: 'done', runId: other.id, metrics: [] });
    await flush();
    expect(plainRuns.finishedRuns().find((r) => r.id === other.id)).toMatchObject({ threads: null, cores: 2 });
  });

  it('gives the cores left over to the longest run', async () => {
    const { trainers, service } = setup(2, 3);
    const pre = service.start({ datasetId: 'd', kind: 'pretrain', config: pretrainConfig });
    const base = service.start({ datasetId: 'd', kind: 'baseline', config: { ...config, labels: { count: 2, seed: 0 } } });
    trainers[0].reply({ type: 'ready', backend: threaded });
    await flush();
    trainers[1].reply({ type: 'ready', backend: threaded });
    await flush();
    const of = (id: number) => trainers.find((t) => runOf(t) === id)!;
    expect(threadsAsked(of(pre.id)).at(-1)).toBe(2);
    expect(threadsAsked(of(base.id)).at(-1) ?? 1).toBe(1);
  });

  it('stops rebalancing threads every minute once no run trains, and starts again with the next run', async () => {
    vi.useFakeTimers();
    try {
      const { trainers, service } = setup(1, 2);
      const first = service.start({ datasetId: 'd', kind: 'baseline', config });
      trainers[0].reply({ type: 'ready', backend: threaded });
      await vi.advanceTimersByTimeAsync(0);
      expect(runOf(trainers[0])).toBe(first.id);
      expect(vi.getTimerCount()).toBe(1); // the minute's rebalancing
      trainers[0].reply({ type: 'done', runId: first.id, metrics: [] });
      await vi.advanceTimersByTimeAsync(0);
      expect(vi.getTimerCount()).toBe(0);
      const second = service.start({ datasetId: 'd', kind: 'baseline', config });
      await vi.advanceTimersByTimeAsync(0);
      expect(trainers[0].sent.filter((m) => m.type === 'start').at(-1)).toMatchObject({ job: { runId: second.id } });
      expect(vi.getTimerCount()).toBe(1);
      service.shutdown();
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives no extra threads while other programs keep the cores busy, and gives them once the load drops', async () => {
    const load = { now: 7.6 }; // other programs on a 2-core machine
    const { trainers, service } = setup(1, 2, load);
    service.start({ datasetId: 'd', kind: 'pretrain', config: pretrainConfig });
    trainers[0].reply({ type: 'ready', backend: threaded });
    await flush();
    expect(threadsAsked(trainers[0])).toEqual([]);
    load.now = 1.2; // our run's own thread, and a little else
    service.shareThreads(); // what the pool does every minute
    expect(threadsAsked(trainers[0])).toEqual([2]);
    trainers[0].reply({ type: 'threads', current: 2, max: 4, canGrow: true });
    load.now = 3.9; // our 2 threads and 2 cores' worth of something else
    service.shareThreads();
    expect(threadsAsked(trainers[0])).toEqual([2, 1]);
    service.shutdown();
  });

  it('replaces an idle process that can take no more threads, and leaves single-threaded processes alone', async () => {
    const { trainers, service } = setup(1, 2);
    const a = service.start({ datasetId: 'd', kind: 'baseline', config });
    trainers[0].reply({ type: 'ready', backend: threaded });
    await flush();
    trainers[0].reply({ type: 'threads', current: 2, max: 4, canGrow: false });
    trainers[0].reply({ type: 'done', runId: a.id, metrics: [] });
    await flush();
    expect(trainers[0].sent.at(-1)).toEqual({ type: 'shutdown' });
    const b = service.start({ datasetId: 'd', kind: 'baseline', config });
    await flush();
    expect(trainers).toHaveLength(2);
    trainers[1].reply({ type: 'ready', backend: threaded });
    await flush();
    expect(runOf(trainers[1])).toBe(b.id);
    const { trainers: plain, service: single } = setup(1, 2);
    single.start({ datasetId: 'd', kind: 'baseline', config });
    plain[0].reply({ type: 'ready', backend });
    await flush();
    expect(plain[0].sent.filter((m) => m.type === 'threads')).toEqual([]);
  });

  it('runs one process per GPU on tfjs-node-gpu, each further one pinned to a GPU of its own', async () => {
    const gpu = { name: 'tensorflow-gpu', reason: 'test', tfjsVersion: '4', gpu: { name: 'NVIDIA A100', count: 2 } } as const;
    expect(defaultWorkers(gpu, 32)).toBe(2);
    expect(defaultWorkers({ name: 'tensorflow' }, 8)).toBe(2);
    expect(defaultWorkers({ name: 'wasm' }, 8)).toBe(8);
    const { trainers, envs, service, dir } = setup(null, 32);
    service.start({ datasetId: 'd', kind: 'baseline', config });
    service.start({ datasetId: 'd', kind: 'baseline', config });
    service.start({ datasetId: 'd', kind: 'baseline', config });
    trainers[0].reply({ type: 'ready', backend: gpu });
    await flush();
    expect(service.poolSize()).toBe(2);
    expect(trainers).toHaveLength(2);
    const own = { MOSEI_CALIBRATION_FILE: join(dir, 'backend-calibration.json'), MOSEI_WASM_SCRIPT_DIR: join(dir, 'wasm-threads') };
    expect(envs[0]).toEqual(own);
    expect(envs[1]).toEqual({ ...own, CUDA_VISIBLE_DEVICES: '1' });
  });

  it('drops the epochs a run recorded after the checkpoint it resumes from, and says so', async () => {
    const { runs, trainers, service, seen } = setup();
    const run = service.start({ datasetId: 'd', kind: 'baseline', config: { ...config, epochs: 5 } });
    trainers[0].reply({ type: 'ready', backend });
    await flush();
    for (const epoch of [1, 2, 3]) trainers[0].reply({ type: 'epoch', runId: run.id, record: { epoch, loss: 1, valLoss: null, seconds: 1 } });
    trainers[0].reply({ type: 'resumed', runId: run.id, epoch: 1 });
    expect(runs.detail(run.id).epochs.map((e) => e.epoch)).toEqual([1]);
    const warnings = seen.filter(([n, p]) => n === 'log' && (p as { level: string }).level === 'warn').map(([, p]) => (p as { message: string }).message);
    expect(warnings).toEqual([`Run ${run.id} resumed from its checkpoint of epoch 1: epochs 2-3 were recorded after it but not checkpointed before its training process stopped, and are trained again.`]);
    trainers[0].reply({ type: 'resumed', runId: run.id, epoch: 1 });
    expect(seen.filter(([n]) => n === 'log')).toHaveLength(1); // nothing dropped, nothing said
  });
});
