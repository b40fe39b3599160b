#!/usr/bin/env node
/**
 * `npm start`: builds the app when its sources changed, then opens the desktop window
 * when Electron can run here, or serves browser mode (the same services behind the
 * loopback bridge) when it can't or when `--serve` is given.
 * Plain JavaScript on purpose: it runs before anything is built.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { electronBinary, electronSqliteBinding, electronVersion, root, say } from './electron.mjs';
import { nearestFlag } from './nearestFlag.mjs';

const USAGE = `Usage: npm start [-- --data-dir DIR] [--workers N] [--serve] [--port N] [--redis URL] [--allow-insecure-redis]

Opens the desktop window, or serves browser mode where Electron cannot run (or with --serve).
  --data-dir DIR     the data directory (default: MOSEI_WORKBENCH_DATA_DIR, else the desktop app's)
  --workers N        training processes at once (default: MOSEI_WORKERS, else one per core)
  --serve            browser mode even where the desktop window could open
  --port N           browser mode's port (default: a free one)
  --redis URL        send pre-trainings and baselines to the workers of this Redis (redis:// or rediss://; default: MOSEI_REDIS_URL, else the saved setting)
  --allow-insecure-redis  accept a redis:// URL without a password to another machine`;
const OPTIONS = { 'data-dir': { type: 'string' }, workers: { type: 'string' }, serve: { type: 'boolean' }, port: { type: 'string' }, redis: { type: 'string' }, 'allow-insecure-redis': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

/** The command line, checked strictly before anything is built: a mistyped flag is an error, not ignored. */
function readArgs(argv) {
  try {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
  } catch (err) {
    const flags = Object.keys(OPTIONS).map((name) => `--${name}`);
    const unknown = argv.find((a) => a.startsWith('--') && !flags.includes(a.replace(/=.*$/, '')));
    const near = unknown ? nearestFlag(unknown, flags) : null;
    const problem = unknown ? `Unknown option ${unknown.replace(/=.*$/, '')}.${near ? ` Did you mean ${near}?` : ''}` : err.message.split('. To specify')[0];
    console.error(`${problem}\n\n${USAGE}`);
    process.exit(2);
  }
  return argv;
}

const args = readArgs(process.argv.slice(2));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  const stamp = join(root, 'out', 'main', 'serve.js');
  const sources = ['src-main', 'src-renderer', 'src-shared'].map((d) => newestSource(join(root, d)));
  const configs = ['electron.vite.config.ts', 'package.json'].map((f) => statSync(join(root, f)).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(...sources, ...configs)) return;
  say('Building the app (first start or sources changed)…');
  const built = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    console.error('[workbench] The build failed; see the messages above.');
    process.exit(1);
  }
}

function serve(reason) {
  if (reason) say(`Starting in browser mode: ${reason}.`);
  const child = spawn(process.execPath, [join(root, 'out', 'main', 'serve.js'), ...args.filter((a) => a !== '--serve')], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

ensureBuilt();
if (args.includes('--serve')) serve(null);
else {
  const electron = electronBinary();
  if (!electron.path) serve(electron.reason);
  else {
    const binding = electronSqliteBinding(electronVersion());
    if (!binding) serve('the SQLite module could not be built for Electron');
    else {
      const child = spawn(electron.path, [root, ...args], { stdio: 'inherit', env: { ...process.env, MOSEI_SQLITE_BINDING: binding } });
      child.on('exit', (code) => process.exit(code ?? 0));
    }
  }
}
