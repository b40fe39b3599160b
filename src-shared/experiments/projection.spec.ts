import { describe, expect, it } from 'vitest';
import { BENCH_SCALING, BENCH_TWO_THREAD_SPEEDUP, measuredSpeeds, projectExperiment, speedUp, stepCost, threadScaling, trainingWork, type MeasuredRun, type Speeds } from './projection';
import { experimentPlan } from './presets';

const speeds: Speeds = { pretrain: 1, baseline: 1, encoding: 1, finetune: 1, asMeasured: [] };

describe('the projected time of an experiment', () => {
  it('counts the GRUs\' and Dense(74)\'s multiply-adds per step, and three passes per trained sequence', () => {
    expect(stepCost({ hiddenUnits: 2, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' })).toBe(3 * 2 * (74 + 2) + 2 * 74);
    const { pretrain } = experimentPlan('quick');
    const sizes = { train: 10, validation: 4, test: 0 };
    const per = pretrain.sequence.maxFrames * stepCost(pretrain.model);
    expect(trainingWork('pretrain', pretrain, sizes)).toBe(per * (pretrain.epochs * 10 * 3 + (pretrain.validation === 'each-epoch' ? pretrain.epochs : 1) * 4));
  });

  it('takes the median seconds per unit of work of each kind measured, as measured for runs without a thread count', () => {
    const s = measuredSpeeds([
      { kind: 'pretrain', work: 100, seconds: 10, threads: null }, { kind: 'pretrain', work: 100, seconds: 30, threads: null }, { kind: 'pretrain', work: 100, seconds: 20, threads: null },
      { kind: 'finetune', encodingWork: 50, seconds: 5, threads: null }, { kind: 'finetune', encodingWork: null, seconds: 2, threads: null },
    ]);
    expect(s).toEqual({ pretrain: 0.2, baseline: null, encoding: 0.1, finetune: 2, asMeasured: ['pretrain', 'encoding', 'finetune'] });
  });

  it('plays the runs through the pool: fine-tunes wait for their pre-training, and one encodes before the others of it start', () => {
    const jobs = { pretrainings: [{ work: 10, done: false, finetunes: 3, encodingWork: 2, encoded: false }], baselines: [4, 4] };
    // One process: everything in a row: 10 + 4 + 4 + (2 + 1) + 1 + 1.
    expect(projectExperiment(jobs, speeds, 1)).toEqual({ seconds: 23, unknown: null, rough: false });
    // Two: pre-training on one (0-10) while the baselines run on the other (0-8); then the encoding fine-tune (10-13), then two fine-tunes side by side (13-14).
    expect(projectExperiment(jobs, speeds, 2)).toEqual({ seconds: 14, unknown: null, rough: false });
  });

  it('skips a reused pre-training, and says which kind is unmeasured instead of inventing a number', () => {
    const reused = { pretrainings: [{ work: 10, done: true, finetunes: 2, encodingWork: 2, encoded: true }], baselines: [] };
    expect(projectExperiment(reused, { pretrain: null, baseline: null, encoding: null, finetune: 1, asMeasured: [] }, 2)).toEqual({ seconds: 1, unknown: null, rough: false });
    const fresh = { pretrainings: [{ work: 10, done: false, finetunes: 2, encodingWork: 2, encoded: false }], baselines: [3] };
    expect(projectExperiment(fresh, { ...speeds, pretrain: null, baseline: null }, 2)).toEqual({ seconds: null, unknown: 'unknown until a run has trained on this backend (no pre-training, no baseline measured yet)', rough: false });
  });
});

describe('the projection shares the cores as the pool does', () => {
  const twoThreads = speedUp(2, BENCH_SCALING);
  it('speeds 2 threads up by the bench\'s figure while the store measures nothing better, and 1 thread not at all', () => {
    expect(twoThreads).toBeCloseTo(BENCH_TWO_THREAD_SPEEDUP, 12);
    expect(speedUp(1, BENCH_SCALING)).toBe(1);
    expect(threadScaling([{ kind: 'baseline', work: 10, seconds: 10, threads: 2 }])).toBe(BENCH_SCALING);
  });

  it('measures the speed-up from runs of one kind at 1 thread and at 2 when the store has both', () => {
    const runs: MeasuredRun[] = [
      { kind: 'baseline', work: 10, seconds: 30, threads: 1 },
      { kind: 'baseline', work: 10, seconds: 20, threads: 2 },
      { kind: 'baseline', work: 10, seconds: 20, threads: 1.5 }, // mostly neither: not a measure of either count
    ];
    const scaling = threadScaling(runs);
    expect(scaling.source).toBe('measured');
    expect(speedUp(2, scaling)).toBeCloseTo(1.5, 12);
    // Two threads no faster than one (a busy machine): no speed-up, not the bench's.
    const flat = threadScaling([{ kind: 'pretrain', work: 10, seconds: 30, threads: 1 }, { kind: 'pretrain', work: 10, seconds: 30, threads: 2 }]);
    expect(flat).toEqual({ parallelShare: 0, source: 'measured' });
  });

  it('projects the 2-process plan at one-thread speed per job from a run measured alone at 2 threads', () => {
    // A baseline measured alone on 2 cores at 2 threads: 10 s for 10 units, so 10 * BENCH_TWO_THREAD_SPEEDUP s on one thread.
    const measured = measuredSpeeds([{ kind: 'baseline', work: 10, seconds: 10, threads: 2 }]);
    expect(measured.baseline).toBeCloseTo(twoThreads, 12);
    const two = { pretrainings: [], baselines: [10, 10] };
    const pool = { workers: 2, cores: 2, maxThreads: 8 };
    // Side by side, one thread each: both take 10 * BENCH_TWO_THREAD_SPEEDUP s; the old projection said 10 s.
    expect(projectExperiment(two, measured, pool).seconds).toBeCloseTo(10 * twoThreads, 9);
    // One process: each alone at 2 threads, as measured: 10 s after 10 s.
    expect(projectExperiment(two, measured, { ...pool, workers: 1 }).seconds).toBeCloseTo(20, 9);
    // Two of unequal length: side by side at one thread until the short one ends, then the long one alone at two.
    const uneven = projectExperiment({ pretrainings: [], baselines: [10, 20] }, measured, pool);
    // 0 .. 10 * BENCH_TWO_THREAD_SPEEDUP s both at one thread (the long one does 10 of its 20 units), then 10 units at 2 threads: 10 s.
    expect(uneven.seconds).toBeCloseTo(10 * twoThreads + 10, 9);
    expect(uneven.rough).toBe(false);
  });

  it('still projects from old runs without thread counts, at their measured speed whatever runs beside them, and says it is rough', () => {
    const measured = measuredSpeeds([{ kind: 'baseline', work: 10, seconds: 10, threads: null }]);
    const p = projectExperiment({ pretrainings: [], baselines: [10, 10] }, measured, { workers: 2, cores: 2, maxThreads: 8 });
    expect(p).toEqual({ seconds: 10, unknown: null, rough: true });
    // Without threads to share (plain JS, or single-threaded WASM) nothing is rough about it.
    expect(projectExperiment({ pretrainings: [], baselines: [10, 10] }, measured, { workers: 2, cores: 2, maxThreads: 1 }).rough).toBe(false);
  });
});

describe('the projection with cluster workers', () => {
  const jobs = { pretrainings: [{ work: 10, done: false, finetunes: 2, encodingWork: 2, encoded: false }], baselines: [4, 4, 4] };

  it('sends the pre-trainings and baselines to the workers\' slots at each worker\'s speed, and keeps fine-tunes local', () => {
    // Slots: A (speed 1 s/unit) with 2 slots, B (2 s/unit) with 1 slot; one local process.
    const remote = [{ slots: 2, pretrain: 1, baseline: 1 }, { slots: 1, pretrain: 2, baseline: 2 }];
    // 0: pre-training on A1 (0-10), baseline on A2 (0-4), baseline on B (0-8); 4: last baseline on A2 (4-8).
    // 10: the encoding fine-tune locally (10-13), then the other (13-14).
    expect(projectExperiment(jobs, { ...speeds, pretrain: null, baseline: null }, { workers: 1, remote })).toEqual({ seconds: 14, unknown: null, rough: false });
  });

  it('counts each slot as a process of its own: more slots, less waiting', () => {
    const one = projectExperiment(jobs, speeds, { workers: 1, remote: [{ slots: 1, pretrain: 1, baseline: 1 }] });
    const three = projectExperiment(jobs, speeds, { workers: 1, remote: [{ slots: 3, pretrain: 1, baseline: 1 }] });
    // One slot: 10 + 4 + 4 + 4 in a row (the fine-tunes train locally meanwhile, 10-14).
    expect(one.seconds).toBe(22);
    // Three: the pre-training 0-10 beside the baselines (0-4, 0-4, 4-8); the fine-tunes 10-14.
    expect(three.seconds).toBe(14);
    const baselinesFirst = { pretrainings: [{ work: 2, done: false, finetunes: 1, encodingWork: 1, encoded: false }], baselines: [10, 10] };
    // One slot: pre-training 0-2, fine-tune 2-4 locally, baselines 2-12, 12-22. Three slots: all at once, done at 10.
    expect(projectExperiment(baselinesFirst, speeds, { workers: 1, remote: [{ slots: 1, pretrain: 1, baseline: 1 }] }).seconds).toBe(22);
    expect(projectExperiment(baselinesFirst, speeds, { workers: 1, remote: [{ slots: 3, pretrain: 1, baseline: 1 }] }).seconds).toBe(10);
  });
});
