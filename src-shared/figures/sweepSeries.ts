/**
 * Pure helpers behind the experiment figures: ExperimentPoint[] -> plotted series (mean and
 * a ±1 sd band per label count), axis ranges and ticks, CSV text, and the summary's wording.
 * The chart component, the SVG export and the CSV export all read the same series.
 */
import type { ExperimentPoint, ExperimentResults, PairedComparison } from '../api/entities';

export type Arm = 'ssl' | 'baseline';

export const ARM_LABELS: Record<Arm, string> = { ssl: 'SSL (pre-trained)', baseline: 'Baseline (from scratch)' };
export const ARM_SHORT: Record<Arm, string> = { ssl: 'SSL', baseline: 'Baseline' };
/** Blue and orange: distinguishable with the common colour-vision deficiencies. */
export const ARM_COLOURS: Record<Arm, string> = { ssl: '#2f6fdf', baseline: '#d9822b' };
export const PAPER_COLOUR = '#7b5ea7';

export const METRIC_LABELS: Record<string, string> = { acc4: '4-class accuracy', mae: 'MAE' };
/** Which direction is better, for the axis title and the summary's colours. */
export const HIGHER_IS_BETTER: Record<string, boolean> = { acc4: true, mae: false };

/** One label count of one arm, ready to plot. */
export interface SeriesPoint {
  labelCount: number;
  mean: number;
  /** Sample sd over the repeats; null with a single repeat. */
  sd: number | null;
  n: number;
  /** mean - sd and mean + sd; both equal the mean when sd is null (no band). */
  lower: number;
  upper: number;
  runIds: number[];
}

/** Label counts of one arm where the metric exists, in increasing order, with the band's edges. */
export function sweepSeries(points: readonly ExperimentPoint[], metric: string, scope: string): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const p of points) {
    const m = p.metrics[metric]?.[scope];
    if (!m || !Number.isFinite(m.mean)) continue;
    const sd = m.sd !== null && Number.isFinite(m.sd) ? m.sd : null;
    out.push({ labelCount: p.labelCount, mean: m.mean, sd, n: m.n, lower: sd === null ? m.mean : m.mean - sd, upper: sd === null ? m.mean : m.mean + sd, runIds: [...p.runIds] });
  }
  return out.sort((a, b) => a.labelCount - b.labelCount);
}

/** Paper numbers drawn over a figure: ranges as shaded bands, single values as points. */
export interface OverlayBand {
  /** Omitted: the whole x range. */
  xMin?: number;
  xMax?: number;
  yMin: number;
  yMax: number;
  label: string;
  /** Whose number it is (for its colour); null: both or neither. */
  arm: Arm | null;
}
export interface OverlayPoint {
  x: number;
  y: number;
  /** A reported range, drawn as an error bar. */
  yLow?: number;
  yHigh?: number;
  label: string;
  arm: Arm | null;
}
export interface Overlay {
  bands: OverlayBand[];
  points: OverlayPoint[];
}

export function overlayValues(overlay: Overlay | null | undefined): number[] {
  if (!overlay) return [];
  return [...overlay.bands.flatMap((b) => [b.yMin, b.yMax]), ...overlay.points.flatMap((p) => [p.y, p.yLow ?? p.y, p.yHigh ?? p.y])];
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw - 1e-12) return m * power;
  return 10 * power;
}

export interface AxisRange {
  min: number;
  max: number;
  step: number;
}

/**
 * A y range covering every band edge (and any extra values), rounded outwards to a nice step
 * so tick labels are short. 4-class accuracy stays within [0, 1], MAE at or above 0.
 */
export function valueRange(series: readonly (readonly SeriesPoint[])[], metric: string, extra: readonly number[] = []): AxisRange | null {
  const values = [...series.flatMap((s) => s.flatMap((p) => [p.lower, p.upper])), ...extra].filter(Number.isFinite);
  if (!values.length) return null;
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.08, 0.01);
  lo -= pad;
  hi += pad;
  const step = niceStep((hi - lo) / 5);
  let min = Math.floor(lo / step + 1e-9) * step;
  let max = Math.ceil(hi / step - 1e-9) * step;
  if (metric === 'acc4' || metric.startsWith('f1') || metric.endsWith('ccuracy')) {
    min = Math.max(0, min);
    max = Math.min(1, max);
  }
  if (metric === 'mae') min = Math.max(0, min);
  return { min: round(min), max: round(max), step };
}

const round = (v: number) => Math.round(v * 1e9) / 1e9;

/** Label counts span 20..1200 unevenly (15 apart, then 200 apart): a log axis keeps the small counts readable. */
export function useLogScale(labelCounts: readonly number[]): boolean {
  const positive = labelCounts.filter((c) => c > 0);
  if (positive.length < 2 || positive.length !== labelCounts.length) return false;
  return Math.max(...positive) / Math.min(...positive) >= 4;
}

/** The x axis's extent: a little room either side of the outermost label counts. */
export function xDomain(labelCounts: readonly number[], log: boolean): { min: number; max: number } {
  if (!labelCounts.length) return { min: 0, max: 1 };
  const lo = Math.min(...labelCounts);
  const hi = Math.max(...labelCounts);
  if (log) return { min: lo / 1.15, max: hi * 1.15 };
  const pad = Math.max((hi - lo) * 0.04, 1);
  return { min: Math.max(0, lo - pad), max: hi + pad };
}

/**
 * Ticks of a log axis: the smallest and largest label count, and 1-2-5 steps between them
 * that are not crowding either end (at least 0.12 decades apart).
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const ticks = new Set<number>([min, max]);
  for (let power = 10 ** Math.floor(Math.log10(min)); power <= max; power *= 10) {
    for (const m of [1, 2, 5]) {
      const v = Math.round(m * power * 1e9) / 1e9;
      if (v <= min || v >= max) continue;
      if (Math.log10(v / min) < 0.12 || Math.log10(max / v) < 0.12) continue;
      ticks.add(v);
    }
  }
  return [...ticks].sort((a, b) => a - b);
}

/** Ticks of a linear axis: multiples of a nice step inside [min, max]. */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const step = niceStep((max - min) / count);
  const out: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + 1e-9; v += step) out.push(round(v));
  return out;
}

/** Ticks of the label-count axis: 1-2-5 steps on a log axis; the counts themselves (or whole numbers) on a linear one. */
export function xTicks(counts: readonly number[], log: boolean): number[] {
  if (!counts.length) return [];
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  if (log) return logTicks(lo, hi);
  if (counts.length <= 8) return [...new Set(counts)].sort((a, b) => a - b);
  const d = xDomain(counts, false);
  return linearTicks(d.min, d.max).filter(Number.isInteger);
}

export function formatValue(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** "0.853 ± 0.012 (n = 3)", or without the sd when there was one repeat. */
export function describePoint(p: SeriesPoint): string {
  return p.sd === null ? `${formatValue(p.mean)} (n = ${p.n}, no sd)` : `${formatValue(p.mean)} ± ${formatValue(p.sd)} (n = ${p.n})`;
}

export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  if (p < 0.001) return '< 0.001';
  return p.toFixed(3);
}

export function formatSigned(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = Math.abs(v).toFixed(digits);
  if (Number(s) === 0) return s;
  return `${v > 0 ? '+' : '−'}${s}`;
}

const csvField = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const SERIES_CSV_HEADER = ['arm', 'metric', 'scope', 'label_count', 'mean', 'sd', 'n', 'mean_minus_sd', 'mean_plus_sd', 'run_ids'];

/** The numbers behind a figure, one row per arm, scope and label count; run ids separated by spaces. */
export function sweepCsv(input: { ssl: readonly ExperimentPoint[]; baseline: readonly ExperimentPoint[]; metric: string; scopes: readonly string[] }): string {
  const rows: Array<Array<string | number | null>> = [SERIES_CSV_HEADER];
  for (const scope of input.scopes) {
    for (const arm of ['ssl', 'baseline'] as const) {
      for (const p of sweepSeries(input[arm], input.metric, scope)) {
        rows.push([arm, input.metric, scope, p.labelCount, p.mean, p.sd, p.n, p.lower, p.upper, p.runIds.join(' ')]);
      }
    }
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

/** The summary table as CSV: SSL - baseline per label count and metric, with the paired test. */
export function comparisonsCsv(comparisons: readonly PairedComparison[]): string {
  const rows: Array<Array<string | number | null>> = [['metric', 'label_count', 'ssl_minus_baseline', 'n', 't', 'p']];
  for (const c of [...comparisons].sort((a, b) => a.metric.localeCompare(b.metric) || a.labelCount - b.labelCount)) {
    rows.push([c.metric, c.labelCount, c.meanDifference, c.n, c.t, c.pValue]);
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

export interface SummaryRow {
  labelCount: number;
  acc4: PairedComparison | null;
  mae: PairedComparison | null;
}

/** One row per label count that has a comparison of either metric, in increasing order. */
export function summaryRows(comparisons: readonly PairedComparison[]): SummaryRow[] {
  const counts = [...new Set(comparisons.map((c) => c.labelCount))].sort((a, b) => a - b);
  return counts.map((labelCount) => ({
    labelCount,
    acc4: comparisons.find((c) => c.labelCount === labelCount && c.metric === 'acc4') ?? null,
    mae: comparisons.find((c) => c.labelCount === labelCount && c.metric === 'mae') ?? null,
  }));
}

/** Whether a difference favours SSL (acc4 up, MAE down), or null when it is zero or unknown. */
export function favoursSsl(metric: string, difference: number | null | undefined): boolean | null {
  if (difference === null || difference === undefined || !Number.isFinite(difference) || difference === 0) return null;
  return HIGHER_IS_BETTER[metric] === false ? difference < 0 : difference > 0;
}

/** "SSL at 20 labels (acc 0.853) ≈ baseline at 200 labels", in words a researcher can quote. */
export function labelsSavedText(entry: ExperimentResults['labelsSaved'][number], largestLabelCount: number | null): string {
  const ssl = `SSL at ${entry.sslLabels} labels (4-class acc. ${formatValue(entry.sslAcc4)})`;
  if (entry.baselineLabels === null) {
    return `${ssl}: not reached by the baseline within the sweep${largestLabelCount ? ` (up to ${largestLabelCount} labels)` : ''}`;
  }
  if (entry.baselineLabels <= entry.sslLabels) return `${ssl}: the baseline already reaches it at ${entry.baselineLabels} labels (no labels saved)`;
  return `${ssl} ≈ baseline at ${entry.baselineLabels} labels (${(entry.baselineLabels / entry.sslLabels).toFixed(1)}× the labels)`;
}

/** Characters of an export's file name before its extension. */
const MAX_FILE_STEM = 100;

/** File names of exports: lowercase, digits and dashes. */
export function exportFileName(parts: readonly (string | number)[], extension: string): string {
  const stem = parts
    .map((p) => String(p).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''))
    .filter(Boolean)
    .join('-')
    // Long run or experiment names would make names some file systems and dialogs refuse.
    .slice(0, MAX_FILE_STEM)
    .replace(/-$/, '');
  return `${stem || 'export'}.${extension}`;
}

/** A run bundle's file name, the same whether main or the window suggests it. */
export function runBundleFileName(runId: number, runName: string): string {
  return exportFileName(['run', runId, runName], 'mosei-run.json');
}

/** Everything one figure panel draws, shared by the on-screen chart and the SVG export. */
export interface SweepPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Array<{ arm: Arm; label: string; points: SeriesPoint[] }>;
  /** Log x axis (label counts spread over decades). */
  log: boolean;
  /** The label counts the x axis spans: the planned sweep's, so the axis stays put while results fill in. */
  xCounts: number[];
  /** The y range; null when there is nothing to plot yet. */
  y: AxisRange | null;
  overlay: Overlay | null;
}

export function axisTitle(metric: string, compact = false): string {
  const name = METRIC_LABELS[metric] ?? metric;
  if (compact) return name;
  const better = HIGHER_IS_BETTER[metric];
  return better === undefined ? name : `${name} (${better ? 'higher' : 'lower'} is better)`;
}

export function sweepPanel(input: {
  title: string;
  ssl: readonly ExperimentPoint[];
  baseline: readonly ExperimentPoint[];
  metric: string;
  scope: string;
  /** The sweep's planned label counts (the x axis spans them even before their runs finish). */
  labelCounts?: readonly number[];
  /** A fixed range (a shared y axis); otherwise fitted to this panel's bands and overlay. */
  y?: AxisRange | null;
  overlay?: Overlay | null;
  compact?: boolean;
}): SweepPanel {
  const ssl = sweepSeries(input.ssl, input.metric, input.scope);
  const baseline = sweepSeries(input.baseline, input.metric, input.scope);
  const xCounts = [...new Set([...(input.labelCounts ?? []), ...ssl.map((p) => p.labelCount), ...baseline.map((p) => p.labelCount)])].sort((a, b) => a - b);
  const log = useLogScale(xCounts);
  const overlay = input.overlay ?? null;
  return {
    title: input.title,
    xLabel: log ? 'labelled segments (log scale)' : 'labelled segments',
    yLabel: axisTitle(input.metric, input.compact),
    series: [
      { arm: 'ssl', label: ARM_SHORT.ssl, points: ssl },
      { arm: 'baseline', label: ARM_SHORT.baseline, points: baseline },
    ],
    log,
    xCounts,
    y: input.y ?? valueRange([ssl, baseline], input.metric, overlayValues(overlay)),
    overlay,
  };
}

/** One y range for several panels (Figures 6 and 7 with a shared axis). */
export function sharedRange(
  results: { ssl: readonly ExperimentPoint[]; baseline: readonly ExperimentPoint[] },
  metric: string,
  scopes: readonly string[],
  overlays: ReadonlyArray<Overlay | null> = [],
): AxisRange | null {
  const series = scopes.flatMap((scope) => [sweepSeries(results.ssl, metric, scope), sweepSeries(results.baseline, metric, scope)]);
  return valueRange(series, metric, overlays.flatMap((o) => overlayValues(o)));
}
