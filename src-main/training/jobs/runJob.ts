import type { BackendName } from '@shared/api/entities';
import type { FromTrainer, JobResult, TrainerJob } from '@shared/api/trainerProtocol';
import { JobCancelled, type JobHooks } from './loop';
import { runPretrain } from './pretrain';
import { runBaseline, runFinetune } from './supervised';

const JOBS: Record<TrainerJob['kind'], (job: TrainerJob, hooks: JobHooks) => Promise<JobResult>> = {
  pretrain: runPretrain,
  finetune: runFinetune,
  baseline: runBaseline,
};

/**
 * Runs one job and reports it to main as the training process does: started, progress,
 * each epoch, then done, cancelled or failed. Kept apart from the process entry so tests
 * can run the real job in-process behind a fake process channel.
 */
export async function runJob(
  job: TrainerJob,
  backend: { name: BackendName; reason: string },
  send: (message: FromTrainer) => void,
  isCancelled: () => boolean,
): Promise<void> {
  send({ type: 'started', runId: job.runId, backend: backend.name, backendReason: backend.reason });
  try {
    const result = await JOBS[job.kind](job, {
      progress: (progress) => send({ type: 'progress', progress }),
      epoch: (record, fromCheckpoint) => send({ type: 'epoch', runId: job.runId, record, ...(fromCheckpoint ? { fromCheckpoint } : {}) }),
      resumed: (epoch) => send({ type: 'resumed', runId: job.runId, epoch }),
      isCancelled,
    });
    send({ type: 'done', runId: job.runId, ...result });
  } catch (err) {
    if (err instanceof JobCancelled) send({ type: 'cancelled', runId: job.runId });
    else send({ type: 'failed', runId: job.runId, error: err instanceof Error ? err.message : String(err) });
  }
}
