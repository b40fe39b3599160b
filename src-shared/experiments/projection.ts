/**
 * How long an experiment will take, projected from how fast runs of each kind trained on this
 * backend. A run's work is the timesteps it pushes through its network weighted by the network's
 * multiply-adds per step (training steps count three passes: forward and backward); seconds per
 * unit of work are the median over the measured runs of the kind. Fine-tunes are two jobs in one:
 * the first of each pre-training computes the encoder's outputs (work), the others train a head on
 * the cached outputs (a fixed time, measured). The runs are then played through the pool of
 * training processes in the order the experiment queues them: pre-trainings and baselines at
 * once, the fine-tunes of a pre-training once it is done, one of them encoding while the others wait.
 */
import type { TrainConfig } from '../api/entities';
import { FEATURE_COUNT } from '../emotions';

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

/** A finished run as the projection reads it: what it did and how long it took. */
export type MeasuredRun =
  | { kind: 'pretrain' | 'baseline'; work: number; seconds: number }
  /** `encodingWork` when this fine-tune computed its pre-training's outputs, else null. */
  | { kind: 'finetune'; encodingWork: number | null; seconds: number };

export interface Speeds {
  /** Seconds per unit of work. */
  pretrain: number | null;
  baseline: number | null;
  encoding: number | null;
  /** Seconds of a fine-tune on cached outputs. */
  finetune: number | null;
}

const median = (values: number[]): number | null => {
  const sorted = values.filter((v) => Number.isFinite(v) && v > 0).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export function measuredSpeeds(runs: readonly MeasuredRun[]): Speeds {
  const perWork = (kind: 'pretrain' | 'baseline') => median(runs.flatMap((r) => (r.kind === kind && r.work > 0 ? [r.seconds / r.work] : [])));
  return {
    pretrain: perWork('pretrain'),
    baseline: perWork('baseline'),
    encoding: median(runs.flatMap((r) => (r.kind === 'finetune' && r.encodingWork ? [r.seconds / r.encodingWork] : []))),
    finetune: median(runs.flatMap((r) => (r.kind === 'finetune' && r.encodingWork === null ? [r.seconds] : []))),
  };
}

/** The runs an experiment will train, as the projection needs them. */
export interface PlannedJobs {
  /** Pre-trainings to train (work), and reused ones that are already done (work 0, done). */
  pretrainings: Array<{ work: number; done: boolean; finetunes: number; encodingWork: number; encoded: boolean }>;
  /** Work of each baseline to train. */
  baselines: number[];
}

export type Projection = { seconds: number; unknown: null } | { seconds: null; unknown: string };

const KIND_NAMES: Record<keyof Speeds, string> = { pretrain: 'pre-training', baseline: 'baseline', encoding: 'first fine-tune of a pre-training', finetune: 'fine-tune on cached outputs' };

/** The experiment's wall time with `workers` training processes, or which kind of run has not been measured yet. */
export function projectExperiment(jobs: PlannedJobs, speeds: Speeds, workers: number): Projection {
  const needs: Array<keyof Speeds> = [];
  if (jobs.pretrainings.some((p) => !p.done)) needs.push('pretrain');
  if (jobs.baselines.length) needs.push('baseline');
  if (jobs.pretrainings.some((p) => p.finetunes > 0 && !p.encoded)) needs.push('encoding');
  if (jobs.pretrainings.some((p) => p.finetunes > (p.encoded ? 0 : 1))) needs.push('finetune');
  const missing = needs.filter((k) => speeds[k] === null);
  if (missing.length) return { seconds: null, unknown: `unknown until a run has trained on this backend (no ${missing.map((k) => KIND_NAMES[k]).join(', no ')} measured yet)` };

  interface Job { seconds: number; parent: number | null; encodes: boolean }
  const queue: Job[] = [];
  const waiting = new Map<number, Job[]>();
  jobs.pretrainings.forEach((p, i) => {
    const finetunes: Job[] = Array.from({ length: p.finetunes }, (_, k) => ({
      parent: i,
      encodes: !p.encoded && k === 0,
      seconds: !p.encoded && k === 0 ? p.encodingWork * speeds.encoding! + speeds.finetune! : speeds.finetune!,
    }));
    if (p.done) queue.push(...finetunes);
    else {
      queue.push({ seconds: p.work * speeds.pretrain!, parent: null, encodes: false });
      waiting.set(queue.length - 1, finetunes);
    }
  });
  const pretrainOf = new Map([...waiting.keys()].map((index) => [queue[index], index]));
  queue.push(...jobs.baselines.map((work) => ({ seconds: work * speeds.baseline!, parent: null, encodes: false })));

  // Event-driven: free processes take the first job that may start; a fine-tune waits while one of the same pre-training encodes.
  const running: Array<{ job: Job; ends: number }> = [];
  let now = 0;
  while (queue.length || running.length) {
    while (running.length < Math.max(1, workers)) {
      const index = queue.findIndex((j) => j.parent === null || !running.some((r) => r.job.parent === j.parent && r.job.encodes));
      if (index < 0) break;
      const [job] = queue.splice(index, 1);
      running.push({ job, ends: now + job.seconds });
    }
    running.sort((a, b) => a.ends - b.ends);
    const next = running.shift()!;
    now = next.ends;
    const released = pretrainOf.get(next.job);
    if (released !== undefined) queue.push(...(waiting.get(released) ?? []));
  }
  return { seconds: now, unknown: null };
}
