import { join } from 'node:path';
import { WorkbenchError } from '@shared/api/contract';
import type { BackendInfo, RunKind, RunSummary, TrainConfig } from '@shared/api/entities';
import { FromTrainer, type ToTrainer, type TrainerJob } from '@shared/api/trainerProtocol';
import type { NewRun, RunRepository } from '../store/runs';
import type { StoredSplit } from '../store/splits';
import type { EventSink } from '../app/events';
import type { ProcessChannel } from '../app/processes';

/** Where a run keeps its checkpoint and cached encoder outputs. */
export const runDir = (dataDir: string, runId: number) => join(dataDir, 'runs', String(runId));

/** How long a cancelled run may take to reach a batch boundary before its process is killed. */
const CANCEL_GRACE_MS = 5000;

/**
 * Runs training jobs one after another in a separate training process, records what
 * that process reports (main is the only writer of the store) and forwards it as events.
 * A process that dies mid-run fails only that run; the next run starts a new process.
 */
export class TrainingService {
  private channel: ProcessChannel | null = null;
  private ready: Promise<BackendInfo> | null = null;
  private backend: BackendInfo | null = null;
  private readonly queue: TrainerJob[] = [];
  private current: TrainerJob | null = null;
  private cancelTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly runs: RunRepository,
    private readonly spawn: () => ProcessChannel,
    private readonly events: EventSink,
    private readonly dataDir: string,
    /** The stored split of a dataset for a run's split configuration. */
    private readonly resolveSplit: (datasetId: string, config: TrainConfig['split']) => StoredSplit,
  ) {}

  backendInfo(): BackendInfo | null {
    return this.backend;
  }

  /** Starts the training process now so the UI can show which backend it chose. */
  warmUp(): Promise<BackendInfo> {
    if (this.ready) return this.ready;
    const channel = this.spawn();
    this.channel = channel;
    this.ready = new Promise<BackendInfo>((resolve, reject) => {
      channel.onMessage((raw) => {
        const parsed = FromTrainer.safeParse(raw);
        if (!parsed.success) {
          this.events.emit('log', { level: 'error', message: `Ignored a malformed message from the training process: ${parsed.error.message}`, runId: null });
          return;
        }
        if (parsed.data.type === 'ready') {
          this.backend = parsed.data.backend;
          this.events.emit('backend.ready', parsed.data.backend);
          resolve(parsed.data.backend);
          this.pump();
        } else this.handle(parsed.data);
      });
      channel.onExit((code, signal) => {
        if (this.channel === channel) {
          this.channel = null;
          this.ready = null;
        }
        reject(new Error(`The training process exited before it was ready (code ${code}, signal ${signal}).`));
        this.failCurrent(`The training process stopped unexpectedly (exit code ${code ?? '-'}, signal ${signal ?? '-'}). Recorded epochs are kept.`);
        if (this.queue.length) void this.warmUp().catch(() => undefined);
      });
    });
    this.ready.catch(() => undefined);
    return this.ready;
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

  start(request: { datasetId: string; kind: RunKind; name?: string; parentRunId?: number; config: TrainConfig; experiment?: NewRun['experiment'] }): RunSummary {
    const name = request.name?.trim() || `${request.kind} ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`;
    const config = request.kind === 'finetune' ? this.finetuneConfig(request) : request.kind === 'baseline' ? { ...request.config, mask: null } : request.config;
    if (request.kind === 'pretrain' && !config.mask) throw new WorkbenchError('invalid_params', 'A pre-training run needs a masking configuration.');
    const split = this.resolveSplit(request.datasetId, config.split);
    const parentRunId = request.kind === 'finetune' ? request.parentRunId! : null;
    const run = this.runs.create({ name, kind: request.kind, datasetId: request.datasetId, config, splitId: split.id, parentRunId, experiment: request.experiment });
    this.enqueue(run);
    return run;
  }

  private enqueue(run: RunSummary): void {
    const split = this.resolveSplit(run.datasetId, run.config.split);
    this.queue.push({
      runId: run.id,
      kind: run.kind,
      dataDir: this.dataDir,
      datasetId: run.datasetId,
      config: run.config,
      runDir: runDir(this.dataDir, run.id),
      parentRunDir: run.parentRunId === null ? null : runDir(this.dataDir, run.parentRunId),
      split: { train: split.assignment.train, validation: split.assignment.validation },
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
    const queued = this.queue.findIndex((j) => j.runId === runId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(runId, 'cancelled', null);
      return true;
    }
    if (this.current?.runId !== runId) {
      const run = this.runs.summary(runId);
      throw new WorkbenchError('conflict', `Run ${runId} is ${run.status}; only queued or running runs can be cancelled.`);
    }
    this.send({ type: 'cancel', runId });
    this.cancelTimer = setTimeout(() => this.channel?.kill(), CANCEL_GRACE_MS);
    return true;
  }

  shutdown(): void {
    this.send({ type: 'shutdown' });
    this.channel = null;
  }

  private send(message: ToTrainer): void {
    this.channel?.send(message);
  }

  private pump(): void {
    if (this.current || !this.backend || !this.channel) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    this.send({ type: 'start', job: next });
  }

  private handle(message: Exclude<FromTrainer, { type: 'ready' }>): void {
    switch (message.type) {
      case 'started':
        this.runs.markRunning(message.runId, message.backend, message.backendReason);
        this.events.emit('run.status', { runId: message.runId, status: 'running', error: null });
        break;
      case 'progress':
        this.events.emit('run.progress', message.progress);
        break;
      case 'epoch':
        this.runs.recordEpoch(message.runId, message.record);
        this.events.emit('run.epoch', { runId: message.runId, ...message.record });
        break;
      case 'done':
        this.runs.recordMetrics(message.runId, message.metrics);
        this.finish(message.runId, 'done', null);
        break;
      case 'cancelled':
        this.finish(message.runId, 'cancelled', null);
        break;
      case 'failed':
        this.finish(message.runId, 'failed', message.error);
        break;
      case 'log':
        this.events.emit('log', { level: message.level, message: message.message, runId: this.current?.runId ?? null });
        break;
    }
  }

  private finish(runId: number, status: 'done' | 'failed' | 'cancelled', error: string | null): void {
    if (this.cancelTimer && this.current?.runId === runId) {
      clearTimeout(this.cancelTimer);
      this.cancelTimer = null;
    }
    if (this.runs.finish(runId, status, error)) this.events.emit('run.status', { runId, status, error });
    if (this.current?.runId === runId) this.current = null;
    this.pump();
  }

  private failCurrent(error: string): void {
    if (!this.current) return;
    const runId = this.current.runId;
    const wasCancelling = this.cancelTimer !== null;
    this.finish(runId, wasCancelling ? 'cancelled' : 'failed', wasCancelling ? null : error);
  }
}
