/** Display helpers shared by the views. */
export { formatDuration } from '@shared/format';
export function formatNumber(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

export function runDuration(startedAt: string | null, finishedAt: string | null, now = Date.now()): number | null {
  if (!startedAt) return null;
  return ((finishedAt ? Date.parse(finishedAt) : now) - Date.parse(startedAt)) / 1000;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
