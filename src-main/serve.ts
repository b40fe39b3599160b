/**
 * Browser mode: the same main-process services as the desktop app, behind the loopback
 * bridge, for machines where Electron's window can't open (headless servers, CI).
 * Usage: node out/main/serve.js [--data-dir DIR] [--port N]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkbench } from './app/workbench';
import { startBridge } from './bridge/server';
import { argValue, defaultUserDataDir, resolveDataDir, resolveWorkers } from './config/dataDir';
import { forkNodeProcess } from './app/processes';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const dataDir = resolveDataDir(argv, process.env, defaultUserDataDir());
  const portArg = argValue(argv, '--port');
  const port = portArg === undefined ? 0 : Number(portArg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not "${portArg}".`);

  const workers = resolveWorkers(argv, process.env);
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
  console.error(`Could not start the workbench: ${err.message}`);
  process.exit(1);
});
