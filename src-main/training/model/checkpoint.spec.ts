import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EpochRecord } from '@shared/api/entities';
import { stopsEarly } from '@shared/training/selection';
import { BestWeights } from '../jobs/selection';
import { CHECKPOINT_AT_LEAST_EVERY_WALL_SECONDS, checkpointAfterEpoch, loadCheckpoint, RunCheckpoints, type RunCheckpointOptions } from './checkpoint';

const root = mkdtempSync(join(tmpdir(), 'wb-checkpoint-'));
beforeAll(() => tf.setBackend('cpu'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const record = (epoch: number, valLoss: number | null = null): EpochRecord => ({ epoch, loss: 1 / epoch, valLoss, seconds: 4, maskedLoss: null, valMaskedLoss: null });

/** A two-variable model with Adam, a clock the test moves, and checkpoints every 10 s over 5 epochs. */
function setup(name: string, more: Partial<RunCheckpointOptions> = {}, valLosses: Array<number | null> = []) {
  const dir = join(root, name);
  const w = tf.variable(tf.tensor1d([1, 2, 3]), true, `${name}/w`);
  const b = tf.variable(tf.scalar(0.5), true, `${name}/b`);
  const optimizer = tf.train.adam(0.1);
  let seconds = 0;
  const checkpoints = new RunCheckpoints({ dir, variables: { w, b }, optimizer, lastEpoch: 5, everySeconds: 10, extraState: { stats: 'kept' }, now: () => seconds * 1000, ...more });
  /** One epoch of 4 s: an Adam step, then its end as the job reports it. */
  const epoch = async (n: number) => {
    optimizer.minimize(() => tf.sum(tf.add(tf.square(w), b)) as tf.Scalar);
    seconds += 4;
    await checkpoints.epochEnded(n, Array.from({ length: n }, (_, i) => record(i + 1, valLosses[i] ?? null)));
  };
  const files = () => (existsSync(dir) ? readdirSync(dir).sort() : []);
  const dispose = () => {
    checkpoints.dispose();
    optimizer.dispose();
    tf.dispose([w, b]);
  };
  return { dir, w, b, checkpoints, epoch, files, dispose };
}

describe('checkpointAfterEpoch', () => {
  it('writes the last epoch as final weights, a resumable checkpoint once the interval has passed, else nothing', () => {
    expect(checkpointAfterEpoch(30, 30, 0, 600)).toBe('final');
    expect(checkpointAfterEpoch(29, 30, 599, 600)).toBeNull();
    expect(checkpointAfterEpoch(29, 30, 600, 600)).toBe('resumable');
    expect(checkpointAfterEpoch(1, 30, 0, 0)).toBe('resumable'); // every epoch
    expect(checkpointAfterEpoch(12, 30, 0, 600, true)).toBe('final'); // early stopping ends the run here
  });
});

describe('RunCheckpoints', () => {
  it('writes a resumable checkpoint only once the interval has passed, then the final weights without the optimizer', async () => {
    const run = setup('interval');
    await run.epoch(1);
    await run.epoch(2);
    expect(run.files()).toEqual([]); // 8 s: nothing written yet
    await run.epoch(3);
    expect(run.files()).toEqual(['optimizer.bin', 'optimizer.json', 'state.json', 'weights.bin', 'weights.json']);
    expect(loadCheckpoint(run.dir)!.state).toMatchObject({ epoch: 3, stats: 'kept', epochs: [record(1), record(2), record(3)] });
    await run.epoch(4); // 4 s after the last write
    expect(loadCheckpoint(run.dir)!.state.epoch).toBe(3);
    await run.epoch(5);
    expect(run.files()).toEqual(['state.json', 'weights.bin', 'weights.json']);
    const final = loadCheckpoint(run.dir)!;
    expect(final.state.epoch).toBe(5);
    expect(Array.from(final.weights.w.dataSync())).toEqual(Array.from(run.w.dataSync()));
    run.dispose();
  });

  describe('on its default clock, the training process\'s CPU time', () => {
    afterEach(() => vi.restoreAllMocks());

    it('on a loaded machine (CPU time advancing at half the wall clock\'s pace), writes nothing until the CPU interval has passed', async () => {
      let wallSeconds = 0;
      let cpuSeconds = 0;
      vi.spyOn(Date, 'now').mockImplementation(() => wallSeconds * 1000);
      // User and system time both count.
      vi.spyOn(process, 'cpuUsage').mockImplementation(() => ({ user: cpuSeconds * 0.75e6, system: cpuSeconds * 0.25e6 }));
      const run = setup('cpu-clock', { now: undefined });
      const epoch = async (n: number) => {
        wallSeconds += 8;
        cpuSeconds += 4;
        await run.epoch(n);
      };
      await epoch(1);
      await epoch(2);
      expect(run.files()).toEqual([]); // 16 s of wall time, 8 s of CPU time: under the 10 s interval
      await epoch(3);
      expect(loadCheckpoint(run.dir)!.state.epoch).toBe(3); // 12 s of CPU time
      expect(run.files()).toContain('optimizer.bin');
      await epoch(4); // 4 s of CPU time since
      expect(loadCheckpoint(run.dir)!.state.epoch).toBe(3);
      run.dispose();
    });
  });

  it('writes a resumable checkpoint after an hour of wall time even when its process used almost no CPU time (a GPU backend)', async () => {
    let wallSeconds = 0;
    const run = setup('wall-ceiling', { now: () => 0, wallNow: () => wallSeconds * 1000 });
    wallSeconds = CHECKPOINT_AT_LEAST_EVERY_WALL_SECONDS - 1;
    await run.epoch(1);
    expect(run.files()).toEqual([]); // no CPU time, under an hour
    wallSeconds = CHECKPOINT_AT_LEAST_EVERY_WALL_SECONDS;
    await run.epoch(2);
    expect(loadCheckpoint(run.dir)!.state.epoch).toBe(2);
    wallSeconds += 60;
    await run.epoch(3); // the hour counts again from that write
    expect(loadCheckpoint(run.dir)!.state.epoch).toBe(2);
    run.dispose();
  });

  it('on a cancel, writes the last completed epoch as it ended, resumable, whatever trained after it', async () => {
    const run = setup('cancel');
    await run.epoch(1);
    const atEpochEnd = Array.from(run.w.dataSync());
    run.w.assign(tf.tensor1d([9, 9, 9])); // the next epoch's first batches
    await run.checkpoints.flush();
    const saved = loadCheckpoint(run.dir)!;
    expect(saved.state.epoch).toBe(1);
    expect(Array.from(saved.weights.w.dataSync())).toEqual(atEpochEnd);
    expect(saved.optimizer!.map((t) => t.name)).toEqual(['iter', 'cancel/w/m', 'cancel/b/m', 'cancel/w/v', 'cancel/b/v']);
    const written = run.files();
    await run.checkpoints.flush(); // nothing new to write
    expect(run.files()).toEqual(written);
    run.dispose();
  });

  it('holds one copy of the weights and optimizer state in memory between writes, none once disposed', async () => {
    const run = setup('memory');
    await run.epoch(1); // not written: kept
    const holding = tf.memory().numTensors;
    run.checkpoints.dispose();
    expect(holding - tf.memory().numTensors).toBe(2 + 5); // w, b; Adam's step count and two moments each
    run.dispose();
  });

  it.each([
    ['holds each epoch in memory', 1000],
    ['writes each epoch', 0],
  ])('leaves the tensor count where it was from one epoch to the next when it %s', async (_, everySeconds) => {
    const run = setup(`steady-${everySeconds}`, { lastEpoch: 20, everySeconds });
    await run.epoch(1);
    await run.epoch(2);
    const after2 = tf.memory().numTensors;
    for (let n = 3; n <= 6; n++) await run.epoch(n);
    expect(tf.memory().numTensors).toBe(after2);
    run.dispose();
  });

  it('with model selection, keeps the best epoch\'s weights beside a resumable checkpoint and in a cancel\'s, and ends with them alone', async () => {
    const selection = new BestWeights({ selection: 'best-validation-loss' });
    // Validation losses 3, 1 (the best), 2, 2: early stopping with patience 2 ends the run after epoch 4 of 5.
    const run = setup('selection', { selection, stopsAfter: (records) => stopsEarly(records, { patience: 2 }) }, [3, 1, 2, 2]);
    await run.epoch(1);
    await run.epoch(2);
    const atBest = Array.from(run.w.dataSync());
    await run.epoch(3); // 12 s: resumable
    const resumable = loadCheckpoint(run.dir)!;
    expect(resumable.state).toMatchObject({ epoch: 3, bestEpoch: 2 });
    expect(resumable.optimizer).not.toBeNull();
    expect(Array.from(resumable.best!.w.dataSync())).toEqual(atBest);
    expect(Array.from(resumable.weights.w.dataSync())).not.toEqual(atBest);
    await run.epoch(4);
    const final = loadCheckpoint(run.dir)!;
    expect(final.state).toMatchObject({ epoch: 4, bestEpoch: 2, selectedEpoch: 2 });
    expect(run.files()).toEqual(['state.json', 'weights.bin', 'weights.json']);
    expect(Array.from(final.weights.w.dataSync())).toEqual(atBest);
    selection.dispose();
    run.dispose();

    const cancelled = new BestWeights({ selection: 'best-validation-loss' });
    const again = setup('selection-cancel', { selection: cancelled }, [3, 1, 2]);
    await again.epoch(1);
    await again.epoch(2);
    const best = Array.from(again.w.dataSync());
    await again.epoch(3); // written: 12 s
    await again.epoch(4); // kept in memory (4 s), with the best epoch's weights
    await again.checkpoints.flush();
    const flushed = loadCheckpoint(again.dir)!;
    expect(flushed.state).toMatchObject({ epoch: 4, bestEpoch: 2 });
    expect(Array.from(flushed.best!.w.dataSync())).toEqual(best);
    cancelled.dispose();
    again.dispose();
  });
});
