import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunKind, TrainConfig } from '@shared/api/entities';
import type { FromTrainer, ToTrainer } from '@shared/api/trainerProtocol';
import { EventSink } from '../platform/events';
import type { ProcessChannel } from '../platform/workerProcesses';
import { DatasetService } from '../data/datasetService';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { RunRepository } from '../store/runs';
import { SplitRepository } from '../store/splits';
import { runJob } from './jobs/runJob';
import { TrainingService } from './trainingService';

class Killed extends Error {}

/**
 * A training process run in-process: the real job and its reporting (runJob), behind a
 * channel that can die exactly when the job reports a given epoch, after that epoch's
 * checkpoint is saved and before main hears of it, as a kill -9 at that point would.
 */
class InProcessTrainer implements ProcessChannel {
  private listener: (m: unknown) => void = () => undefined;
  private exit: (code: number | null, signal: string | null) => void = () => undefined;
  private dead = false;
  constructor(private readonly killAtEpoch: number | null) {}
  send(m: unknown) {
    const message = m as ToTrainer;
    if (message.type !== 'start') return;
    void runJob(message.job, { name: 'cpu', reason: 'test' }, (reply) => this.deliver(reply), () => false).catch((err: unknown) => {
      if (!(err instanceof Killed)) throw err;
      this.exit(null, 'SIGKILL');
    });
  }
  private deliver(reply: FromTrainer) {
    if (this.dead) throw new Killed();
    if (reply.type === 'epoch' && !reply.fromCheckpoint && reply.record.epoch === this.killAtEpoch) {
      this.dead = true;
      throw new Killed();
    }
    this.listener(reply);
  }
  onMessage(l: (m: unknown) => void) {
    this.listener = l;
    queueMicrotask(() => l({ type: 'ready', backend: { name: 'cpu', reason: 'test', tfjsVersion: tf.version.tfjs } }));
  }
  onExit(l: (code: number | null, signal: string | null) => void) {
    this.exit = l;
  }
  kill() {}
}

const config: TrainConfig = {
  epochs: 3, batchSize: 8, learningRate: 0.01, seed: 3,
  mask: { spanLength: 5, spanCount: 1, value: -30, lossScope: 'all-valid' },
  model: { hiddenUnits: 6, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' },
  labels: { count: 10, seed: 1 },
  sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' },
  split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null,
};

const dirs: string[] = [];
beforeAll(() => tf.setBackend('cpu'));
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Trains one run whose first training process is killed while reporting `killAtEpoch`; resolves once the run has ended. */
async function trainKilledAt(kind: RunKind, killAtEpoch: number) {
  const dir = mkdtempSync(join(tmpdir(), 'wb-epoch-recovery-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  const runs = new RunRepository(db);
  const datasets = new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db));
  await datasets.ensureBuiltin({ seed: 5, segments: 30, segmentsPerVideo: 5, minFrames: 15, maxFrames: 40 });
  const events = new EventSink();
  const logs: string[] = [];
  let processes = 0;
  const ended = new Promise<void>((resolve) =>
    events.subscribe((name, payload) => {
      if (name === 'log') logs.push((payload as { message: string }).message);
      if (name === 'run.status' && !['queued', 'running'].includes((payload as { status: string }).status)) resolve();
    }),
  );
  // Every epoch checkpointed, so a kill can fall between an epoch's checkpoint and its record.
  const training = new TrainingService(runs, () => new InProcessTrainer(processes++ === 0 ? killAtEpoch : null), events, dir, datasets, 1, { checkpointEverySeconds: 0 });
  const run = training.start({ datasetId: 'builtin-small', kind, config });
  await ended;
  const detail = runs.detail(run.id);
  training.shutdown();
  db.close();
  return { detail, logs, processes };
}

describe('a kill between an epoch checkpoint and its record', () => {
  it('leaves no hole in the history: the retried pre-training records the checkpointed epoch and finishes', async () => {
    const { detail, logs, processes } = await trainKilledAt('pretrain', 2);
    expect(processes).toBe(2);
    expect(detail.status).toBe('done');
    expect(detail.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(logs.filter((l) => /epoch \d was checkpointed but not recorded/.test(l))).toEqual([
      `Run ${detail.id}: epoch 2 was checkpointed but not recorded before its training process stopped; recorded from the checkpoint.`,
    ]);
  });

  it('still gives a run killed while reporting its last epoch every epoch and its metrics', async () => {
    const pretrain = await trainKilledAt('pretrain', 3);
    expect(pretrain.detail.status).toBe('done');
    expect(pretrain.detail.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(pretrain.detail.metrics.find((m) => m.name === 'reconstructionMse')?.value).toBe(pretrain.detail.epochs[2].valLoss);
    const baseline = await trainKilledAt('baseline', 3);
    expect(baseline.detail.status).toBe('done');
    expect(baseline.detail.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(baseline.detail.maeOverall).toBeGreaterThan(0);
  });
});
