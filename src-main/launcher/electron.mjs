/**
 * Finding a runnable Electron and a better-sqlite3 build for its ABI. Used by `npm start`
 * and by the Electron end-to-end test. Plain JavaScript: it runs before anything is built.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
export const say = (line) => console.log(`[workbench] ${line}`);

/** Path of a runnable Electron binary, downloading it once if npm skipped that, or a reason why not. */
export function electronBinary({ download = true } = {}) {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'no display was found (headless machine)' };
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const binaryPath = () => {
    try {
      const p = join(pkgDir, 'dist', readFileText(join(pkgDir, 'path.txt')));
      return existsSync(p) ? p : null;
    } catch {
      return null;
    }
  };
  if (!binaryPath()) {
    if (!download) return { reason: "Electron's binary is not installed (npm start downloads it)" };
    say("Downloading Electron's binary (once)…");
    const fetched = spawnSync(process.execPath, [join(pkgDir, 'install.js')], { cwd: pkgDir, stdio: ['ignore', 'inherit', 'pipe'], timeout: 600_000, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' } });
    if (fetched.status !== 0 || !binaryPath()) {
      const why = String(fetched.stderr ?? '').split('\n').find((l) => /Error/.test(l)) ?? 'download failed';
      return { reason: `Electron's binary could not be downloaded (${why.trim()})` };
    }
  }
  return { path: binaryPath() };
}

export function readFileText(path) {
  return readFileSync(path, 'utf8').trim();
}

/**
 * better-sqlite3 is compiled for Node's ABI (tests, CLI, browser mode). Electron needs its
 * own build: made once into .electron-native/, and passed to main by path, so the
 * Node build is never replaced.
 */
export function electronSqliteBinding(electronVersion) {
  const dir = join(root, '.electron-native', `better-sqlite3-electron-${electronVersion}`);
  const binding = join(dir, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return binding;
  say(`Building the SQLite module for Electron ${electronVersion} (once)…`);
  const source = dirname(require.resolve('better-sqlite3/package.json'));
  // Everything but the Node build, which is what gets rebuilt here.
  cpSync(source, dir, { recursive: true, filter: (src) => !relative(source, src).startsWith('build') });
  const prebuilt = spawnSync(process.execPath, [require.resolve('prebuild-install/bin.js'), '--runtime', 'electron', '--target', electronVersion], { cwd: dir, stdio: 'inherit' });
  if (prebuilt.status !== 0) {
    const gyp = spawnSync('npx', ['node-gyp', 'rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'], { cwd: dir, stdio: 'inherit' });
    if (gyp.status !== 0) return null;
  }
  return existsSync(binding) ? binding : null;
}

export function electronVersion() {
  return JSON.parse(readFileText(require.resolve('electron/package.json'))).version;
}
