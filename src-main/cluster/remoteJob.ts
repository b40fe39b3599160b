import { availableParallelism } from 'node:os';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetSummary, EpochRecord } from '@shared/api/entities';
import type { FromTrainer, ToTrainer, TrainerJob } from '@shared/api/trainerProtocol';
import { BUNDLE_FORMAT, BUNDLE_VERSION, sealBundle } from '../export/runBundleFormat';
import { bundlePredictions, checkpointFilesOf } from '../export/runBundleService';
import { WORKBENCH_VERSION } from '../platform/version';
import type { ReadyTrainer } from './trainerPool';
import type { RemoteJobData, RemoteProgress } from './protocol';

/** Where a worker keeps a job's checkpoint: named by the workbench and run, so a retry here (or on a worker sharing this folder) resumes it. */
export const remoteRunDir = (dataDir: string, data: Pick<RemoteJobData, 'workbenchId' | 'runId'>) => join(dataDir, 'cluster', `${data.workbenchId}-${data.runId}`);

/** How a job on a worker ended, other than done: the run failed (not worth retrying), was cancelled, or its process died (retried). */
export class RemoteJobEnded extends Error {
  constructor(
    readonly outcome: 'failed' | 'cancelled' | 'crashed',
    message: string,
  ) {
    super(message);
  }
}

export interface RemoteJobContext {
  dataDir: string;
  host: string;
  workerId: string;
  /** The dataset here with the job's fingerprint. */
  dataset: DatasetSummary;
  trainer: ReadyTrainer;
  /** Publishes progress (BullMQ job progress). */
  report(progress: RemoteProgress): void;
  /** Whether the workbench asked this job to stop. */
  cancelRequested(): Promise<boolean>;
}

/** Progress (per batch) is published at most this often; epochs and the start always. */
const PROGRESS_EVERY_MS = 1000;
const CANCEL_POLL_MS = 1000;
const CANCEL_GRACE_MS = 5000;

/**
 * Trains one queued job in a training process of this worker, exactly as the workbench's
 * own pool would (the same job, on this machine's copy of the dataset), and returns its
 * run bundle. Epochs re-reported from a checkpoint are kept once.
 */
export async function trainRemoteJob(data: RemoteJobData, ctx: RemoteJobContext): Promise<string> {
  const runDir = remoteRunDir(ctx.dataDir, data);
  const job: TrainerJob = {
    runId: data.runId,
    kind: data.kind,
    dataDir: ctx.dataDir,
    datasetId: ctx.dataset.id,
    config: data.config,
    runDir,
    parentRunDir: null,
    split: data.split,
  };
  const epochs = new Map<number, EpochRecord>();
  // Typed by assertion, not annotation: set in the listener below, which TypeScript's narrowing of `null` would not see.
  let started = null as { backend: ReadyTrainer['backend']['name']; reason: string; at: string } | null;
  let lastProgress = 0;
  const { trainer } = ctx;

  const outcome = await new Promise<Extract<FromTrainer, { type: 'done' }>>((resolve, reject) => {
    let cancelTimer: NodeJS.Timeout | null = null;
    const poll = setInterval(() => {
      void ctx.cancelRequested().then((yes) => {
        if (!yes || cancelTimer) return;
        trainer.channel.send({ type: 'cancel', runId: data.runId } satisfies ToTrainer);
        cancelTimer = setTimeout(() => trainer.channel.kill(), CANCEL_GRACE_MS);
      }, () => undefined);
    }, CANCEL_POLL_MS);
    const end = (settle: () => void) => {
      clearInterval(poll);
      if (cancelTimer) clearTimeout(cancelTimer);
      trainer.listener = null;
      settle();
    };
    trainer.listener = {
      message: (m) => {
        switch (m.type) {
          case 'started':
            started = { backend: m.backend, reason: m.backendReason, at: new Date().toISOString() };
            // A worker's processes keep the threads they start with (only the workbench's pool re-shares cores).
            ctx.report({ type: 'started', host: ctx.host, workerId: ctx.workerId, backend: m.backend, backendReason: m.backendReason, cores: availableParallelism(), threads: trainer.backend.threads?.current ?? null });
            break;
          case 'progress':
            if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
              lastProgress = Date.now();
              ctx.report({ type: 'progress', progress: m.progress });
            }
            break;
          case 'resumed':
            // Resumed from a checkpoint older than the epochs heard (checkpoints are not saved every epoch): those are trained again.
            for (const epoch of [...epochs.keys()]) if (epoch > m.epoch) epochs.delete(epoch);
            break;
          case 'epoch':
            if (!m.fromCheckpoint || !epochs.has(m.record.epoch)) epochs.set(m.record.epoch, m.record);
            ctx.report({ type: 'epoch', record: m.record });
            break;
          case 'done':
            end(() => resolve(m));
            break;
          case 'cancelled':
            end(() => reject(new RemoteJobEnded('cancelled', `Run #${data.runId} was cancelled from the workbench.`)));
            break;
          case 'failed':
            end(() => reject(new RemoteJobEnded('failed', m.error)));
            break;
          default:
            break;
        }
      },
      exit: (code, signal) =>
        end(() =>
          reject(
            cancelTimer
              ? new RemoteJobEnded('cancelled', `Run #${data.runId} was cancelled from the workbench.`)
              : new RemoteJobEnded('crashed', `The training process on ${ctx.host} stopped unexpectedly (exit code ${code ?? '-'}, signal ${signal ?? '-'}).`),
          ),
        ),
    };
    trainer.channel.send({ type: 'start', job } satisfies ToTrainer);
  });

  const bundle = sealBundle({
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: new Date().toISOString(),
    source: { workbenchVersion: WORKBENCH_VERSION, host: ctx.host, dataDir: ctx.dataDir },
    dataset: { id: ctx.dataset.id, name: ctx.dataset.name, fingerprint: ctx.dataset.fingerprint },
    runs: [
      {
        sourceRunId: data.runId,
        name: data.name,
        kind: data.kind,
        status: 'done',
        parentSourceRunId: null,
        config: data.config,
        seed: data.config.seed,
        backend: started?.backend ?? trainer.backend.name,
        backendReason: started?.reason ?? trainer.backend.reason,
        createdAt: data.createdAt,
        startedAt: started?.at ?? null,
        finishedAt: new Date().toISOString(),
        error: null,
        labelCount: data.kind === 'pretrain' ? null : data.config.labels.count,
        notes: '',
        tags: [],
        epochs: [...epochs.values()].sort((a, b) => a.epoch - b.epoch),
        metrics: outcome.metrics,
        testMetrics: outcome.testMetrics,
        predictions: outcome.predictions.map(bundlePredictions),
        files: checkpointFilesOf(runDir, 'done', `Run #${data.runId}`),
      },
    ],
  });
  // The bundle carries the weights; the checkpoint is only needed until it is delivered.
  rmSync(runDir, { recursive: true, force: true });
  rmSync(`${runDir}.old`, { recursive: true, force: true });
  return bundle;
}
