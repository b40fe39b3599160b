import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const DATA_DIR_ENV = 'MOSEI_WORKBENCH_DATA_DIR';
export const APP_NAME = 'MOSEI SSL Workbench';

/**
 * Value of `--name VALUE` or `--name=VALUE` in argv. Only for Electron's main process, whose
 * argv also carries Chromium's own switches; the command lines parse strictly (cli/commandLine.ts).
 */
export function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** Where Electron keeps `userData` on each platform, so both modes share one history. */
export function defaultUserDataDir(platform = process.platform, env = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

/** `--workers N` (its value, if given) or MOSEI_WORKERS: how many training processes run at once (null: chosen by backend). */
export function resolveWorkers(given: string | undefined, env: NodeJS.ProcessEnv): number | null {
  const raw = given ?? env.MOSEI_WORKERS;
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--workers (or MOSEI_WORKERS) must be a whole number from 1 to 64, not "${raw}".`);
  return n;
}

/** `--data-dir` (its value, if given), then the environment variable, then the given default. */
export function resolveDataDir(given: string | undefined, env: NodeJS.ProcessEnv, fallback: string): string {
  return userPath(given ?? env[DATA_DIR_ENV] ?? fallback, env);
}

/**
 * A path the user typed, made absolute from the folder they ran the command in. `npm run`
 * runs scripts from the package folder and keeps the user's folder in INIT_CWD.
 */
export function userPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.INIT_CWD ?? process.cwd(), path);
}
