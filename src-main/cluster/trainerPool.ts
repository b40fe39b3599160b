import type { BackendInfo } from '@shared/api/entities';
import { FromTrainer, type ToTrainer } from '@shared/api/trainerProtocol';
import type { ProcessChannel } from '../platform/workerProcesses';

/** A training process that said it is ready, with the backend it chose. */
export interface ReadyTrainer {
  channel: ProcessChannel;
  backend: BackendInfo;
  /** Set once it exited; such a process is never handed out again. */
  exited: boolean;
  /** The job now using it: its messages (validated) and its exit go there. */
  listener: TrainerListener | null;
}

export interface TrainerListener {
  message(message: FromTrainer): void;
  exit(code: number | null, signal: string | null): void;
}

/**
 * The worker's training processes: started on demand, kept while idle so the next job does
 * not pay TensorFlow.js's start-up again, dropped when they exit or when a job left them in
 * an unknown state (a cancel, a failure).
 */
export class TrainerPool {
  private readonly idle: ReadyTrainer[] = [];
  private readonly all = new Set<ReadyTrainer>();

  constructor(private readonly spawn: () => ProcessChannel) {}

  async acquire(): Promise<ReadyTrainer> {
    for (let t = this.idle.pop(); t; t = this.idle.pop()) if (!t.exited) return t;
    return this.start();
  }

  release(trainer: ReadyTrainer): void {
    trainer.listener = null;
    if (!trainer.exited) this.idle.push(trainer);
  }

  discard(trainer: ReadyTrainer): void {
    trainer.listener = null;
    this.all.delete(trainer);
    if (!trainer.exited) trainer.channel.kill();
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

  private start(): Promise<ReadyTrainer> {
    const channel = this.spawn();
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
          trainer = { channel, backend: parsed.data.backend, exited: false, listener: null };
          this.all.add(trainer);
          resolve(trainer);
        }
      });
      channel.onExit((code, signal) => {
        if (trainer) {
          trainer.exited = true;
          this.all.delete(trainer);
          trainer.listener?.exit(code, signal);
        } else reject(new Error(`The training process exited before it was ready (code ${code ?? '-'}, signal ${signal ?? '-'})${lastLog ? `: ${lastLog}` : '.'}`));
      });
    });
  }
}
