import { argValue } from '../config/dataDir';
import { formatDuration } from '@shared/format';

/** Reads `--name VALUE` options; exits with a usage line when a required one is missing. */
export function requireArg(argv: readonly string[], name: string, usage: string): string {
  const value = argValue(argv, name);
  if (!value || value.startsWith('--')) {
    console.error(`Missing ${name}.\nUsage: ${usage}`);
    process.exit(2);
  }
  return value;
}

/** " · ETA 3 min 05 s" for a progress line, nothing while unknown. */
export function formatEta(seconds: number | null): string {
  return seconds === null || !Number.isFinite(seconds) ? '' : ` · ETA ${formatDuration(seconds)}`;
}
