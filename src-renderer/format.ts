/** Display helpers shared by the views. */
export { formatBytes, formatDuration } from '@shared/format';
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

/** "0.412 ± 0.031", or "0.412" for a single value; "—" when missing. */
export function formatMeanSd(m: { mean: number; sd: number | null } | undefined): string {
  return m ? `${formatNumber(m.mean)}${m.sd === null ? '' : ` ± ${formatNumber(m.sd)}`}` : '—';
}

/** A config value in a comparison table: "—" when the run has no such field, "none" when it is null. */
export function formatFieldValue(v: string | number | boolean | null | undefined): string {
  return v === undefined ? '—' : v === null ? 'none' : String(v);
}

/** Names of the metrics the engine computes, as tables head them. */
export const METRIC_LABELS: Record<string, string> = {
  mae: 'MAE', acc4: '4-class accuracy', f1Binary: 'F1 (presence)', f1Weighted: 'F1 (weighted)', weightedAccuracy: 'Weighted accuracy',
  binaryAccuracy: 'Binary accuracy', f1FourClassMicro: 'F1 4-class (micro)', f1FourClassMacro: 'F1 4-class (macro)', reconstructionMse: 'Reconstruction MSE',
  maskedReconstructionMse: 'Reconstruction MSE, masked steps',
};
