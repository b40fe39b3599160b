import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { ProcessEntry, SpawnProcess } from '../platform/workerProcesses';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ENTRIES: Record<ProcessEntry, string> = {
  trainer: 'src-main/training/trainerProcess.ts',
  importer: 'src-main/data/importerProcess.ts',
};

/**
 * The command-line tools and the unit tests run from source (through tsx), so their
 * worker processes do too; the app forks the built entries instead.
 */
export const forkSourceProcess: SpawnProcess = (entry, env = {}) => {
  const child = fork(resolve(ROOT, ENTRIES[entry]), [], {
    execArgv: ['--import', 'tsx'],
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  return {
    send: (m) => {
      if (child.connected) child.send(m as object);
    },
    onMessage: (l) => child.on('message', l),
    onExit: (l) => child.on('exit', (c, s) => l(c, s)),
    kill: () => child.kill('SIGKILL'),
  };
};
