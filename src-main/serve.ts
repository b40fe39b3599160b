/**
 * Browser mode: the same main-process services as the desktop app, behind the loopback
 * bridge, for machines where Electron's window can't open (headless servers, CI).
 * Usage: node out/main/serve.js [--data-dir DIR] [--port N] [--workers N] (npm run serve)
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkbench } from './app/workbench';
import { startBridge } from './bridge/server';
import { defaultUserDataDir, resolveDataDir, resolveWorkers } from './config/dataDir';
import { DATA_DIR_OPTION, DATA_DIR_USAGE, readCommandLine, UsageError, usageFailure, WORKERS_OPTION, WORKERS_USAGE, wholeNumber } from './cli/commandLine';
import { forkNodeProcess } from './platform/workerProcesses';

const here = dirname(fileURLToPath(import.meta.url));

const COMMAND = {
  usage: ['Usage: npm run serve -- [--data-dir DIR] [--port N] [--workers N]', '', 'Browser mode: serves the workbench on 127.0.0.1 and prints the URL to open.', DATA_DIR_USAGE, '  --port N           the port to listen on (default: a free one)', WORKERS_USAGE].join('\n'),
  options: { ...DATA_DIR_OPTION, ...WORKERS_OPTION, port: { type: 'string' } },
} as const;

async function main(): Promise<void> {
  const { values } = readCommandLine(COMMAND);
  const dataDir = resolveDataDir(values['data-dir'], process.env, defaultUserDataDir());
  const port = wholeNumber(values.port, '--port', { min: 0, max: 65535 }) ?? 0;
  const workers = resolveWorkers(values.workers, process.env);
  const workbench = await createWorkbench({ dataDir, mode: 'browser', spawnProcess: forkNodeProcess(here), workers });
  const bridge = await startBridge({ workbench, staticDir: join(here, '..', 'renderer'), port });
  workbench.events.subscribe((name, payload) => {
    if (name === 'backend.ready') {
      const b = payload as { name: string; reason: string };
      console.log(`Training backend: ${b.name} (${b.reason})`);
    }
    if (name === 'log') console.log((payload as { message: string }).message);
  });
  console.log(`MOSEI SSL Workbench (browser mode)`);
  console.log(`Data directory: ${dataDir}`);
  if (workbench.interruptedAtStart) console.log(`${workbench.interruptedAtStart} unfinished run(s) from the last session were marked interrupted.`);
  console.log(`Open: ${bridge.url}`);

  const stop = async () => {
    await bridge.close();
    workbench.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: Error) => {
  if (err instanceof UsageError) usageFailure(COMMAND, err.message);
  console.error(`Could not start the workbench: ${err.message}`);
  process.exit(1);
});
