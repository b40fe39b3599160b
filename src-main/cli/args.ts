import { argValue } from '../config/dataDir';

/** Reads `--name VALUE` options; exits with a usage line when a required one is missing. */
export function requireArg(argv: readonly string[], name: string, usage: string): string {
  const value = argValue(argv, name);
  if (!value || value.startsWith('--')) {
    console.error(`Missing ${name}.\nUsage: ${usage}`);
    process.exit(2);
  }
  return value;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  const s = Math.round(seconds);
  return s < 60 ? ` · ETA ${s} s` : ` · ETA ${Math.floor(s / 60)} min ${s % 60} s`;
}
