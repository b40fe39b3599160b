import { fork } from 'node:child_process';
import { join } from 'node:path';

/**
 * Heavy work (training, importing multi-GB files) runs in separate processes so the
 * window and the bridge never stall. This is what main needs of such a process,
 * whichever way it was started (Electron utilityProcess or Node child process).
 */
export interface ProcessChannel {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

/** Build entries under out/main/ that run as their own process. */
export type ProcessEntry = 'trainer' | 'importer';
/** Starts a process for an entry, with `env` added to this process's environment. */
export type SpawnProcess = (entry: ProcessEntry, env?: Record<string, string>) => ProcessChannel;

/** Browser mode, tests and the CLI: a Node child process running a built entry. */
export function forkNodeProcess(outMainDir: string, env: NodeJS.ProcessEnv = process.env): SpawnProcess {
  return (entry, extra = {}) => {
    const child = fork(join(outMainDir, `${entry}.js`), [], { env: { ...env, ...extra }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    return {
      send: (m) => {
        if (child.connected) child.send(m as object);
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
