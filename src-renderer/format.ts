/** Display helpers shared by the views. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

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
