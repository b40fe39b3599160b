import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { WorkbenchError } from '@shared/api/contract';
import type { BackendInfo, RunKind, RunSummary, TrainConfig } from '@shared/api/entities';
import { FromTrainer, type ToTrainer, type TrainerJob } from '@shared/api/trainerProtocol';
import type { NewRun, RunRepository } from '../store/runs';
import type { StoredSplit } from '../store/splits';
import type { EventSink } from '../platform/events';
import type { ProcessChannel } from '../platform/workerProcesses';
import { checkTrainingRequest, clipSteps } from './requestRules';
import type { RemoteDispatch, RemoteRunSink, RemoteWorker } from './remoteDispatch';
import { ThreadUse } from './threadUse';
import { freeCores, jobCost, shareCores } from '@shared/training/coreShares';
import { trainerEnv } from './trainerEnv';

/** Where a run keeps its checkpoint and cached encoder outputs. */
export const runDir = (dataDir: string, runId: number) => join(dataDir, 'runs', String(runId));

/** What training needs of the datasets (DatasetService provides it). */
export interface TrainingDatasets {
  split(datasetId: string, config: TrainConfig['split']): StoredSplit;
  /** Frames of each segment, in the dataset's order. */
  segmentFrames(datasetId: string): number[];
}

interface QueuedJob {
  job: TrainerJob;
  /** Times a crash of its training process already retried it. */
  attempts: number;
}

interface Worker {
  channel: ProcessChannel;
  ready: boolean;
  job: QueuedJob | null;
  cancelTimer: NodeJS.Timeout | null;
  /** Multi-threaded WASM: the threads the process uses, the most it may, and the count last asked of it. */
  threads: { current: number; max: number; asked: number | null } | null;
  /** False once the process reported it cannot take more threads: it is replaced when idle. */
  canGrow: boolean;
  /** Which GPU a GPU backend's process was pinned to (CUDA_VISIBLE_DEVICES); null: not pinned. */
  gpuSlot: number | null;
  /** Multi-threaded WASM: the threads its current run has used so far, recorded on the run when it is done. */
  threadUse: ThreadUse | null;
}

/**
 * Training processes per machine by default: one per core on WASM and plain JS (a lone run's
 * process then takes every core as threads, see shareCores); tfjs-node already runs several
 * threads per process, so fewer; one per GPU on tfjs-node-gpu.
 */
export function defaultWorkers(backend: Pick<BackendInfo, 'name' | 'gpu'>, cores = availableParallelism()): number {
  if (backend.name === 'tensorflow-gpu') return Math.max(1, backend.gpu?.count ?? 1);
  return backend.name === 'tensorflow' ? Math.max(1, Math.floor(cores / 4)) : Math.max(1, cores);
}

/** How long a cancelled run may take to reach a batch boundary before its process is killed. */
const CANCEL_GRACE_MS = 5000;

/**
 * Runs queued training jobs in a pool of training processes, records what they report
 * (main is the only writer of the store) and forwards it as events. A process that dies
 * mid-run affects only its own run, which is retried once; a new process takes its place.
 *
 * A run, as this service moves it (each transition has a spec in trainingService.spec.ts):
 *   start/resume -> queued           recorded, a process is started if the pool has room
 *   queued -> sent                   an idle ready process takes it ('start'); a fine-tune waits
 *                                    while another fine-tune of its pre-training fills the encoder cache
 *   queued -> cancelled              cancel: taken off the queue at once
 *   sent -> running                  the process says 'started' (backend recorded)
 *   running -> running               'epoch' recorded; 'resumed' drops epochs after the checkpoint
 *   running -> done                  'done' and its results recorded in one transaction
 *   running -> failed                'failed', or 'done' whose results cannot be recorded
 *   running -> cancelled             'cancelled' after a cancel, or the process killed CANCEL_GRACE_MS
 *                                    after a cancel it did not answer
 *   running -> queued (front)        its process died: retried once from its checkpoint...
 *   running -> failed                ...and failed with the reason when it dies again
 * With a cluster (useRemote): queued -> remote when the cluster takes it (placeJob: pre-trainings
 * and baselines, while a live worker holds their dataset); its sink then moves it as above,
 * except that its epochs are shown live and recorded from its run bundle once it is done.
 * A process: spawned -> ready ('ready') -> busy (a job) -> ready ... -> stopped when it is
 * idle beyond the pool size or can take no more threads; one that exits before 'ready'
 * rejects warmUp.
 */
export class TrainingService {
  private readonly workers: Worker[] = [];
  private ready: Promise<BackendInfo> | null = null;
  private backend: BackendInfo | null = null;
  private readonly queue: QueuedJob[] = [];
  /** Pre-training runs whose encoder outputs a finished fine-tune has cached. */
  private readonly encodedParents = new Set<string>();
  private stopped = false;
  /** Where pre-trainings and baselines may go instead of the local pool (none: everything local). */
  private remote: RemoteDispatch | null = null;

  constructor(
    private readonly runs: RunRepository,
    /** Starts a training process with these variables added to its environment. */
    private readonly spawn: (env: Record<string, string>) => ProcessChannel,
    private readonly events: EventSink,
    private readonly dataDir: string,
    /** The datasets runs train on: the stored split for a run's split configuration, and each segment's frame count. */
    private readonly datasets: TrainingDatasets,
    /** Training processes to run at once; null chooses by backend (see `defaultWorkers`). */
    private workersSetting: number | null = null,
    private readonly tuning: {
      /** The cores the pool shares out as threads among running jobs. */
      cores?: number;
      /** Seconds of the training process's CPU time between an unfinished run's resumable checkpoints (see CHECKPOINT_EVERY_CPU_SECONDS). */
      checkpointEverySeconds?: number;
      /** The machine's 1-minute load average (other programs' load leaves fewer cores to share). */
      loadAverage?: () => number;
      /** Milliseconds, for the threads a run used over time (ThreadUse). */
      clock?: () => number;
    } = {},
  ) {}

  /** Shares the cores out again every minute while runs train: other programs' load comes and goes. */
  private rebalanceTimer: NodeJS.Timeout | null = null;

  private get cores(): number {
    return this.tuning.cores ?? availableParallelism();
  }

  /** Changes the pool size; processes beyond it stop once their current run ends. */
  setWorkers(workers: number | null): void {
    this.workersSetting = workers;
    this.pump();
  }

  /** Sends the jobs `remote` takes to its workers from now on; the rest stay in the local pool. */
  useRemote(remote: RemoteDispatch | null): void {
    this.remote = remote;
    remote?.onChange(() => {
      if (this.remote === remote) this.pump();
    });
    this.pump();
  }

  /** Remote runs are recorded as local ones are, except their epochs: those come with their bundle. */
  private readonly remoteSink: RemoteRunSink = {
    started: (runId, backend, reason, { host, cores, threads }) => {
      this.runs.markRunning(runId, backend, reason, { host, cores });
      if (threads !== null) this.runs.recordThreads(runId, threads);
      this.events.emit('run.status', { runId, status: 'running', error: null });
    },
    progress: (progress) => this.events.emit('run.progress', progress),
    epoch: (runId, record) => this.events.emit('run.epoch', { runId, ...record }),
    log: (runId, level, message) => this.events.emit('log', { level, message, runId }),
    finished: (runId, status, error) => this.finish(runId, status, error),
  };

  backendInfo(): BackendInfo | null {
    return this.backend;
  }

  /** The pool size in force: the setting, or the backend's default once it is known. */
  poolSize(): number {
    return this.workersSetting ?? (this.backend ? defaultWorkers(this.backend, this.cores) : 1);
  }

  /** The cluster's live workers that would take this dataset's pre-trainings and baselines (none without a cluster). */
  remoteWorkersFor(datasetId: string): RemoteWorker[] {
    return this.remote?.workersFor(datasetId) ?? [];
  }

  /**
   * How the pool would share cores out now: the cores other programs leave free (freeCores) and
   * the most threads a process takes (1 where the backend has no XNNPACK threads to share).
   */
  coreSharing(): { cores: number; maxThreads: number } {
    const ownThreads = this.workers.filter((w) => w.job).reduce((n, w) => n + (w.threads?.current ?? 1), 0);
    return { cores: freeCores(this.cores, (this.tuning.loadAverage ?? (() => loadavg()[0]))(), ownThreads), maxThreads: this.backend?.threads?.max ?? 1 };
  }

  /** Starts the first training process now so the UI can show which backend it chose. */
  warmUp(): Promise<BackendInfo> {
    if (this.ready) return this.ready;
    this.ready = new Promise<BackendInfo>((resolve, reject) => this.addWorker(resolve, reject));
    this.ready.catch(() => {
      this.ready = null;
    });
    return this.ready;
  }

  /** The environment of a new training process: where timings are kept and, on GPUs, which GPU is its own. */
  private processEnv(): { env: Record<string, string>; gpuSlot: number | null } {
    return trainerEnv(this.dataDir, this.backend, this.workers.map((w) => w.gpuSlot ?? 0));
  }

  private addWorker(onReady?: (b: BackendInfo) => void, onEarlyExit?: (e: Error) => void): void {
    const { env, gpuSlot } = this.processEnv();
    const worker: Worker = { channel: this.spawn(env), ready: false, job: null, cancelTimer: null, threads: null, canGrow: true, gpuSlot, threadUse: null };
    this.workers.push(worker);
    worker.channel.onMessage((raw) => {
      const parsed = FromTrainer.safeParse(raw);
      if (!parsed.success) {
        this.events.emit('log', { level: 'error', message: `Ignored a malformed message from a training process: ${parsed.error.message}`, runId: null });
        return;
      }
      if (parsed.data.type === 'ready') {
        worker.ready = true;
        const threads = parsed.data.backend.threads;
        worker.threads = threads ? { ...threads, asked: null } : null;
        if (!this.backend) {
          this.backend = parsed.data.backend;
          this.events.emit('backend.ready', parsed.data.backend);
        }
        onReady?.(parsed.data.backend);
        this.pump();
      } else this.handle(worker, parsed.data);
    });
    worker.channel.onExit((code, signal) => {
      const index = this.workers.indexOf(worker);
      if (index >= 0) this.workers.splice(index, 1);
      if (!worker.ready) onEarlyExit?.(new Error(`The training process exited before it was ready (code ${code}, signal ${signal}).`));
      this.workerDied(worker, `The training process stopped unexpectedly (exit code ${code ?? '-'}, signal ${signal ?? '-'}).`);
      if (!this.stopped) this.pump();
    });
  }

  /**
   * A fine-tune freezes a finished pre-training run on the same dataset; it inherits that
   * run's network shape, sequence policy and split so the frozen encoder sees what it saw.
   */
  private finetuneConfig(request: { datasetId: string; parentRunId?: number; config: TrainConfig }): TrainConfig {
    if (!request.parentRunId) throw new WorkbenchError('invalid_params', 'A fine-tuning run needs the pre-training run whose encoder it freezes (parentRunId).');
    const parent = this.runs.summary(request.parentRunId);
    if (parent.kind !== 'pretrain') throw new WorkbenchError('invalid_params', `Run ${parent.id} is a ${parent.kind} run, not a pre-training run.`);
    if (parent.status !== 'done') throw new WorkbenchError('conflict', `Pre-training run ${parent.id} is ${parent.status}; fine-tune once it is done.`);
    if (parent.datasetId !== request.datasetId) throw new WorkbenchError('invalid_params', `Pre-training run ${parent.id} was trained on another dataset (${parent.datasetId}).`);
    const { hiddenUnits, gruLayers } = parent.config.model;
    return { ...request.config, model: { ...request.config.model, hiddenUnits, gruLayers }, sequence: parent.config.sequence, split: parent.config.split, mask: null };
  }

  /**
   * Checks a training request against the rules of requestRules.ts on the dataset and split
   * it names; throws what makes it impossible, returns what weakens it.
   */
  check(datasetId: string, kind: RunKind, config: TrainConfig): string[] {
    const split = this.datasets.split(datasetId, config.split);
    return checkTrainingRequest(kind, config, {
      trainSize: split.assignment.train.length,
      testSize: split.assignment.test?.length ?? 0,
      validSteps: () => {
        const frames = this.datasets.segmentFrames(datasetId);
        return split.assignment.train.map((i) => clipSteps(frames[i], config.sequence));
      },
    });
  }

  start(request: { datasetId: string; kind: RunKind; name?: string; parentRunId?: number; config: TrainConfig; experiment?: NewRun['experiment'] }): RunSummary {
    const name = request.name?.trim() || `${request.kind} ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`;
    const config = request.kind === 'finetune' ? this.finetuneConfig(request) : request.kind === 'baseline' ? { ...request.config, mask: null } : request.config;
    if (request.kind === 'pretrain' && !config.mask) throw new WorkbenchError('invalid_params', 'A pre-training run needs a masking configuration.');
    const warnings = this.check(request.datasetId, request.kind, config);
    const split = this.datasets.split(request.datasetId, config.split);
    const parentRunId = request.kind === 'finetune' ? request.parentRunId! : null;
    const run = this.runs.create({ name, kind: request.kind, datasetId: request.datasetId, config, splitId: split.id, parentRunId, experiment: request.experiment });
    for (const message of warnings) this.events.emit('log', { level: 'warn', message: `Run #${run.id}: ${message}`, runId: run.id });
    this.enqueue(run);
    return run;
  }

  private enqueue(run: RunSummary): void {
    const split = this.datasets.split(run.datasetId, run.config.split);
    this.queue.push({
      attempts: 0,
      job: {
      runId: run.id,
      kind: run.kind,
      dataDir: this.dataDir,
      datasetId: run.datasetId,
      config: run.config,
      runDir: runDir(this.dataDir, run.id),
      parentRunDir: run.parentRunId === null ? null : runDir(this.dataDir, run.parentRunId),
      split: { train: split.assignment.train, validation: split.assignment.validation, test: split.assignment.test ?? [] },
      ...(this.tuning.checkpointEverySeconds === undefined ? {} : { checkpointEverySeconds: this.tuning.checkpointEverySeconds }),
      },
    });
    this.events.emit('run.status', { runId: run.id, status: 'queued', error: null });
    void this.warmUp().then(() => this.pump(), () => undefined);
  }

  /** Continues a run that stopped early from its last checkpoint (its recorded epochs are kept). */
  resume(runId: number): RunSummary {
    const run = this.runs.summary(runId);
    if (!this.runs.requeue(runId)) {
      throw new WorkbenchError('conflict', `Run ${runId} is ${run.status}; only interrupted, failed or cancelled runs can be resumed.`);
    }
    this.enqueue(run);
    return this.runs.summary(runId);
  }

  cancel(runId: number): boolean {
    if (this.remote?.cancel(runId)) return true;
    const queued = this.queue.findIndex((q) => q.job.runId === runId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(runId, 'cancelled', null);
      return true;
    }
    const worker = this.workers.find((w) => w.job?.job.runId === runId);
    if (!worker) {
      const run = this.runs.summary(runId);
      throw new WorkbenchError('conflict', `Run ${runId} is ${run.status}; only queued or running runs can be cancelled.`);
    }
    worker.channel.send({ type: 'cancel', runId } satisfies ToTrainer);
    worker.cancelTimer = setTimeout(() => worker.channel.kill(), CANCEL_GRACE_MS);
    return true;
  }

  shutdown(): void {
    this.stopped = true;
    if (this.rebalanceTimer) clearInterval(this.rebalanceTimer);
    for (const w of this.workers) w.channel.send({ type: 'shutdown' } satisfies ToTrainer);
  }

  /**
   * Hands queued jobs to idle training processes, starting more processes up to the pool
   * size while jobs wait. A fine-tune waits while another fine-tune of the same
   * pre-training run is computing that run's encoder outputs, so they are computed once.
   */
  private pump(): void {
    if (this.stopped) return;
    this.handOverRemote();
    // Shrink: idle processes beyond the pool size stop, and so do idle ones that can no longer take more threads (a new one can).
    const idle = this.workers.filter((w) => w.ready && !w.job);
    const surplus = idle.slice(0, Math.max(0, this.workers.length - this.poolSize()));
    for (const stop of new Set([...surplus, ...idle.filter((w) => !w.canGrow)])) {
      stop.channel.send({ type: 'shutdown' } satisfies ToTrainer);
      this.workers.splice(this.workers.indexOf(stop), 1);
    }
    for (const worker of this.workers) {
      if (!worker.ready || worker.job) continue;
      const index = this.queue.findIndex((q) => this.mayStart(q.job));
      if (index < 0) break;
      const [next] = this.queue.splice(index, 1);
      worker.job = next;
      worker.channel.send({ type: 'start', job: next.job } satisfies ToTrainer);
    }
    this.shareThreads();
    const starting = this.workers.filter((w) => !w.ready).length;
    const startable = this.queue.filter((q) => this.mayStart(q.job)).length;
    if (this.backend && startable > starting && this.workers.length < this.poolSize()) this.addWorker();
    else if (!this.workers.length && this.queue.length) void this.warmUp().catch(() => undefined);
  }

  /** Queued jobs the cluster takes leave the local queue for it. */
  private handOverRemote(): void {
    const remote = this.remote;
    if (!remote) return;
    for (let i = this.queue.findIndex((q) => remote.takes(q.job)); i >= 0; i = this.queue.findIndex((q) => remote.takes(q.job))) {
      const [queued] = this.queue.splice(i, 1);
      this.runs.markOnCluster(queued.job.runId);
      remote.submit(queued.job, this.remoteSink);
    }
  }

  /**
   * Multi-threaded WASM: the cores other programs leave free shared out among the running
   * jobs' processes (a lone job gets them all, jobs side by side one each; see freeCores and
   * shareCores). Asked of a process only when its share changes; again every minute while
   * runs train.
   */
  shareThreads(): void {
    const running = this.workers.filter((w) => w.job && w.threads);
    if (running.length && !this.rebalanceTimer && !this.stopped) {
      this.rebalanceTimer = setInterval(() => this.shareThreads(), 60_000);
      this.rebalanceTimer.unref();
    } else if (!running.length && this.rebalanceTimer) {
      // Nothing trains: nothing to rebalance until a run starts (pump calls this again then).
      clearInterval(this.rebalanceTimer);
      this.rebalanceTimer = null;
    }
    const { cores } = this.coreSharing();
    const shares = shareCores(
      cores,
      running.map((w) => ({ id: w.job!.job.runId, cost: jobCost(w.job!.job), max: w.threads!.max })),
    );
    for (const w of running) {
      const share = shares.get(w.job!.job.runId)!;
      if (share === (w.threads!.asked ?? w.threads!.current)) continue;
      w.threads!.asked = share;
      w.channel.send({ type: 'threads', count: share } satisfies ToTrainer);
    }
  }

  private mayStart(job: TrainerJob): boolean {
    if (job.kind !== 'finetune' || !job.parentRunDir || this.encodedParents.has(job.parentRunDir)) return true;
    return !this.workers.some((w) => w.job?.job.kind === 'finetune' && w.job.job.parentRunDir === job.parentRunDir);
  }

  private handle(worker: Worker, message: Exclude<FromTrainer, { type: 'ready' }>): void {
    switch (message.type) {
      case 'started':
        this.runs.markRunning(message.runId, message.backend, message.backendReason, { host: null, cores: this.cores });
        worker.threadUse = worker.threads ? new ThreadUse(worker.threads.current, this.tuning.clock ?? (() => performance.now())) : null;
        this.events.emit('run.status', { runId: message.runId, status: 'running', error: null });
        break;
      case 'progress':
        this.events.emit('run.progress', message.progress);
        break;
      case 'resumed': {
        const dropped = this.runs.dropEpochsAfter(message.runId, message.epoch);
        if (dropped.length) {
          const which = dropped.length === 1 ? `epoch ${dropped[0]} was` : `epochs ${dropped[0]}-${dropped.at(-1)} were`;
          const text = `Run ${message.runId} resumed from its checkpoint of epoch ${message.epoch}: ${which} recorded after it but not checkpointed before its training process stopped, and ${dropped.length === 1 ? 'is' : 'are'} trained again.`;
          this.events.emit('log', { level: 'warn', message: text, runId: message.runId });
        }
        break;
      }
      case 'epoch':
        if (!message.fromCheckpoint) this.runs.recordEpoch(message.runId, message.record);
        else if (this.runs.recordEpochIfMissing(message.runId, message.record)) {
          const text = `Run ${message.runId}: epoch ${message.record.epoch} was checkpointed but not recorded before its training process stopped; recorded from the checkpoint.`;
          this.events.emit('log', { level: 'warn', message: text, runId: message.runId });
        } else break; // already recorded: nothing changed
        this.events.emit('run.epoch', { runId: message.runId, ...message.record });
        break;
      case 'done':
        try {
          this.record(message);
        } catch (err) {
          this.release(worker, message.runId, 'failed', `The run finished but its results could not be recorded: ${err instanceof Error ? err.message : String(err)}`);
          break;
        }
        if (worker.job?.job.kind === 'finetune' && worker.job.job.parentRunDir) this.encodedParents.add(worker.job.job.parentRunDir);
        if (worker.threadUse && worker.job?.job.runId === message.runId) this.runs.recordThreads(message.runId, worker.threadUse.mean());
        this.release(worker, message.runId, 'done', null);
        break;
      case 'cancelled':
        this.release(worker, message.runId, 'cancelled', null);
        break;
      case 'failed':
        this.release(worker, message.runId, 'failed', message.error);
        break;
      case 'log':
        this.events.emit('log', { level: message.level, message: message.message, runId: worker.job?.job.runId ?? null });
        break;
      case 'threads':
        if (worker.threads) worker.threads = { current: message.current, max: message.max, asked: worker.threads.asked };
        worker.threadUse?.set(message.current);
        worker.canGrow = message.canGrow;
        break;
    }
  }

  /** A finished run's results, all or nothing: metrics per split and its predictions. */
  private record(done: Extract<FromTrainer, { type: 'done' }>): void {
    this.runs.transaction(() => {
      this.runs.recordMetrics(done.runId, done.metrics);
      if (done.testMetrics.length) this.runs.recordMetrics(done.runId, done.testMetrics, 'test');
      for (const p of done.predictions) this.runs.recordPredictions(done.runId, p.split, p.segments, p.values);
    });
  }

  private release(worker: Worker, runId: number, status: 'done' | 'failed' | 'cancelled', error: string | null): void {
    if (worker.job?.job.runId === runId) {
      if (worker.cancelTimer) clearTimeout(worker.cancelTimer);
      worker.cancelTimer = null;
      worker.job = null;
      worker.threadUse = null;
    }
    this.finish(runId, status, error);
  }

  private finish(runId: number, status: 'done' | 'failed' | 'cancelled', error: string | null): void {
    if (this.runs.finish(runId, status, error)) this.events.emit('run.status', { runId, status, error });
    this.pump();
  }

  /** A crashed process fails only its own job: retried once from its checkpoint, then failed with the reason. */
  private workerDied(worker: Worker, reason: string): void {
    const queued = worker.job;
    if (!queued) return;
    worker.job = null;
    const runId = queued.job.runId;
    if (worker.cancelTimer) {
      clearTimeout(worker.cancelTimer);
      this.finish(runId, 'cancelled', null);
    } else if (queued.attempts < 1 && !this.stopped) {
      this.events.emit('log', { level: 'warn', message: `${reason} Run ${runId} is retried from its last checkpoint.`, runId });
      this.queue.unshift({ attempts: queued.attempts + 1, job: queued.job });
    } else this.finish(runId, 'failed', `${reason} Recorded epochs are kept.`);
  }
}
