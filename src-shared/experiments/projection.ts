/**
 * How long an experiment will take, projected from how fast runs of each kind trained on this
 * backend. A run's work is the timesteps it pushes through its network weighted by the network's
 * multiply-adds per step (training steps count three passes: forward and backward); seconds per
 * unit of work are the median over the measured runs of the kind, each first converted to its
 * speed on one thread (a run that trained on k XNNPACK threads would have taken speedUp(k) times
 * as long on one). Fine-tunes are two jobs in one: the first of each pre-training computes the
 * encoder's outputs (work), the others train a head on the cached outputs (a fixed time, measured).
 * The runs are then played through the pool of training processes in the order the experiment
 * queues them: pre-trainings and baselines at once, the fine-tunes of a pre-training once it is
 * done, one of them encoding while the others wait. Each running local job gets its share of the
 * cores as the pool gives it (shareCores), so two jobs on 2 cores run at one-thread speed and a
 * job alone at two-thread speed. With cluster workers holding the dataset, the pre-trainings and
 * baselines go to their slots (as the pool hands them over: all of them), at the speed measured
 * on each worker's host or backend; fine-tunes stay local.
 */
import type { TrainConfig } from '../api/entities';
import { FEATURE_COUNT } from '../emotions';
import { shareCores } from '../training/coreShares';

export type JobKind = 'pretrain' | 'baseline' | 'finetune';

/** Segments of the split a run trains on. */
export interface SplitSizes {
  train: number;
  validation: number;
  test: number;
}

/** Multiply-adds of the network for one timestep of one sequence: the GRUs, then Dense(74). */
export function stepCost(model: TrainConfig['model']): number {
  const h = model.hiddenUnits;
  let cost = 0;
  for (let layer = 0; layer < model.gruLayers; layer++) cost += 3 * h * ((layer === 0 ? FEATURE_COUNT : h) + h);
  return cost + h * FEATURE_COUNT;
}

const TRAINING_PASSES = 3;
const passes = (config: TrainConfig) => (config.validation === 'each-epoch' ? config.epochs : 1);

/** The work of training (pre-training or baseline): epochs over its training segments, and its evaluation passes. */
export function trainingWork(kind: 'pretrain' | 'baseline', config: TrainConfig, sizes: SplitSizes): number {
  const perSequence = config.sequence.maxFrames * stepCost(config.model);
  const trained = kind === 'pretrain' ? sizes.train : Math.min(config.labels.count ?? sizes.train, sizes.train);
  const evaluated = passes(config) * sizes.validation + sizes.test;
  return perSequence * (config.epochs * trained * TRAINING_PASSES + evaluated);
}

/** The work of computing a pre-training's encoder outputs for every segment (the first fine-tune of it does). */
export function encodingWork(pretrain: TrainConfig, sizes: SplitSizes): number {
  return pretrain.sequence.maxFrames * stepCost(pretrain.model) * (sizes.train + sizes.validation + sizes.test);
}

/** A finished run as the projection reads it: what it did, how long it took, and on how many threads (null: not recorded). */
export type MeasuredRun =
  | { kind: 'pretrain' | 'baseline'; work: number; seconds: number; threads: number | null }
  /** `encodingWork` when this fine-tune computed its pre-training's outputs, else null. */
  | { kind: 'finetune'; encodingWork: number | null; seconds: number; threads: number | null };

export type SpeedKind = 'pretrain' | 'baseline' | 'encoding' | 'finetune';
export const SPEED_KINDS: readonly SpeedKind[] = ['pretrain', 'baseline', 'encoding', 'finetune'];

export interface Speeds {
  /** Seconds per unit of work on one thread (or as measured, for the kinds in `asMeasured`). */
  pretrain: number | null;
  baseline: number | null;
  encoding: number | null;
  /** Seconds of a fine-tune on cached outputs. */
  finetune: number | null;
  /**
   * Kinds measured only by runs that did not record their threads (older runs, other backends):
   * their seconds are taken as measured, whatever share of the cores a job gets.
   */
  asMeasured: SpeedKind[];
}

/**
 * `npm run bench -- steps` (README, "A fast recurrent layer"): on 2 quiet AMD EPYC cores a training
 * step on 2 XNNPACK threads ran 1.58× as fast as on 1 (pre-training 1.58, baseline 1.59). Used while the store holds no runs of
 * both thread counts to measure it from.
 */
export const BENCH_TWO_THREAD_SPEEDUP = 1.58;

/**
 * How a run's speed grows with its threads, by Amdahl's law: the share of its time that runs in
 * parallel, from a measured speed-up (the store's runs, or the bench's 2-thread figure).
 */
export interface ThreadScaling {
  parallelShare: number;
  /** 'measured': from runs of the store at 1 thread and at more; 'bench': BENCH_TWO_THREAD_SPEEDUP. */
  source: 'measured' | 'bench';
}

const parallelShareOf = (speedUp: number, threads: number) => Math.min(1, Math.max(0, (1 - 1 / speedUp) / (1 - 1 / threads)));
export const BENCH_SCALING: ThreadScaling = { parallelShare: parallelShareOf(BENCH_TWO_THREAD_SPEEDUP, 2), source: 'bench' };

/** How many times faster `threads` threads train than one. */
export function speedUp(threads: number, scaling: ThreadScaling): number {
  const k = Math.max(1, threads);
  return 1 / (1 - scaling.parallelShare + scaling.parallelShare / k);
}

const middle = (values: readonly number[]): number | null => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** The median of the positive values: a time of zero or less measures nothing. */
const median = (values: readonly number[]): number | null => middle(values.filter((v) => v > 0));

/** What one run says of its kind's speed: seconds per unit of work (or per fine-tune on cached outputs). */
function sample(r: MeasuredRun): { kind: SpeedKind; perUnit: number } | null {
  if (r.kind !== 'finetune') return r.work > 0 ? { kind: r.kind, perUnit: r.seconds / r.work } : null;
  return r.encodingWork ? { kind: 'encoding', perUnit: r.seconds / r.encodingWork } : { kind: 'finetune', perUnit: r.seconds };
}

/**
 * The speed-up of more threads, measured where the store holds runs of one kind at one thread and
 * at k (their mean threads within a quarter of a whole count): Amdahl's parallel share from each
 * kind's ratio of medians, the median over kinds; else the bench's figure.
 */
export function threadScaling(runs: readonly MeasuredRun[]): ThreadScaling {
  const groups = new Map<string, number[]>();
  for (const r of runs) {
    const s = sample(r);
    if (!s || r.threads === null || Math.abs(r.threads - Math.round(r.threads)) > 0.25) continue;
    const key = `${s.kind}:${Math.round(r.threads)}`;
    groups.set(key, [...(groups.get(key) ?? []), s.perUnit]);
  }
  const shares: number[] = [];
  for (const [key, values] of groups) {
    const [kind, k] = [key.slice(0, key.indexOf(':')), Number(key.slice(key.indexOf(':') + 1))];
    const one = groups.get(`${kind}:1`);
    if (k < 2 || !one) continue;
    const [slow, fast] = [median(one), median(values)];
    if (slow !== null && fast !== null) shares.push(parallelShareOf(slow / fast, k));
  }
  const share = middle(shares); // a share may be 0: more threads did not help
  return share === null ? BENCH_SCALING : { parallelShare: share, source: 'measured' };
}

/**
 * The median speed of each kind on one thread. Runs that recorded their threads are converted
 * to one thread; a kind without any is read from the runs that did not, as measured (`asMeasured`).
 */
export function measuredSpeeds(runs: readonly MeasuredRun[], scaling: ThreadScaling = BENCH_SCALING): Speeds {
  const speeds: Speeds = { pretrain: null, baseline: null, encoding: null, finetune: null, asMeasured: [] };
  for (const kind of SPEED_KINDS) {
    const samples = runs.flatMap((r) => {
      const s = sample(r);
      return s && s.kind === kind ? [{ perUnit: s.perUnit, threads: r.threads }] : [];
    });
    const threaded = samples.filter((s) => s.threads !== null);
    if (threaded.length) speeds[kind] = median(threaded.map((s) => s.perUnit * speedUp(s.threads!, scaling)));
    else {
      speeds[kind] = median(samples.map((s) => s.perUnit));
      if (speeds[kind] !== null) speeds.asMeasured.push(kind);
    }
  }
  return speeds;
}

/** The runs an experiment will train, as the projection needs them. */
export interface PlannedJobs {
  /** Pre-trainings to train (work), and reused ones that are already done (work 0, done). */
  pretrainings: Array<{ work: number; done: boolean; finetunes: number; encodingWork: number; encoded: boolean }>;
  /** Work of each baseline to train. */
  baselines: number[];
}

/** A cluster worker's slots (its pool size) and its speeds there, in seconds per unit of work as measured. */
export interface RemoteSlots {
  slots: number;
  pretrain: number;
  baseline: number;
}

/** The processes the plan is played through. */
export interface Pool {
  /** Local training processes. */
  workers: number;
  /** Cores the local pool shares out as threads (absent: one thread per job). */
  cores?: number;
  /** The most threads a local process takes (absent or 1: no sharing). */
  maxThreads?: number;
  scaling?: ThreadScaling;
  /** Workers that take the pre-trainings and baselines (none: they train locally). */
  remote?: readonly RemoteSlots[];
}

export type Projection =
  | { seconds: number; unknown: null; /** Some kind was measured without thread counts (see Speeds.asMeasured). */ rough: boolean }
  | { seconds: null; unknown: string; rough: false };

const KIND_NAMES: Record<SpeedKind, string> = { pretrain: 'pre-training', baseline: 'baseline', encoding: 'first fine-tune of a pre-training', finetune: 'fine-tune on cached outputs' };

interface Job {
  kind: 'pretrain' | 'baseline' | 'finetune';
  /** Pre-training and baseline: their work (a worker's slot times it by its speed); fine-tune: 0, its seconds are all in scaled and fixed. */
  work: number;
  /** Seconds on one local thread that scale with threads, and seconds taken as measured. */
  scaled: number;
  fixed: number;
  parent: number | null;
  encodes: boolean;
}

/** The experiment's wall time on `pool` (a number: that many local processes), or which kind of run has not been measured yet. */
export function projectExperiment(jobs: PlannedJobs, speeds: Speeds, pool: number | Pool): Projection {
  const { workers, cores = 1, maxThreads = 1, scaling = BENCH_SCALING, remote = [] } = typeof pool === 'number' ? { workers: pool } : pool;
  const slots = remote.flatMap((w) => Array.from({ length: w.slots }, () => w));
  const needs: SpeedKind[] = [];
  // Pre-trainings and baselines need local speeds only when they train locally.
  if (!slots.length && jobs.pretrainings.some((p) => !p.done)) needs.push('pretrain');
  if (!slots.length && jobs.baselines.length) needs.push('baseline');
  if (jobs.pretrainings.some((p) => p.finetunes > 0 && !p.encoded)) needs.push('encoding');
  if (jobs.pretrainings.some((p) => p.finetunes > (p.encoded ? 0 : 1))) needs.push('finetune');
  const missing = needs.filter((k) => speeds[k] === null);
  if (missing.length) return { seconds: null, unknown: `unknown until a run has trained on this backend (no ${missing.map((k) => KIND_NAMES[k]).join(', no ')} measured yet)`, rough: false };

  /** One part of a job, of `kind` speed, `units` of it. */
  const part = (kind: SpeedKind, units: number) => (speeds.asMeasured.includes(kind) ? { scaled: 0, fixed: units * speeds[kind]! } : { scaled: units * speeds[kind]!, fixed: 0 });
  const sum = (a: { scaled: number; fixed: number }, b: { scaled: number; fixed: number }) => ({ scaled: a.scaled + b.scaled, fixed: a.fixed + b.fixed });
  const trained = (kind: 'pretrain' | 'baseline', work: number): Job => ({ kind, work, parent: null, encodes: false, ...(slots.length ? { scaled: 0, fixed: 0 } : part(kind, work)) });

  const queue: Job[] = [];
  const waiting = new Map<Job, Job[]>();
  jobs.pretrainings.forEach((p, i) => {
    const finetunes: Job[] = Array.from({ length: p.finetunes }, (_, k) => {
      const encodes = !p.encoded && k === 0;
      return { kind: 'finetune', work: 0, parent: i, encodes, ...(encodes ? sum(part('encoding', p.encodingWork), part('finetune', 1)) : part('finetune', 1)) };
    });
    if (p.done) queue.push(...finetunes);
    else {
      const pretrain = trained('pretrain', p.work);
      queue.push(pretrain);
      waiting.set(pretrain, finetunes);
    }
  });
  queue.push(...jobs.baselines.map((work) => trained('baseline', work)));

  const isRemote = (job: Job) => slots.length > 0 && job.kind !== 'finetune';
  // Event-driven: free processes (and free slots) take the first job that may start; a fine-tune
  // waits while one of the same pre-training encodes. Each job's progress is a fraction of it,
  // advancing at the rate its share of the cores gives it, re-shared whenever a job starts or ends.
  const running: Array<{ job: Job; left: number; slot: number | null }> = [];
  let now = 0;
  while (queue.length || running.length) {
    const localBusy = () => running.filter((r) => r.slot === null).length;
    for (let index = 0; index < queue.length; ) {
      const job = queue[index];
      const mayStart = job.parent === null || !running.some((r) => r.job.parent === job.parent && r.job.encodes);
      const slot = isRemote(job) ? slots.findIndex((_, i) => !running.some((r) => r.slot === i)) : null;
      const free = isRemote(job) ? slot! >= 0 : localBusy() < Math.max(1, workers);
      if (mayStart && free) {
        queue.splice(index, 1);
        running.push({ job, left: 1, slot });
      } else index++;
    }
    if (!running.length) break; // nothing can start: cannot happen with at least one process
    const local = running.filter((r) => r.slot === null);
    const shares = shareCores(Math.max(1, cores), local.map((r, id) => ({ id, cost: r.job.scaled + r.job.fixed, max: Math.max(1, maxThreads) })));
    const duration = (r: (typeof running)[number]) => {
      if (r.slot !== null) return r.job.work * slots[r.slot][r.job.kind as 'pretrain' | 'baseline'];
      return r.job.fixed + r.job.scaled / speedUp(shares.get(local.indexOf(r))!, scaling);
    };
    const durations = running.map(duration);
    const step = Math.min(...running.map((r, i) => r.left * durations[i]));
    now += step;
    const finished: Job[] = [];
    running.forEach((r, i) => {
      r.left = durations[i] > 0 ? r.left - step / durations[i] : 0;
      if (r.left <= 1e-9) finished.push(r.job);
    });
    for (const job of finished) {
      running.splice(running.findIndex((r) => r.job === job), 1);
      queue.push(...(waiting.get(job) ?? []));
    }
  }
  // Without thread sharing every local job runs on one thread, as runs without a count did.
  return { seconds: now, unknown: null, rough: maxThreads > 1 && cores > 1 && needs.some((k) => speeds.asMeasured.includes(k)) };
}
