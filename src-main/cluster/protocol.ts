import { z } from 'zod';
import { BackendName, EpochRecord, RunProgress, TrainConfig } from '@shared/api/entities';

/**
 * What the workbench and its workers put in Redis. Workers are other programs (perhaps
 * another version on another machine), so everything read back is validated.
 *
 * - One BullMQ queue per dataset fingerprint (`queueName`): a worker listens only on the
 *   queues of the datasets it holds, so it never takes a job it cannot run.
 * - A job's progress (BullMQ job progress) is a `RemoteProgress`; its return value a
 *   `RemoteResult` naming the key that holds its run bundle.
 * - Each worker announces itself under `workerKey(id)` with a short expiry it keeps renewing.
 * - The workbench asks a running job to stop by setting `cancelKey(jobId)`.
 */

export const KEY_PREFIX = 'mosei';
export const queueName = (fingerprint: string) => `mosei-train-${fingerprint}`;
export const workerKey = (id: string) => `${KEY_PREFIX}:cluster:worker:${id}`;
export const WORKER_KEY_PATTERN = `${KEY_PREFIX}:cluster:worker:*`;
export const cancelKey = (jobId: string) => `${KEY_PREFIX}:cluster:cancel:${jobId}`;
export const bundleKey = (jobId: string) => `${KEY_PREFIX}:cluster:bundle:${jobId}`;

/** How often a worker renews its announcement, and how long one lasts without renewal. */
export const ANNOUNCE_EVERY_MS = 3000;
export const ANNOUNCEMENT_TTL_MS = 10_000;
/** A run bundle waiting for the workbench is kept this long in Redis, then dropped. */
export const BUNDLE_TTL_SECONDS = 7 * 24 * 3600;

export const RemoteJobData = z.object({
  /** The data directory that queued the job (a stable random id); with runId it names the job's checkpoint folder on workers. */
  workbenchId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  runId: z.number().int().min(1),
  kind: z.enum(['pretrain', 'baseline']),
  name: z.string(),
  createdAt: z.string(),
  dataset: z.object({ fingerprint: z.string(), name: z.string() }),
  config: TrainConfig,
  split: z.object({ train: z.array(z.number().int()), validation: z.array(z.number().int()), test: z.array(z.number().int()) }),
});
export type RemoteJobData = z.infer<typeof RemoteJobData>;

export const RemoteProgress = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    host: z.string(),
    workerId: z.string(),
    backend: BackendName,
    backendReason: z.string(),
    // The worker machine's cores and its training process's XNNPACK threads (absent from older workers; threads null off WASM).
    cores: z.number().int().min(1).optional(),
    threads: z.number().int().min(1).nullable().optional(),
  }),
  z.object({ type: z.literal('progress'), progress: RunProgress }),
  z.object({ type: z.literal('epoch'), record: EpochRecord }),
]);
export type RemoteProgress = z.infer<typeof RemoteProgress>;

export const RemoteResult = z.object({ host: z.string(), bundleKey: z.string(), bytes: z.number().int().min(0) });
export type RemoteResult = z.infer<typeof RemoteResult>;

export const WorkerAnnouncement = z.object({
  id: z.string(),
  host: z.string(),
  backend: z.object({ name: BackendName, reason: z.string() }),
  poolSize: z.number().int().min(1),
  datasets: z.array(z.object({ fingerprint: z.string(), name: z.string() })),
  /** Runs it is training now. */
  running: z.array(z.object({ runId: z.number().int(), workbenchId: z.string(), kind: z.string() })),
  startedAt: z.string(),
});
export type WorkerAnnouncement = z.infer<typeof WorkerAnnouncement>;
