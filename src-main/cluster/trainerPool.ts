import type { BackendInfo } from '@shared/api/entities';
import { FromTrainer, type ToTrainer } from '@shared/api/trainerProtocol';
import type { ProcessChannel } from '../platform/workerProcesses';
import { trainerEnv } from '../training/trainerEnv';

/** A training process that said it is ready, with the backend it chose. */
export interface ReadyTrainer {
  channel: ProcessChannel;
  backend: BackendInfo;
  /** Set once it exited; such a process is never handed out again. */
  exited: boolean;
  /** The job now using it: its messages (validated) and its exit go there. */
  listener: TrainerListener | null;
  /** Its GPU (CUDA_VISIBLE_DEVICES) on tfjs-node-gpu; null: it saw them all (the first) or there are none. */
  gpuSlot: number | null;
}

export interface TrainerListener {
  message(message: FromTrainer): void;
  exit(code: number | null, signal: string | null): void;
}

/**
 * The worker's training processes: started on demand, at most `limit` of them handed out at
 * once (the worker's --workers, across all the queues it listens on), kept while idle so the
 * next job does not pay TensorFlow.js's start-up again, dropped when they exit or when a job
 * left them in an unknown state (a cancel, a failure). Each starts with the environment the
 * workbench's own pool gives its processes (trainerEnv).
 */
export class TrainerPool {
  private readonly idle: ReadyTrainer[] = [];
  private readonly all = new Set<ReadyTrainer>();
  /** GPUs of the processes still starting. */
  private readonly startingSlots: number[] = [];
  /** Acquirers waiting for a process to be handed back. */
  private readonly waiting: Array<() => void> = [];
  private handedOut = 0;
  private size = 1;
  private backend: BackendInfo | null = null;

  constructor(
    private readonly spawn: (env: Record<string, string>) => ProcessChannel,
    private readonly dataDir: string,
  ) {}

  /** How many processes may be handed out at once (one until the worker knows its backend). */
  limit(size: number): void {
    this.size = Math.max(1, size);
    for (let n = this.waiting.length; n > 0; n--) this.waiting.shift()?.();
  }

  /** A ready training process; waits while `limit` of them are handed out. */
  async acquire(): Promise<ReadyTrainer> {
    while (this.handedOut >= this.size) await new Promise<void>((wake) => this.waiting.push(wake));
    this.handedOut++;
    try {
      for (let t = this.idle.pop(); t; t = this.idle.pop()) if (!t.exited) return t;
      return await this.start();
    } catch (err) {
      this.handBack();
      throw err;
    }
  }

  release(trainer: ReadyTrainer): void {
    trainer.listener = null;
    if (!trainer.exited) this.idle.push(trainer);
    this.handBack();
  }

  discard(trainer: ReadyTrainer): void {
    trainer.listener = null;
    this.all.delete(trainer);
    if (!trainer.exited) trainer.channel.kill();
    this.handBack();
  }

  close(): void {
    for (const t of this.all) if (!t.exited) t.channel.send({ type: 'shutdown' } satisfies ToTrainer);
    this.all.clear();
    this.idle.length = 0;
  }

  /** Kills every process at once (a worker stopped hard). */
  kill(): void {
    for (const t of this.all) if (!t.exited) t.channel.kill();
    this.all.clear();
    this.idle.length = 0;
  }

  private handBack(): void {
    this.handedOut--;
    this.waiting.shift()?.();
  }

  private start(): Promise<ReadyTrainer> {
    const { env, gpuSlot } = trainerEnv(this.dataDir, this.backend, [...[...this.all].map((t) => t.gpuSlot ?? 0), ...this.startingSlots]);
    const channel = this.spawn(env);
    const slot = gpuSlot ?? 0;
    this.startingSlots.push(slot);
    const started = () => this.startingSlots.splice(this.startingSlots.indexOf(slot), 1);
    return new Promise((resolve, reject) => {
      let trainer: ReadyTrainer | null = null;
      let lastLog = '';
      channel.onMessage((raw) => {
        const parsed = FromTrainer.safeParse(raw);
        if (!parsed.success) return;
        if (trainer) {
          trainer.listener?.message(parsed.data);
          return;
        }
        if (parsed.data.type === 'log') lastLog = parsed.data.message;
        if (parsed.data.type === 'ready') {
          trainer = { channel, backend: parsed.data.backend, exited: false, listener: null, gpuSlot };
          this.backend ??= parsed.data.backend;
          started();
          this.all.add(trainer);
          resolve(trainer);
        }
      });
      channel.onExit((code, signal) => {
        if (trainer) {
          trainer.exited = true;
          this.all.delete(trainer);
          trainer.listener?.exit(code, signal);
        } else {
          started();
          reject(new Error(`The training process exited before it was ready (code ${code ?? '-'}, signal ${signal ?? '-'})${lastLog ? `: ${lastLog}` : '.'}`));
        }
      });
    });
  }
}
