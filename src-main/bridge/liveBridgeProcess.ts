/**
 * A bridge in a process of its own, for the specs that try to stop it: a crash ends this
 * process, which the spec sees, instead of the test runner catching the error for it.
 * Prints one JSON line `{ port, token }` once it listens; answers the IPC message
 * `'peak-rss'` with its peak resident memory in bytes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSink } from '../platform/events';
import { createDispatcher, type Handlers } from '../app/dispatch';
import { startBridge } from './server';

const dir = mkdtempSync(join(tmpdir(), 'wb-live-bridge-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>wb</title>');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m === 'peak-rss') process.send?.({ peakRss: process.resourceUsage().maxRSS * 1024 });
});

let running = 0;
let mostAtOnce = 0;
const handlers = {
  'datasets.list': () => [],
  // Takes a few milliseconds and says how many requests ran at once, so a spec can see the bridge's limit.
  'runs.get': async () => {
    mostAtOnce = Math.max(mostAtOnce, ++running);
    await new Promise((r) => setTimeout(r, 2));
    running--;
    return { mostAtOnce };
  },
  // A result JSON cannot carry (a BigInt): the reply must still go out, as an error.
  'app.info': () => ({ version: 1n }),
} as unknown as Handlers;

const bridge = await startBridge({
  workbench: { dispatch: createDispatcher(handlers), events: new EventSink(), dataDir: dir, interruptedAtStart: 0, uploads: null, close: () => undefined },
  staticDir: dir,
});
process.stdout.write(`${JSON.stringify({ port: bridge.port, token: bridge.token })}\n`);
