/**
 * A sweep's wall time and disk use, projected from measured step times: every run of the
 * plan is given a duration from the times of its own kind of step, batch, validation pass
 * and I/O, and the runs are then played through the pool as TrainingService runs them
 * (queued longest first, baselines beside the pre-training, fine-tunes once it is done,
 * the first fine-tune computing the encoder's outputs alone, cores shared out as threads).
 * What the runs write follows the checkpoints' clock, the training process's CPU time, so it
 * is counted from CPU step times and does not change with the wall times the machine's load gives.
 * Pure: `npm run bench -- paper` feeds it what jobTimings.ts measured.
 */
import { checkpointAfterEpoch } from '../training/model/checkpoint';
import { shareCores } from '@shared/training/coreShares';

/** Seconds, measured with a given number of threads per process. */
export interface StepTimes {
  threads: number;
  pretrainStep: number;
  pretrainValidationBatch: number;
  /** A baseline step at these many rows (measured at two sizes, linear between). */
  baselineStep: Record<number, number>;
  /** The encoder and head over one batch: a baseline's validation, the encoding pass. */
  inferenceBatch: number;
  /** A fine-tune epoch on cached outputs at these many labels (measured at two sizes). */
  finetuneEpoch: Record<number, number>;
  /** Reading (and masking) one batch of the paper's size. */
  readBatch: number;
  /** The standardisation pass, per training segment (every pre-training and baseline run makes one). */
  statisticsPerSegment: number;
  checkpointWrite: { resumable: number; final: number };
}

export interface SweepShape {
  trainSegments: number;
  validationSegments: number;
  batchSize: number;
  pretrainEpochs: number;
  pretrainValidatesEachEpoch: boolean;
  supervisedEpochs: number;
  supervisedValidatesEachEpoch: boolean;
  labelCounts: number[];
  repeats: number;
}

export interface CheckpointSizes {
  pretrainResumable: number;
  pretrainFinal: number;
  baselineResumable: number;
  baselineFinal: number;
  finetuneFinal: number;
  /** The cached encoder outputs: one float32 row of the head's input per segment. */
  encoderCache: number;
  /** What a finished baseline or fine-tune stores in the run store: its predictions (six float32 and a segment index per evaluated segment). */
  storedPredictions: number;
}

export interface ProjectionOptions {
  processes: number;
  cores: number;
  /** Seconds of the training process's CPU time between resumable checkpoints (CHECKPOINT_EVERY_CPU_SECONDS). */
  everyCpuSeconds: number;
  /**
   * Step times by the CPU time the training process used (all its threads), at each thread count
   * a run may train with (side by side, alone). A run is given as many resumable checkpoints as
   * the largest of its CPU times per epoch makes (more threads spend more CPU time on the same
   * work), so the bytes written are what the sweep writes at most, at any load.
   */
  cpu: StepTimes[];
}

/** A run's time by what it spends it on, in seconds. */
export interface Work {
  training: number;
  validation: number;
  io: number;
}

type Kind = 'pretrain' | 'baseline' | 'finetune';

interface Run {
  id: number;
  kind: Kind;
  labels: number;
  /** Work at the side-by-side speed and alone (all cores), and what it writes. */
  side: Work;
  alone: Work;
  checkpoints: number;
  written: number;
  kept: number;
}

export interface Projection {
  wallSeconds: number;
  /** Process-seconds spent, by kind of run and by what on (at the speed each run ran). */
  work: Record<Kind, Work>;
  /** When the last run of each kind ended. */
  ends: Record<Kind, number>;
  runs: Record<Kind, number>;
  /** Every run's resumable checkpoints and what it keeps: set by the CPU step times, the same at any wall time. */
  bytesWritten: number;
  bytesKept: number;
  /** Of those, the supervised runs' stored predictions (written once, kept). */
  bytesPredictions: number;
  resumableCheckpoints: number;
}

const total = (w: Work) => w.training + w.validation + w.io;
const batchesOf = (n: number, size: number) => Math.ceil(n / size);

/** A figure measured at two sizes, linear between (and beyond, never below a tenth of the smaller). */
function atSize(measured: Record<number, number>, size: number): number {
  const [a, b] = Object.keys(measured).map(Number).sort((x, y) => x - y);
  if (b === undefined) return measured[a];
  const value = measured[a] + ((measured[b] - measured[a]) * (size - a)) / (b - a);
  return Math.max(value, measured[a] / 10);
}

/** Resumable checkpoints a run of `epochs` epochs of `epochSeconds` each writes before its final one. */
export function resumableWrites(epochs: number, epochSeconds: number, everySeconds: number): number {
  let writes = 0;
  let since = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    since += epochSeconds;
    if (checkpointAfterEpoch(epoch, epochs, since, everySeconds) === 'resumable') {
      writes++;
      since = 0;
    }
  }
  return writes;
}

function pretrainWork(s: SweepShape, t: StepTimes): Work {
  const trainBatches = batchesOf(s.trainSegments, s.batchSize);
  const validationBatches = batchesOf(s.validationSegments, s.batchSize) * (s.pretrainValidatesEachEpoch ? s.pretrainEpochs : 1);
  return {
    training: s.pretrainEpochs * trainBatches * t.pretrainStep,
    validation: validationBatches * t.pretrainValidationBatch,
    io: (s.pretrainEpochs * trainBatches + validationBatches) * t.readBatch + s.trainSegments * t.statisticsPerSegment,
  };
}

function baselineWork(s: SweepShape, t: StepTimes, labels: number): Work {
  const full = Math.floor(labels / s.batchSize);
  const rest = labels % s.batchSize;
  const epoch = full * atSize(t.baselineStep, s.batchSize) + (rest ? atSize(t.baselineStep, rest) : 0);
  const validationBatches = batchesOf(s.validationSegments, s.batchSize) * (s.supervisedValidatesEachEpoch ? s.supervisedEpochs : 1);
  return {
    training: s.supervisedEpochs * epoch,
    validation: validationBatches * t.inferenceBatch,
    io: (s.supervisedEpochs * (labels / s.batchSize) + validationBatches) * t.readBatch + s.trainSegments * t.statisticsPerSegment,
  };
}

function finetuneWork(s: SweepShape, t: StepTimes, labels: number, encodes: boolean): Work {
  const all = s.trainSegments + s.validationSegments;
  return {
    training: s.supervisedEpochs * atSize(t.finetuneEpoch, labels),
    validation: encodes ? batchesOf(all, s.batchSize) * t.inferenceBatch : 0,
    io: encodes ? batchesOf(all, s.batchSize) * t.readBatch : 0,
  };
}

/** Resumable checkpoints of a run: as many as its largest CPU time per epoch makes (see ProjectionOptions.cpu). */
function cpuCheckpoints(work: (t: StepTimes) => Work, epochs: number, options: ProjectionOptions): number {
  return Math.max(0, ...options.cpu.map((t) => resumableWrites(epochs, total(work(t)) / epochs, options.everyCpuSeconds)));
}

/** Adds the time of a run's checkpoint writes to its I/O. */
const withWrites = (work: Work, checkpoints: number, t: StepTimes): Work => ({ ...work, io: work.io + checkpoints * t.checkpointWrite.resumable + t.checkpointWrite.final });

function plannedRuns(s: SweepShape, side: StepTimes, alone: StepTimes, sizes: CheckpointSizes, options: ProjectionOptions): Run[] {
  const runs: Run[] = [];
  const add = (kind: Kind, labels: number, work: (t: StepTimes) => Work, epochs: number, resumable: number, final: number) => {
    // A fine-tune writes its head's final weights alone, in no time worth counting.
    const checkpoints = kind === 'finetune' ? 0 : cpuCheckpoints(work, epochs, options);
    const timed = (t: StepTimes) => (kind === 'finetune' ? work(t) : withWrites(work(t), checkpoints, t));
    runs.push({ id: runs.length, kind, labels, side: timed(side), alone: timed(alone), checkpoints, written: checkpoints * resumable + final, kept: final });
  };
  add('pretrain', 0, (t) => pretrainWork(s, t), s.pretrainEpochs, sizes.pretrainResumable, sizes.pretrainFinal);
  const longestFirst = [...s.labelCounts].sort((a, b) => b - a);
  for (const labels of longestFirst) {
    for (let r = 0; r < s.repeats; r++) add('baseline', labels, (t) => baselineWork(s, t, labels), s.supervisedEpochs, sizes.baselineResumable, sizes.baselineFinal + sizes.storedPredictions);
  }
  let first = true;
  for (const labels of longestFirst) {
    for (let r = 0; r < s.repeats; r++) {
      const encodes = first;
      first = false;
      add('finetune', labels, (t) => finetuneWork(s, t, labels, encodes), s.supervisedEpochs, 0, sizes.finetuneFinal + sizes.storedPredictions + (encodes ? sizes.encoderCache : 0));
    }
  }
  return runs;
}

/**
 * Plays the plan through a pool of `processes` training processes on `cores` cores. A run's
 * speed follows its share of the cores (shareCores) and whether it trains alone: a lone run at
 * `alone.threads` threads or more takes the `alone` times, one beside others at `side.threads`
 * or fewer the `side` times, the rate linear in threads between.
 */
export function projectSweep(shape: SweepShape, side: StepTimes, alone: StepTimes, sizes: CheckpointSizes, options: ProjectionOptions): Projection {
  const runs = plannedRuns(shape, side, alone, sizes, options);
  const queue = runs.filter((r) => r.kind !== 'finetune');
  const finetunes = runs.filter((r) => r.kind === 'finetune');
  const running = new Map<number, { run: Run; left: number }>(); // left: fraction of the run still to do
  const work: Record<Kind, Work> = { pretrain: { training: 0, validation: 0, io: 0 }, baseline: { training: 0, validation: 0, io: 0 }, finetune: { training: 0, validation: 0, io: 0 } };
  const ends: Record<Kind, number> = { pretrain: 0, baseline: 0, finetune: 0 };
  let encoded = false;
  let now = 0;
  /** A run's duration at its share of the cores, with `together` runs training at once. */
  const durationAt = (run: Run, threads: number, together: number) => {
    const sideSeconds = total(run.side);
    const aloneSeconds = total(run.alone);
    // Beside another run at most the side-by-side threads: as measured side by side (the other
    // processes' load counts even when the thread counts are the same); a lone run as measured alone.
    if (together > 1 && threads <= side.threads) return sideSeconds;
    if (together === 1 && threads >= alone.threads) return aloneSeconds;
    if (alone.threads === side.threads) return together > 1 ? sideSeconds : aloneSeconds;
    // Rates (runs per second) linear in threads between the two measured settings.
    const f = Math.min(1, Math.max(0, (threads - side.threads) / (alone.threads - side.threads)));
    return 1 / (1 / sideSeconds + f * (1 / aloneSeconds - 1 / sideSeconds));
  };
  while (queue.length || running.size) {
    // Start what may start on free processes (a fine-tune waits while the first one encodes).
    while (running.size < options.processes) {
      const index = queue.findIndex((r) => r.kind !== 'finetune' || encoded || ![...running.values()].some((x) => x.run.kind === 'finetune'));
      if (index < 0) break;
      const [run] = queue.splice(index, 1);
      running.set(run.id, { run, left: 1 });
    }
    const shares = shareCores(options.cores, [...running.values()].map(({ run }) => ({ id: run.id, cost: total(run.side), max: alone.threads })));
    const durations = new Map([...running.values()].map(({ run }) => [run.id, durationAt(run, shares.get(run.id)!, running.size)]));
    const step = Math.min(...[...running.values()].map(({ run, left }) => left * durations.get(run.id)!));
    now += step;
    for (const [id, state] of running) {
      const share = step / durations.get(id)!;
      // The process time spent, split as the run splits its time (its side-by-side proportions).
      const parts = state.run.side;
      for (const key of ['training', 'validation', 'io'] as const) work[state.run.kind][key] += total(parts) ? (step * parts[key]) / total(parts) : 0;
      state.left -= share;
      if (state.left <= 1e-9) {
        running.delete(id);
        ends[state.run.kind] = now;
        if (state.run.kind === 'pretrain') queue.push(...finetunes);
        if (state.run.kind === 'finetune') encoded = true;
      }
    }
  }
  const count = (kind: Kind) => runs.filter((r) => r.kind === kind).length;
  return {
    wallSeconds: now,
    work,
    ends,
    runs: { pretrain: count('pretrain'), baseline: count('baseline'), finetune: count('finetune') },
    bytesWritten: runs.reduce((sum, r) => sum + r.written, 0),
    bytesKept: runs.reduce((sum, r) => sum + r.kept, 0),
    bytesPredictions: runs.filter((r) => r.kind !== 'pretrain').length * sizes.storedPredictions,
    resumableCheckpoints: runs.reduce((sum, r) => sum + r.checkpoints, 0),
  };
}
