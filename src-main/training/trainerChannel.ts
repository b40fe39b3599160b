import { fork } from 'node:child_process';
import type { ToTrainer } from '@shared/api/trainerProtocol';

/** What the training service needs of a training process, whichever way it was started. */
export interface TrainerChannel {
  send(message: ToTrainer): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}
export type SpawnTrainer = () => TrainerChannel;

/** Browser mode, tests and the CLI: a Node child process running the built trainer entry. */
export function forkTrainer(entry: string, env: NodeJS.ProcessEnv = process.env): SpawnTrainer {
  return () => {
    const child = fork(entry, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    return {
      send: (m) => {
        if (child.connected) child.send(m);
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
