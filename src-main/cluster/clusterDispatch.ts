import { Redis } from 'ioredis';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { ClusterStatus } from '@shared/api/entities';
import type { TrainerJob } from '@shared/api/trainerProtocol';
import { counted } from '@shared/format';
import type { EventSink } from '../platform/events';
import { placeJob, type RemoteDispatch, type RemoteRunSink, type RemoteWorker } from '../training/remoteDispatch';
import { bundleKey, cancelKey, queueName, RemoteProgress, RemoteResult, WORKER_KEY_PATTERN, WorkerAnnouncement, type RemoteJobData } from './protocol';
import { withinMs } from './withinMs';
import { bullConnection, type RedisTarget } from './redisUrl';

/** How a remote job is retried when its worker crashes or stops (kept with the data directory as settings). */
export interface RetrySettings {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled for each further one. */
  backoffMs: number;
}
export const DEFAULT_RETRY: RetrySettings = { attempts: 3, backoffMs: 5000 };

export interface ClusterDispatchOptions {
  redis: RedisTarget;
  /** This data directory's id: a run is named by it and its run id on the cluster. */
  workbenchId: string;
  events: EventSink;
  /** The fingerprint and name of a dataset here. */
  dataset(datasetId: string): { fingerprint: string; name: string };
  /** A queued run's name and creation time, carried into its bundle. */
  run(runId: number): { name: string; createdAt: string };
  /** Imports a finished run's bundle into the run queued here (RunBundleService.completeRemoteRun); throws what is wrong with it. */
  complete(runId: number, bundle: string, label: string): void;
  retry?: RetrySettings;
  /** How often announcements and the state of jobs in flight are read (the events are the fast path; this catches what they missed). */
  pollMs?: number;
}

/** Where the time of one remote job went (onDelivered), for `npm run bench -- cluster`. */
export interface RemoteJobTiming {
  runId: number;
  host: string | null;
  /** Waiting in the queue for a free worker (BullMQ's added -> taken, on Redis's and the worker's clocks). */
  waitMs: number | null;
  /** Taken by the worker until its start was heard here: its training process starting the job and the progress event's way back. */
  pickupMs: number | null;
  /** Finished on the worker until its bundle was here and imported. */
  deliverMs: number | null;
  importMs: number | null;
  bundleBytes: number | null;
  totalMs: number | null;
}

interface InFlight {
  runId: number;
  jobId: string;
  fingerprint: string;
  sink: RemoteRunSink;
  cancelRequested: boolean;
  /** A look at its job (check) or its queuing is under way: another must not run alongside and deliver it twice. */
  busy: boolean;
  /**
   * Events of its job before this (Redis's clock, ms) are of an earlier job of the same id,
   * replayed from the stream's start; null until it is queued, meanwhile they wait in `heldEvents`.
   */
  eventsSince: number | null;
  heldEvents: Array<{ data: unknown; eventId: string }>;
  /** A look was asked for while busy (an event during a poll's look): taken once that one is over. */
  lookAgain: boolean;
  submittedAt: number;
  startedAt: number | null;
  host: string | null;
}

/**
 * The cluster behind the TrainingService: queues pre-trainings and baselines on BullMQ (one
 * queue per dataset fingerprint, so only workers holding the dataset take them), relays
 * their progress, imports their run bundles when they finish, and keeps the status bar's
 * view of Redis and the workers. Redis unreachable: nothing new goes remote (local work
 * goes on) and ioredis keeps reconnecting; jobs already queued wait in Redis.
 */
export class ClusterDispatch implements RemoteDispatch {
  private readonly redis: Redis;
  private readonly queues = new Map<string, { queue: Queue; events: QueueEvents }>();
  private readonly inFlight = new Map<string, InFlight>();
  private readonly listeners: Array<() => void> = [];
  private readonly deliveredListeners: Array<(timing: RemoteJobTiming) => void> = [];
  private workers: WorkerAnnouncement[] = [];
  private state: ClusterStatus['state'] = 'connecting';
  private error: string | null = null;
  private readonly pollTimer: NodeJS.Timeout;
  private firstPoll: Promise<void>;
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: ClusterDispatchOptions) {
    this.redis = new Redis({ ...options.redis.options, lazyConnect: true });
    this.redis.on('ready', () => this.setState('connected', null));
    this.redis.on('error', (err: Error) => this.setState('unreachable', err.message));
    this.redis.on('end', () => this.setState('unreachable', this.error ?? 'the connection closed'));
    this.firstPoll = this.redis.connect().then(
      () => this.poll(),
      () => undefined,
    );
    this.pollTimer = setInterval(() => void this.poll(), options.pollMs ?? 2000);
  }

  /** Resolves once the first look at the cluster is done (or Redis could not be reached), so a sweep started now sees the workers. */
  ready(): Promise<void> {
    return this.firstPoll;
  }

  status(): ClusterStatus {
    const mine = (w: WorkerAnnouncement) => w.running.filter((r) => r.workbenchId === this.options.workbenchId).map((r) => r.runId);
    const flights = [...this.inFlight.values()];
    return {
      redis: this.options.redis.display,
      state: this.state,
      error: this.error,
      workers: this.workers.map((w) => ({ id: w.id, host: w.host, backend: w.backend.name, poolSize: w.poolSize, datasets: w.datasets.map((d) => d.name), runIds: mine(w), busy: w.running.length })),
      queued: flights.filter((f) => f.startedAt === null).length,
      running: flights.filter((f) => f.startedAt !== null).length,
    };
  }

  /** The worker host a run in flight is training on, if it started. */
  hostOf(runId: number): string | null {
    return [...this.inFlight.values()].find((f) => f.runId === runId)?.host ?? null;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Called with where the time went each time a remote run's bundle has been imported. */
  onDelivered(listener: (timing: RemoteJobTiming) => void): void {
    this.deliveredListeners.push(listener);
  }

  takes(job: TrainerJob): boolean {
    if (this.closed || this.state !== 'connected') return false;
    return placeJob(job.kind, this.fingerprintOf(job.datasetId), this.workers) === 'remote';
  }

  workersFor(datasetId: string): RemoteWorker[] {
    const fingerprint = this.fingerprintOf(datasetId);
    if (this.closed || this.state !== 'connected' || fingerprint === null) return [];
    return this.workers.filter((w) => w.datasets.some((d) => d.fingerprint === fingerprint)).map((w) => ({ host: w.host, backend: w.backend.name, poolSize: w.poolSize }));
  }

  submit(job: TrainerJob, sink: RemoteRunSink): void {
    const { fingerprint, name: datasetName } = this.options.dataset(job.datasetId);
    const run = this.options.run(job.runId);
    const jobId = jobIdOf(this.options.workbenchId, job.runId);
    // Busy until it is queued: a poll meanwhile would find no job and call it gone.
    const flight: InFlight = { runId: job.runId, jobId, fingerprint, sink, cancelRequested: false, busy: true, lookAgain: false, eventsSince: null, heldEvents: [], submittedAt: Date.now(), startedAt: null, host: null };
    this.inFlight.set(jobId, flight);
    const data: RemoteJobData = {
      workbenchId: this.options.workbenchId,
      runId: job.runId,
      kind: job.kind as RemoteJobData['kind'],
      name: run.name,
      createdAt: run.createdAt,
      dataset: { fingerprint, name: datasetName },
      config: job.config,
      split: { train: job.split.train, validation: job.split.validation, test: job.split.test ?? [] },
    };
    this.enqueue(flight, job.kind, data).then(
      (reattached) => {
        this.lookedAt(flight);
        // Cancelled while it was being queued: its cancel request may have been cleared with the old job's.
        if (flight.cancelRequested) this.cancel(flight.runId);
        sink.log(
          job.runId,
          'info',
          reattached
            ? `Run #${job.runId} was still on the cluster (${this.options.redis.display}) from before; it goes on there.`
            : `Run #${job.runId} is queued on the cluster (${this.options.redis.display}) for a worker holding "${datasetName}".`,
        );
      },
      (err: Error) => this.settle(flight, 'failed', `Run #${job.runId} could not be queued on the cluster: ${err.message}. Resume it to try again.`),
    );
    // Only the status: submit runs inside the TrainingService's own placement pass.
    this.options.events.emit('cluster.status', this.status());
  }

  /**
   * Queues a run under its fixed job id. A job of that id still waiting or training (this
   * workbench stopped without taking it back) is followed rather than trained twice into the
   * same checkpoint; one that ended is removed first, with its bundle and any cancel request,
   * so the run trains again. True when an unfinished job was followed.
   */
  private async enqueue(flight: InFlight, kind: string, data: RemoteJobData): Promise<boolean> {
    const { queue } = this.queueFor(flight.fingerprint);
    // Any job of this id that has ended did so before now.
    const [seconds, micros] = await this.redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const existing = await Job.fromId(queue, flight.jobId);
    const state = existing ? await existing.getState() : null;
    if (existing && state && UNFINISHED.has(state)) {
      this.eventsFrom(flight, 0);
      return true;
    }
    if (existing) await existing.remove();
    await this.redis.del(cancelKey(flight.jobId), bundleKey(flight.jobId));
    this.eventsFrom(flight, now);
    const retry = this.options.retry ?? DEFAULT_RETRY;
    await queue.add(kind, data, { jobId: flight.jobId, attempts: retry.attempts, backoff: { type: 'exponential', delay: retry.backoffMs } });
    return false;
  }

  /** Takes the job's events from `since` on, those held meanwhile first. */
  private eventsFrom(flight: InFlight, since: number): void {
    flight.eventsSince = since;
    for (const { data, eventId } of flight.heldEvents.splice(0)) this.onProgress(flight.jobId, data, eventId);
  }

  cancel(runId: number): boolean {
    const flight = [...this.inFlight.values()].find((f) => f.runId === runId);
    if (!flight) return false;
    flight.cancelRequested = true;
    this.withdraw(flight).then(
      (removed) => removed && this.settle(flight, 'cancelled', null),
      (err: Error) => flight.sink.log(runId, 'error', `Run #${runId} could not be cancelled on the cluster: ${err.message}.`),
    );
    return true;
  }

  /** Takes a job back while it waits (true), or asks its worker to stop it (false: the worker's answer settles it). */
  private async withdraw(flight: InFlight): Promise<boolean> {
    const job = await Job.fromId(this.queueFor(flight.fingerprint).queue, flight.jobId);
    const state = job ? await job.getState() : 'unknown';
    if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
      await job.remove();
      return true;
    }
    // The worker polls for this key and stops the run at its next batch.
    await this.redis.set(cancelKey(flight.jobId), '1', 'EX', 24 * 3600);
    return false;
  }

  /**
   * Stops listening. Jobs still waiting are taken back and the running ones asked to stop,
   * so no worker trains a run nobody will record; they resume from their checkpoint later.
   */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    if (this.state === 'connected') {
      for (const flight of this.inFlight.values()) {
        await withinMs(this.withdraw(flight), 3000);
      }
    }
    await withinMs(Promise.all([...this.queues.values()].flatMap(({ queue, events }) => [queue.close(), events.close()])), 3000);
    this.redis.disconnect();
  }

  private fingerprintOf(datasetId: string): string | null {
    try {
      return this.options.dataset(datasetId).fingerprint;
    } catch {
      return null;
    }
  }

  private queueFor(fingerprint: string): { queue: Queue; events: QueueEvents } {
    let entry = this.queues.get(fingerprint);
    if (entry) return entry;
    const connection = bullConnection(this.options.redis);
    const queue = new Queue(queueName(fingerprint), { connection });
    // From the start of the stream, not from whenever this listener is connected: a worker may
    // report a job started before that, and events of jobs not in flight here are ignored anyway.
    const events = new QueueEvents(queueName(fingerprint), { connection, lastEventId: '0-0' });
    // Connection errors are reported once, by this dispatch's own connection (setState).
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    events.on('progress', ({ jobId, data }, eventId) => this.onProgress(jobId, data, eventId));
    events.on('completed', ({ jobId }) => void this.check(jobId));
    events.on('failed', ({ jobId }) => void this.check(jobId));
    entry = { queue, events };
    this.queues.set(fingerprint, entry);
    return entry;
  }

  private onProgress(jobId: string, raw: unknown, eventId: string): void {
    const flight = this.inFlight.get(jobId);
    const parsed = RemoteProgress.safeParse(raw);
    if (!flight || !parsed.success) return;
    if (flight.eventsSince === null) {
      flight.heldEvents.push({ data: raw, eventId });
      return;
    }
    // A stream id is `<ms on Redis's clock>-<sequence>`.
    if (Number(eventId.split('-')[0]) < flight.eventsSince) return;
    const p = parsed.data;
    if (p.type === 'started') {
      if (flight.host && flight.host !== p.host) flight.sink.log(flight.runId, 'warn', `Run #${flight.runId} started again on ${p.host}: its worker on ${flight.host} stopped.`);
      flight.startedAt ??= Date.now();
      flight.host = p.host;
      flight.sink.started(flight.runId, p.backend, `${p.backendReason}; on ${p.host}`, { host: p.host, cores: p.cores ?? null, threads: p.threads ?? null });
      this.changed();
    } else if (p.type === 'progress') flight.sink.progress(p.progress);
    else flight.sink.epoch(flight.runId, p.record);
  }

  /**
   * Looks at a job's state and settles it when it has ended: imports a finished one's bundle,
   * fails or cancels the rest. Called by the queue's events and by every poll, so it marks the
   * flight busy before its first await (one look at a time, one delivery); when Redis fails
   * midway it leaves the flight as it was, for the next poll to look again.
   */
  private async check(jobId: string): Promise<void> {
    const flight = this.inFlight.get(jobId);
    if (!flight || this.closed) return;
    if (flight.busy) {
      flight.lookAgain = true;
      return;
    }
    flight.busy = true;
    try {
      const job = await Job.fromId(this.queueFor(flight.fingerprint).queue, jobId);
      if (!job) {
        if (flight.cancelRequested) this.settle(flight, 'cancelled', null);
        else this.settle(flight, 'failed', `Run #${flight.runId}'s job disappeared from the cluster's queue (was Redis emptied?). Resume the run to train it again.`);
        return;
      }
      const state = await job.getState();
      if (state === 'completed') await this.deliver(flight, job);
      else if (state === 'failed') {
        if (flight.cancelRequested) this.settle(flight, 'cancelled', null);
        else this.settle(flight, 'failed', `Run #${flight.runId} failed on the cluster after ${counted(job.attemptsMade, 'attempt')}: ${job.failedReason}`);
        await job.remove().catch(() => undefined);
      }
    } catch {
      // Redis went away midway: the connection's own events report it, and the next poll looks again.
    } finally {
      this.lookedAt(flight);
    }
  }

  private lookedAt(flight: InFlight): void {
    flight.busy = false;
    if (!flight.lookAgain || !this.inFlight.has(flight.jobId)) return;
    flight.lookAgain = false;
    void this.check(flight.jobId);
  }

  private async deliver(flight: InFlight, job: Job): Promise<void> {
    const finishedOn = job.finishedOn ?? Date.now();
    const result = RemoteResult.safeParse(job.returnvalue);
    if (!result.success) {
      this.settle(flight, 'failed', `Run #${flight.runId} finished on the cluster but its worker returned no run bundle (is it another version of the workbench?).`);
      return;
    }
    const bundle = await this.redis.get(result.data.bundleKey);
    if (bundle === null) {
      this.settle(flight, 'failed', `Run #${flight.runId} finished on ${result.data.host}, but its run bundle is no longer in Redis (it expired or Redis was emptied). Resume the run to train it again.`);
      return;
    }
    const importStart = Date.now();
    try {
      this.options.complete(flight.runId, bundle, `The run bundle of run #${flight.runId} from ${result.data.host}`);
    } catch (err) {
      this.settle(flight, 'failed', err instanceof Error ? err.message : String(err));
      return;
    }
    const now = Date.now();
    const timing: RemoteJobTiming = {
      runId: flight.runId,
      host: result.data.host,
      waitMs: job.processedOn ? job.processedOn - job.timestamp : null,
      pickupMs: flight.startedAt === null || !job.processedOn ? null : flight.startedAt - job.processedOn,
      deliverMs: now - finishedOn,
      importMs: now - importStart,
      bundleBytes: result.data.bytes,
      totalMs: now - flight.submittedAt,
    };
    this.settle(flight, 'done', null);
    for (const l of this.deliveredListeners) l(timing);
    await this.redis.del(result.data.bundleKey).catch(() => undefined);
    await job.remove().catch(() => undefined);
  }

  private settle(flight: InFlight, status: 'done' | 'failed' | 'cancelled', error: string | null): void {
    if (!this.inFlight.delete(flight.jobId)) return;
    flight.sink.finished(flight.runId, status, error);
    this.changed();
  }

  /** Reads the workers' announcements and the state of every job in flight. */
  private async poll(): Promise<void> {
    if (this.closed || this.state !== 'connected') return;
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await this.redis.scan(cursor, 'MATCH', WORKER_KEY_PATTERN, 'COUNT', 200);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      const values = keys.length ? await this.redis.mget(...keys) : [];
      const workers = values.flatMap((v) => {
        const parsed = v === null ? null : WorkerAnnouncement.safeParse(safeJson(v));
        return parsed?.success ? [parsed.data] : [];
      });
      workers.sort((a, b) => a.host.localeCompare(b.host) || a.id.localeCompare(b.id));
      const before = JSON.stringify(this.workers);
      this.workers = workers;
      if (JSON.stringify(workers) !== before) this.changed();
      for (const jobId of [...this.inFlight.keys()]) await this.check(jobId);
    } catch {
      // Redis went away mid-poll: the connection's own events report it.
    }
  }

  private setState(state: ClusterStatus['state'], error: string | null): void {
    if (this.state === state && this.error === error) return;
    const wasConnected = this.state === 'connected';
    this.state = state;
    this.error = error;
    if (state !== 'connected') this.workers = [];
    if (state === 'connected' && !wasConnected) void this.poll();
    this.changed();
  }

  private changed(): void {
    this.options.events.emit('cluster.status', this.status());
    for (const l of this.listeners) l();
  }
}

const UNFINISHED = new Set(['waiting', 'delayed', 'prioritized', 'active', 'waiting-children']);

/** A run's job on the cluster, the same each time it is queued: a resumed run finds the job it left there. */
export const jobIdOf = (workbenchId: string, runId: number) => `${workbenchId}-run${runId}`;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
