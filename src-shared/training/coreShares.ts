import type { TrainerJob } from '../api/trainerProtocol';

/**
 * How long a job will take, in sample-epochs of its recurrent network: what the pool and a
 * sweep's queue order compare (only relative sizes matter). A fine-tune trains a Dense(6)
 * on cached outputs, so it counts for almost nothing.
 */
export function jobCost(job: Pick<TrainerJob, 'kind' | 'config' | 'split'>): number {
  const { epochs, labels, validation } = job.config;
  const validations = validation === 'each-epoch' ? epochs : 1;
  // An inference pass costs about a third of a training pass (forward only, no update).
  const validationCost = (validations * job.split.validation.length) / 3;
  if (job.kind === 'pretrain') return epochs * job.split.train.length + validationCost;
  if (job.kind === 'baseline') return epochs * Math.min(labels.count ?? job.split.train.length, job.split.train.length) + validationCost;
  return 0;
}

/**
 * The cores the pool may share out as threads: the machine's, less those other programs keep
 * busy (the 1-minute load average, less the threads of our own running jobs). On a busy
 * machine extra threads only wait for each other: XNNPACK's threads meet after every
 * operation, so one that is not scheduled holds up the rest (measured on 2 cores at a load
 * average of 8: a pre-training step took 6.7 s on 2 threads against 2.0 s on 1).
 */
export function freeCores(cores: number, loadAverage: number, ownThreads: number): number {
  const others = Math.max(0, loadAverage - ownThreads);
  return Math.max(1, Math.min(cores, Math.floor(cores - others + 0.5)));
}

export interface CoreNeed {
  id: number;
  /** Relative length of the job (jobCost): spare cores go to the longest. */
  cost: number;
  /** The most threads its process can use. */
  max: number;
}

/**
 * Shares `cores` out among the jobs running side by side: each gets an equal whole share (at
 * least one), the cores left over go one each to the longest jobs, and none gets more than
 * its process can use. A job running alone gets every core.
 */
export function shareCores(cores: number, needs: readonly CoreNeed[]): Map<number, number> {
  const shares = new Map<number, number>();
  if (!needs.length) return shares;
  const base = Math.max(1, Math.floor(cores / needs.length));
  let spare = Math.max(0, cores - base * needs.length);
  const longestFirst = [...needs].sort((a, b) => b.cost - a.cost || a.id - b.id);
  for (const need of longestFirst) {
    const extra = spare > 0 ? 1 : 0;
    spare -= extra;
    shares.set(need.id, Math.max(1, Math.min(need.max, base + extra)));
  }
  return shares;
}
