import { readFileSync } from 'node:fs';

/** Injected by the build from package.json; the command line runs from source and reads package.json itself. */
declare const __WORKBENCH_VERSION__: string | undefined;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0-dev';
  }
}

export const WORKBENCH_VERSION = typeof __WORKBENCH_VERSION__ === 'string' ? __WORKBENCH_VERSION__ : packageVersion();
