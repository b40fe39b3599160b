import { describe, expect, it } from 'vitest';
import { projectSweep, resumableWrites, type StepTimes, type SweepShape } from './sweepProjection';

/** Two batches of training segments, one of validation; one label count of one batch, one repeat; two epochs each. */
const shape: SweepShape = {
  trainSegments: 64,
  validationSegments: 32,
  batchSize: 32,
  pretrainEpochs: 2,
  pretrainValidatesEachEpoch: true,
  supervisedEpochs: 2,
  supervisedValidatesEachEpoch: false,
  labelCounts: [32],
  repeats: 1,
};

/** Side by side, one thread: pre-training 40 s of steps + 2 s of validation, the baseline 10 + 1, the fine-tune 1 + 3 of encoding. */
const side: StepTimes = {
  threads: 1,
  pretrainStep: 10,
  pretrainValidationBatch: 1,
  baselineStep: { 20: 4, 32: 5 },
  inferenceBatch: 1,
  finetuneEpoch: { 20: 0.5, 1200: 0.5 },
  readBatch: 0,
  statisticsPerSegment: 0,
  checkpointWrite: { resumable: 0, final: 0 },
};
const scaled = (t: StepTimes, f: number, threads: number): StepTimes => ({
  threads,
  pretrainStep: t.pretrainStep * f,
  pretrainValidationBatch: t.pretrainValidationBatch * f,
  baselineStep: { 20: t.baselineStep[20] * f, 32: t.baselineStep[32] * f },
  inferenceBatch: t.inferenceBatch * f,
  finetuneEpoch: { 20: t.finetuneEpoch[20] * f, 1200: t.finetuneEpoch[1200] * f },
  readBatch: 0,
  statisticsPerSegment: 0,
  checkpointWrite: t.checkpointWrite,
});
/** Alone with both cores as threads, everything takes 0.6 of the time. */
const alone = scaled(side, 0.6, 2);
const sizes = { pretrainResumable: 300, pretrainFinal: 100, baselineResumable: 330, baselineFinal: 110, finetuneFinal: 1, encoderCache: 50, storedPredictions: 7 };

describe('resumableWrites', () => {
  it('writes once the interval has passed since the last write, and never for the last epoch (its weights are final)', () => {
    expect(resumableWrites(30, 100, 600)).toBe(4); // epochs 6, 12, 18, 24
    expect(resumableWrites(30, 5, 600)).toBe(0);
    expect(resumableWrites(3, 1, 0)).toBe(2);
  });
});

describe('projectSweep', () => {
  it('runs the baseline beside the pre-training, then the pre-training alone on every core, then the fine-tune', () => {
    const p = projectSweep(shape, side, alone, sizes, { processes: 2, cores: 2, everyCpuSeconds: 15, cpu: [side] });
    // The baseline ends at 11 s; the pre-training has 31/42 left, alone: 25.2 x 31/42 = 18.6 s; the fine-tune alone 2.4 s.
    expect(p.ends.baseline).toBeCloseTo(11, 9);
    expect(p.ends.pretrain).toBeCloseTo(29.6, 9);
    expect(p.wallSeconds).toBeCloseTo(32, 9);
    expect(p.runs).toEqual({ pretrain: 1, baseline: 1, finetune: 1 });
    // Process time: 11 s side by side each, then alone.
    expect(p.work.baseline.training + p.work.baseline.validation).toBeCloseTo(11, 9);
    expect(p.work.pretrain.training + p.work.pretrain.validation).toBeCloseTo(29.6, 9);
  });

  it('uses the side-by-side times while runs share the machine when both were measured at the same thread count', () => {
    // One thread alone and side by side: alone differs only by having the machine to itself.
    const aloneOneThread = scaled(side, 0.6, 1);
    const p = projectSweep(shape, side, aloneOneThread, sizes, { processes: 2, cores: 2, everyCpuSeconds: 15, cpu: [side] });
    // As in the first case: the baseline beside the pre-training at the side-by-side speed (11 s),
    // then the pre-training alone (25.2 x 31/42 = 18.6 s), then the fine-tune alone (2.4 s).
    expect(p.ends.baseline).toBeCloseTo(11, 9);
    expect(p.ends.pretrain).toBeCloseTo(29.6, 9);
    expect(p.wallSeconds).toBeCloseTo(32, 9);
  });

  it('runs one after another in a pool of one process', () => {
    const p = projectSweep(shape, side, alone, sizes, { processes: 1, cores: 2, everyCpuSeconds: 15, cpu: [side] });
    expect(p.wallSeconds).toBeCloseTo(25.2 + 6.6 + 2.4, 9);
  });

  it('counts the bytes written and kept: resumable checkpoints while a run trains, its final weights, the encoder cache and stored predictions', () => {
    const p = projectSweep(shape, side, alone, sizes, { processes: 2, cores: 2, everyCpuSeconds: 15, cpu: [side] });
    // The pre-training's first epoch (21 s) passes the 15 s interval; the baseline's (5.5 s) does not.
    expect(p.resumableCheckpoints).toBe(1);
    expect(p.bytesWritten).toBe(300 + 100 + 110 + 1 + 50 + 2 * 7);
    expect(p.bytesKept).toBe(100 + 110 + 1 + 50 + 2 * 7);
    expect(p.bytesPredictions).toBe(2 * 7);
  });

  it('counts the checkpoints on the CPU clock: on a machine loaded to four times the wall times, the sweep takes longer and writes the same', () => {
    const cpu = { everyCpuSeconds: 15, cpu: [side] };
    const quiet = projectSweep(shape, side, alone, sizes, { processes: 2, cores: 2, ...cpu });
    const loaded = projectSweep(shape, scaled(side, 4, 1), scaled(alone, 4, 2), sizes, { processes: 2, cores: 2, ...cpu });
    expect(loaded.wallSeconds).toBeCloseTo(4 * quiet.wallSeconds, 9);
    // The baseline's epoch takes 22 s of wall time there, past the interval, but still 5.5 s of CPU time: no checkpoint.
    expect(loaded.resumableCheckpoints).toBe(1);
    expect(loaded.bytesWritten).toBe(quiet.bytesWritten);
    expect(loaded.bytesWritten).toBe(300 + 100 + 110 + 1 + 50 + 2 * 7);
  });

  it('gives a run the checkpoints of its largest CPU time per epoch, among the thread counts it may train with', () => {
    // Over 7 s of CPU time: the pre-training's epochs (21 s) pass, the baseline's (5.5 s) only with
    // two threads spending half as much CPU time again on the same work (8.25 s).
    const oneThread = projectSweep(shape, side, alone, sizes, { processes: 2, cores: 2, everyCpuSeconds: 7, cpu: [side] });
    const twoThreads = projectSweep(shape, side, alone, sizes, { processes: 2, cores: 2, everyCpuSeconds: 7, cpu: [side, scaled(side, 1.5, 2)] });
    expect(oneThread.resumableCheckpoints).toBe(1);
    expect(twoThreads.resumableCheckpoints).toBe(2);
    expect(twoThreads.bytesWritten - oneThread.bytesWritten).toBe(330);
  });
});
