import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrainConfig } from '@shared/api/entities';
import type { ToTrainer, TrainerJob } from '@shared/api/trainerProtocol';
import { openDatabase } from '../store/database';
import { RunRepository } from '../store/runs';
import { DatasetRepository } from '../store/datasets';
import { SplitRepository } from '../store/splits';
import { EventSink } from '../platform/events';
import type { ProcessChannel } from '../platform/workerProcesses';
import { TrainingService } from './trainingService';
import { placeJob, type RemoteDispatch, type RemoteRunSink } from './remoteDispatch';

/** A training process double that is ready at once and records what it is sent. */
class FakeTrainer implements ProcessChannel {
  sent: ToTrainer[] = [];
  private message: (m: unknown) => void = () => undefined;
  send(m: unknown) { this.sent.push(m as ToTrainer); }
  onMessage(l: (m: unknown) => void) { this.message = l; setTimeout(() => this.message({ type: 'ready', backend: { name: 'cpu', reason: 'test', tfjsVersion: '4' } }), 0); }
  onExit() {}
  kill() {}
  reply(m: unknown) { this.message(m); }
}

/** A cluster double: takes what `placeJob` sends remote while `online`, and hands back what the test says. */
class FakeCluster implements RemoteDispatch {
  online = true;
  submitted: Array<{ job: TrainerJob; sink: RemoteRunSink }> = [];
  cancelled: number[] = [];
  private listener = () => undefined as void;
  workersFor() { return this.online ? [{ host: 'gpu-01', backend: 'wasm' as const, poolSize: 2 }] : []; }
  takes(job: TrainerJob) { return this.online && placeJob(job.kind, 'fp', [{ datasets: [{ fingerprint: 'fp' }] }]) === 'remote'; }
  submit(job: TrainerJob, sink: RemoteRunSink) { this.submitted.push({ job, sink }); }
  cancel(runId: number) { const held = this.submitted.some((s) => s.job.runId === runId); if (held) this.cancelled.push(runId); return held; }
  onChange(l: () => void) { this.listener = l; }
  changed() { this.listener(); }
}

const config: TrainConfig = {
  epochs: 2, batchSize: 4, learningRate: 0.001, model: { hiddenUnits: 2, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' }, labels: { count: 4, seed: 0 }, seed: 3, mask: { spanLength: 2, spanCount: 1, value: -30, lossScope: 'all-valid' },
  sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' }, split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null,
};
const segments = Array.from({ length: 10 }, (_, i) => ({ id: `v${i % 3}[${i}]`, video: `v${i % 3}` }));
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const flush = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5)); };

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'wb-remote-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  new DatasetRepository(db).insert({ id: 'd', name: 'd', source: 'synthetic', segments: 10, videos: 3, frames: 1000, features: 74, nonFiniteReplaced: 0, fingerprint: 'fp', params: {} });
  const runs = new RunRepository(db);
  const splits = new SplitRepository(db);
  const trainers: FakeTrainer[] = [];
  const events = new EventSink();
  const seen: Array<[string, unknown]> = [];
  events.subscribe((name, payload) => seen.push([name, payload]));
  const service = new TrainingService(runs, () => { const t = new FakeTrainer(); trainers.push(t); return t; }, events, dir, { split: (id, cfg) => splits.ensure(id, cfg, () => segments), segmentFrames: () => segments.map(() => 100) }, 2);
  const cluster = new FakeCluster();
  return { runs, trainers, service, seen, cluster, db };
}

describe('placeJob', () => {
  const holding = [{ datasets: [{ fingerprint: 'a' }] }, { datasets: [] }];
  it('sends pre-trainings and baselines to a worker holding their dataset, and keeps fine-tunes here', () => {
    expect(placeJob('pretrain', 'a', holding)).toBe('remote');
    expect(placeJob('baseline', 'a', holding)).toBe('remote');
    expect(placeJob('finetune', 'a', holding)).toBe('local');
  });
  it('keeps a job here when no live worker holds its dataset', () => {
    expect(placeJob('pretrain', 'b', holding)).toBe('local');
    expect(placeJob('baseline', 'a', [])).toBe('local');
    expect(placeJob('baseline', null, holding)).toBe('local');
  });
});

describe('TrainingService with a cluster', () => {
  it('hands pre-trainings and baselines to the cluster and trains fine-tunes in its own pool', async () => {
    const { service, cluster, trainers, runs } = setup();
    service.useRemote(cluster);
    const pretrain = service.start({ datasetId: 'd', kind: 'pretrain', config });
    const baseline = service.start({ datasetId: 'd', kind: 'baseline', config });
    await flush();
    expect(cluster.submitted.map((s) => s.job.runId)).toEqual([pretrain.id, baseline.id]);
    expect(trainers.flatMap((t) => t.sent)).toEqual([]);
    // The pre-training comes back done: a fine-tune of it trains here.
    runs.markRunning(pretrain.id, 'cpu', 'test');
    cluster.submitted[0].sink.finished(pretrain.id, 'done', null);
    const finetune = service.start({ datasetId: 'd', kind: 'finetune', parentRunId: pretrain.id, config });
    await flush();
    expect(cluster.submitted).toHaveLength(2);
    expect(trainers.flatMap((t) => t.sent)).toEqual([expect.objectContaining({ type: 'start', job: expect.objectContaining({ runId: finetune.id, kind: 'finetune' }) })]);
  });

  it('records what a remote run reports: running, live progress and epochs, then its end', async () => {
    const { service, cluster, runs, seen, db } = setup();
    service.useRemote(cluster);
    const run = service.start({ datasetId: 'd', kind: 'baseline', config });
    await flush();
    // Handed over: waiting for a worker, on no host yet.
    expect(db.prepare('SELECT train_host, on_cluster FROM runs WHERE id = ?').get(run.id)).toEqual({ train_host: null, on_cluster: 1 });
    const { sink } = cluster.submitted[0];
    sink.started(run.id, 'wasm', 'fastest available; on gpu-01', { host: 'gpu-01', cores: 16, threads: 1 });
    expect(runs.summary(run.id)).toMatchObject({ status: 'running', backend: 'wasm' });
    expect(db.prepare('SELECT train_host, on_cluster, cores, threads FROM runs WHERE id = ?').get(run.id)).toEqual({ train_host: 'gpu-01', on_cluster: 1, cores: 16, threads: 1 });
    sink.progress({ runId: run.id, epoch: 1, epochs: 2, batch: 1, batches: 2, loss: 0.5, samplesPerSecond: 10, etaSeconds: 3 });
    sink.epoch(run.id, { epoch: 1, loss: 0.5, valLoss: 0.6, seconds: 1 });
    // Live epochs are shown, not recorded: the bundle's epochs are, when the run is done.
    expect(runs.detail(run.id).epochs).toEqual([]);
    sink.finished(run.id, 'failed', 'Run failed on the cluster after 3 attempts: out of memory');
    expect(runs.summary(run.id)).toMatchObject({ status: 'failed', error: 'Run failed on the cluster after 3 attempts: out of memory' });
    expect(seen.map(([n]) => n)).toEqual(expect.arrayContaining(['run.progress', 'run.epoch']));
    expect(seen.filter(([n]) => n === 'run.status').map(([, p]) => (p as { status: string }).status)).toEqual(['queued', 'running', 'failed']);
  });

  it('cancels a remote run through the cluster', async () => {
    const { service, cluster } = setup();
    service.useRemote(cluster);
    const run = service.start({ datasetId: 'd', kind: 'baseline', config });
    await flush();
    expect(service.cancel(run.id)).toBe(true);
    expect(cluster.cancelled).toEqual([run.id]);
  });

  it('trains here while the cluster takes nothing (Redis unreachable), and hands over what still waits once it does', async () => {
    const { service, cluster, trainers } = setup();
    cluster.online = false;
    service.useRemote(cluster);
    const first = service.start({ datasetId: 'd', kind: 'baseline', config });
    const second = service.start({ datasetId: 'd', kind: 'baseline', config: { ...config, seed: 4 } });
    const third = service.start({ datasetId: 'd', kind: 'baseline', config: { ...config, seed: 5 } });
    await flush();
    const startedHere = () => trainers.flatMap((t) => t.sent).filter((m) => m.type === 'start').map((m) => (m as { job: TrainerJob }).job.runId);
    expect(startedHere()).toEqual([first.id, second.id]); // the pool of two is busy; the third waits
    expect(cluster.submitted).toEqual([]);
    cluster.online = true;
    cluster.changed();
    expect(cluster.submitted.map((s) => s.job.runId)).toEqual([third.id]);
    expect(startedHere()).toEqual([first.id, second.id]);
  });
});
