import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { DatasetSummary } from '@shared/api/entities';
import type { ProcessChannel } from '../platform/workerProcesses';
import { defaultWorkers } from '../training/trainingService';
import { withinMs } from './withinMs';
import { TrainerPool, type ReadyTrainer } from './trainerPool';
import { RemoteJobEnded, trainRemoteJob } from './remoteJob';
import {
  ANNOUNCE_EVERY_MS,
  ANNOUNCEMENT_TTL_MS,
  BUNDLE_TTL_SECONDS,
  bundleKey,
  cancelKey,
  queueName,
  RemoteJobData,
  workerKey,
  type RemoteProgress,
  type RemoteResult,
  type WorkerAnnouncement,
} from './protocol';
import { bullConnection, type RedisTarget } from './redisUrl';

export interface ClusterWorkerOptions {
  redis: RedisTarget;
  dataDir: string;
  /** Jobs trained at once (training processes); null: as the local pool would on this machine's backend. */
  poolSize: number | null;
  /** The datasets this machine holds; it listens on their queues only. */
  datasets: DatasetSummary[];
  /** Starts a training process with this environment (trainerEnv: GRU timings, its GPU). */
  spawn: (env: Record<string, string>) => ProcessChannel;
  /** Prints one line of what the worker does. */
  log: (line: string) => void;
  host?: string;
  /** How long a job's lock lasts without renewal: a killed worker's job is handed on after about this long. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker stopped renewing their lock. */
  stalledIntervalMs?: number;
}

const CLOSE_WAIT_MS = 3000;

/**
 * A headless worker: announces itself in Redis (host, backend, pool size, datasets by
 * fingerprint), takes pre-training and baseline jobs from the queues of the datasets it
 * holds, trains each in a training process of its own and hands back the run bundle. The
 * workbench that queued the job imports it: the worker writes no store.
 */
export class ClusterWorker {
  readonly id = randomUUID();
  readonly host: string;
  private readonly pool: TrainerPool;
  private readonly workers: Worker[] = [];
  private readonly running = new Map<string, WorkerAnnouncement['running'][number]>();
  private redis: Redis | null = null;
  private announceTimer: NodeJS.Timeout | null = null;
  private backend: ReadyTrainer['backend'] | null = null;
  private readonly startedAt = new Date().toISOString();
  private poolSize = 1;

  constructor(private readonly options: ClusterWorkerOptions) {
    this.host = options.host ?? hostname();
    this.pool = new TrainerPool(options.spawn, options.dataDir);
  }

  async start(): Promise<void> {
    const { log, datasets } = this.options;
    // The first training process tells which backend this machine trains on, before anything is announced.
    const first = await this.pool.acquire();
    this.backend = first.backend;
    this.pool.release(first);
    this.poolSize = this.options.poolSize ?? defaultWorkers(first.backend);
    // One BullMQ Worker per dataset, each may take poolSize jobs: the pool keeps the processes training at once to poolSize in all.
    this.pool.limit(this.poolSize);
    this.redis = new Redis({ ...this.options.redis.options, lazyConnect: true });
    this.redis.on('error', () => undefined); // reconnection is ioredis's; the status is printed by the Workers' 'error' handler
    await this.redis.connect();
    await this.announce();
    this.announceTimer = setInterval(() => void this.announce().catch(() => undefined), ANNOUNCE_EVERY_MS);
    log(`Worker ${this.id} on ${this.host}: backend ${this.backend.name} (${this.backend.reason}), ${this.poolSize} at once, Redis ${this.options.redis.display}`);
    if (!datasets.length) log('This data directory holds no dataset, so this worker takes no job. Import or generate one (npm run import, npm run synthetic) and start it again.');
    for (const d of datasets) {
      log(`Taking jobs for "${d.name}" (fingerprint ${d.fingerprint})`);
      const worker = new Worker(queueName(d.fingerprint), (job) => this.process(job, d), {
        connection: bullConnection(this.options.redis),
        concurrency: this.poolSize,
        lockDuration: this.options.lockDurationMs ?? 15_000,
        stalledInterval: this.options.stalledIntervalMs ?? 5_000,
        maxStalledCount: 2,
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
        name: `mosei-worker-${this.host}`,
      });
      let reported = false;
      worker.on('error', (err) => {
        if (reported) return;
        reported = true;
        log(`Redis ${this.options.redis.display} is unreachable (${err.message}); retrying.`);
      });
      worker.on('ready', () => {
        if (reported) log(`Redis ${this.options.redis.display} reached again.`);
        reported = false;
      });
      this.workers.push(worker);
    }
  }

  /** Stops taking jobs; `hard` also abandons the running ones (Redis hands them to another worker once their lock expires). */
  async close(hard = false): Promise<void> {
    if (this.announceTimer) clearInterval(this.announceTimer);
    if (hard) this.pool.kill();
    // With Redis unreachable BullMQ would wait for it forever: a stopping worker waits a few seconds at most.
    await withinMs(Promise.all(this.workers.map((w) => w.close(hard))), CLOSE_WAIT_MS);
    this.pool.close();
    if (this.redis) {
      if (this.redis.status === 'ready') await withinMs(this.redis.del(workerKey(this.id)), CLOSE_WAIT_MS);
      this.redis.disconnect();
    }
  }

  private async announce(): Promise<void> {
    if (!this.redis || !this.backend) return;
    const announcement: WorkerAnnouncement = {
      id: this.id,
      host: this.host,
      backend: { name: this.backend.name, reason: this.backend.reason },
      poolSize: this.poolSize,
      datasets: this.options.datasets.map((d) => ({ fingerprint: d.fingerprint, name: d.name })),
      running: [...this.running.values()],
      startedAt: this.startedAt,
    };
    await this.redis.set(workerKey(this.id), JSON.stringify(announcement), 'PX', ANNOUNCEMENT_TTL_MS);
  }

  private async process(job: Job, dataset: DatasetSummary): Promise<RemoteResult> {
    const { log } = this.options;
    const parsed = RemoteJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Job ${job.id} is not a job this worker understands (${parsed.error.issues[0]?.message}); is the workbench that queued it another version?`);
    const data = parsed.data;
    const redis = this.redis!;
    const jobId = job.id!;
    const what = `run #${data.runId} (${data.kind} "${data.name}")${job.attemptsMade ? `, attempt ${job.attemptsMade + 1}` : ''}`;
    let trainer: ReadyTrainer | null = null;
    try {
      trainer = await this.pool.acquire();
      log(`Started ${what}`);
      this.running.set(jobId, { runId: data.runId, workbenchId: data.workbenchId, kind: data.kind });
      void this.announce().catch(() => undefined);
      const started = Date.now();
      const bundle = await trainRemoteJob(data, {
        dataDir: this.options.dataDir,
        host: this.host,
        workerId: this.id,
        dataset,
        trainer,
        report: (progress: RemoteProgress) => void job.updateProgress(progress).catch(() => undefined),
        cancelRequested: async () => (await redis.exists(cancelKey(jobId))) === 1,
      });
      // The bundle waits under its own key (not in the job's events), until the workbench takes it.
      const key = bundleKey(jobId);
      await redis.set(key, bundle, 'EX', BUNDLE_TTL_SECONDS);
      // Handed back once the bundle is stored: handed back before, a failed set would discard a process another job may be using.
      this.pool.release(trainer);
      trainer = null;
      log(`Done ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s; its bundle (${(Buffer.byteLength(bundle) / 1024).toFixed(0)} KiB) waits for the workbench`);
      return { host: this.host, bundleKey: key, bytes: Buffer.byteLength(bundle) };
    } catch (err) {
      if (trainer) this.pool.discard(trainer);
      const message = err instanceof Error ? err.message : String(err);
      log(`${err instanceof RemoteJobEnded && err.outcome === 'cancelled' ? 'Cancelled' : 'Failed'} ${what}: ${message}`);
      // A run that failed or was cancelled would do the same again; a crashed process is worth another attempt.
      if (err instanceof RemoteJobEnded && err.outcome !== 'crashed') throw new UnrecoverableError(message);
      throw err;
    } finally {
      this.running.delete(jobId);
      void this.announce().catch(() => undefined);
    }
  }
}
