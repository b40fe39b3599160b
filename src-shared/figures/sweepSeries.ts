/**
 * Pure helpers behind the experiment figures: ExperimentPoint[] -> plotted series (mean and
 * a ±1 sd or 95% CI band per label count), axis ranges and ticks, CSV text, and the summary's wording.
 * The chart component, the SVG export and the CSV export all read the same series.
 */
import { fixedText } from '../numberText';
import type { ExperimentPoint, Interval, PairedComparison, ReferencePredictors, TestedMetric } from '../api/entities';
import { toCsv } from '../csv';
import { REFERENCE_LABELS, REFERENCE_PREDICTORS, type ReferencePredictor } from '../experiments/references';

export type Arm = 'ssl' | 'baseline';

export const ARM_LABELS: Record<Arm, string> = { ssl: 'SSL (pre-trained)', baseline: 'Baseline (from scratch)' };
export const ARM_SHORT: Record<Arm, string> = { ssl: 'SSL', baseline: 'Baseline' };
/** Blue and orange: distinguishable with the common colour-vision deficiencies. */
export const ARM_COLOURS: Record<Arm, string> = { ssl: '#2f6fdf', baseline: '#d9822b' };
export const PAPER_COLOUR = '#7b5ea7';
/** Reference predictors (no audio): grey, dashed, each its own dash so they tell apart without colour. */
export const REFERENCE_COLOUR = '#5f6672';
export const REFERENCE_DASHES: Record<ReferencePredictor, number[]> = { labelMean: [7, 4], majorityClass: [2, 3] };
/** Points some of whose runs predict degenerately: drawn as a triangle ringed in this red. */
export const FLAG_COLOUR = '#b3261e';
/**
 * One colour per factor value's SSL curve (an ablation): blues, greens and purples that stay
 * apart from the baseline's orange and from each other (after Okabe and Ito, and Tol's bright).
 */
export const VALUE_COLOURS = ['#2f6fdf', '#009e73', '#8e44ad', '#56b4e9', '#1b7837', '#cc79a7', '#332288', '#44aa99', '#882255', '#117733', '#6699cc', '#aa4499'];
/** Baselines that differ between values (a factor that changes them): shades of the baseline's orange and brown. */
export const BASELINE_COLOURS = ['#d9822b', '#a6611a', '#e6ab02', '#8c510a'];

export const METRIC_LABELS: Record<string, string> = { acc4: '4-class accuracy', mae: 'MAE' };
/** Which direction is better, for the axis title and the summary's colours. */
export const HIGHER_IS_BETTER: Record<string, boolean> = { acc4: true, mae: false };

/** What a figure's band shows: ±1 sample sd over the repeats (the paper's figures) or the 95% t interval of the mean. */
export const BANDS = ['sd', 'ci95'] as const;
export type Band = (typeof BANDS)[number];
export const BAND_LABELS: Record<Band, string> = { sd: '±1 sd', ci95: '95% CI' };
/** The legend's words for a curve and its band. */
export const BAND_LEGEND: Record<Band, string> = { sd: 'mean ± 1 sd', ci95: 'mean, 95% CI' };

/** One label count of one arm, ready to plot. */
export interface SeriesPoint {
  labelCount: number;
  mean: number;
  /** Sample sd over the repeats; null with a single repeat. */
  sd: number | null;
  n: number;
  /** The 95% t interval of the mean; null with a single repeat. */
  ci95: Interval | null;
  /** The band's edges (mean ± sd, or the interval); both equal the mean when there is no band. */
  lower: number;
  upper: number;
  runIds: number[];
  /** Runs behind the point whose predictions are degenerate in the scope (any emotion for 'overall'), with the emotions. */
  flagged: Array<{ runId: number; emotions: string[] }>;
}

/** Label counts of one arm where the metric exists, in increasing order, with the chosen band's edges. */
export function sweepSeries(points: readonly ExperimentPoint[], metric: string, scope: string, band: Band = 'sd'): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const p of points) {
    const m = p.metrics[metric]?.[scope];
    if (!m || !Number.isFinite(m.mean)) continue;
    const sd = m.sd !== null && Number.isFinite(m.sd) ? m.sd : null;
    const ci95 = m.ci95 && Number.isFinite(m.ci95.lower) && Number.isFinite(m.ci95.upper) ? { ...m.ci95 } : null;
    const edges = band === 'ci95' ? (ci95 ?? { lower: m.mean, upper: m.mean }) : sd === null ? { lower: m.mean, upper: m.mean } : { lower: m.mean - sd, upper: m.mean + sd };
    const flagged = (p.flagged ?? []).filter((f) => scope === 'overall' || f.emotions.includes(scope)).map((f) => ({ runId: f.runId, emotions: [...f.emotions] }));
    out.push({ labelCount: p.labelCount, mean: m.mean, sd, n: m.n, ci95, ...edges, runIds: [...p.runIds], flagged });
  }
  return out.sort((a, b) => a.labelCount - b.labelCount);
}

/** "degenerate predictions in 2 of 3 runs (#4: anger, fear; #9: fear)", or null for a point without any. */
export function flaggedText(p: Pick<SeriesPoint, 'flagged' | 'runIds'>): string | null {
  if (!p.flagged.length) return null;
  return `degenerate predictions in ${p.flagged.length} of ${p.runIds.length} run${p.runIds.length === 1 ? '' : 's'} (${p.flagged.map((f) => `#${f.runId}: ${f.emotions.join(', ')}`).join('; ')})`;
}

/** A reference predictor's curve in one panel: its means per label count (no band: it is a floor to read, not a model). */
export interface ReferenceSeries {
  predictor: ReferencePredictor;
  label: string;
  points: SeriesPoint[];
}

export function referenceSeries(references: ReferencePredictors | null | undefined, metric: string, scope: string): ReferenceSeries[] {
  if (!references) return [];
  return REFERENCE_PREDICTORS.map((predictor) => ({
    predictor,
    label: REFERENCE_LABELS[predictor],
    points: sweepSeries(references[predictor], metric, scope).map((p) => ({ ...p, lower: p.mean, upper: p.mean })),
  })).filter((r) => r.points.length > 0);
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
  // A person reads these (the window, tooltips, Markdown, HTML, SVG): a negative one with the minus sign.
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : fixedText(v, digits);
}

/** "[0.823, 0.883]": an interval as every table and tooltip prints it; signed when its values can be negative. */
export function formatInterval(ci: Interval | null | undefined, digits = 3, signed = false): string {
  if (!ci) return '—';
  const v = (x: number) => (signed ? formatSigned(x, digits) : formatValue(x, digits));
  return `[${v(ci.lower)}, ${v(ci.upper)}]`;
}

/** "0.853 ± 0.012, 95% CI [0.823, 0.883] (n = 3)", or without sd and interval when there was one repeat. */
export function describePoint(p: SeriesPoint): string {
  if (p.sd === null) return `${formatValue(p.mean)} (n = ${p.n}, no sd)`;
  return `${formatValue(p.mean)} ± ${formatValue(p.sd)}${p.ci95 ? `, 95% CI ${formatInterval(p.ci95)}` : ''} (n = ${p.n})`;
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

export const SERIES_CSV_HEADER = ['arm', 'metric', 'scope', 'label_count', 'mean', 'sd', 'n', 'mean_minus_sd', 'mean_plus_sd', 'ci95_lower', 'ci95_upper', 'run_ids', 'split', 'flagged_run_ids'];
/** The `arm` of the reference predictors' rows in a figure's CSV. */
export const REFERENCE_CSV_ARMS: Record<ReferencePredictor, string> = { labelMean: 'label_mean_no_audio', majorityClass: 'majority_class_no_audio' };

/**
 * The numbers behind a figure, one row per arm, scope and label count, both kinds of band; run ids
 * separated by spaces; the split they were measured on; the runs whose predictions are degenerate
 * in the scope. The reference predictors follow as arms of their own (without run ids).
 */
export function sweepCsv(input: SweepCsvInput): string {
  return toCsv([SERIES_CSV_HEADER, ...sweepCsvRows(input)]);
}

export interface SweepCsvInput {
  ssl: readonly ExperimentPoint[];
  baseline: readonly ExperimentPoint[];
  references?: ReferencePredictors | null;
  split: string;
  metric: string;
  scopes: readonly string[];
}

type CsvRow = Array<string | number | null>;

/** sweepCsv's rows without its header, for exports that add columns (an ablation's value). */
export function sweepCsvRows(input: SweepCsvInput): CsvRow[] {
  const rows: CsvRow[] = [];
  const row = (arm: string, scope: string, p: SeriesPoint) => {
    const sdEdge = (sign: number) => (p.sd === null ? null : p.mean + sign * p.sd);
    rows.push([arm, input.metric, scope, p.labelCount, p.mean, p.sd, p.n, sdEdge(-1), sdEdge(1), p.ci95?.lower ?? null, p.ci95?.upper ?? null, p.runIds.join(' '), input.split, p.flagged.map((f) => f.runId).join(' ')]);
  };
  for (const scope of input.scopes) {
    for (const arm of ['ssl', 'baseline'] as const) for (const p of sweepSeries(input[arm], input.metric, scope)) row(arm, scope, p);
    for (const predictor of REFERENCE_PREDICTORS) for (const p of sweepSeries(input.references?.[predictor] ?? [], input.metric, scope)) row(REFERENCE_CSV_ARMS[predictor], scope, p);
  }
  return rows;
}

export const COMPARISONS_CSV_HEADER = ['metric', 'scope', 'label_count', 'n', 'ssl_minus_baseline', 'ci95_lower', 'ci95_upper', 't', 'p', 'p_holm', 'holm_family_size', 'split'];

/** A paired test as a summary row: an ablation's carries the label of its factor values ("span = 5"). */
export type SummaryComparison = PairedComparison & { factorValues?: string };

/**
 * The paired tests as CSV: SSL − baseline per metric, scope and label count, with the 95% interval
 * of the difference, the raw two-sided p and the Holm-adjusted p (and the size of its family), and
 * the split the scores compared were measured on. When the tests carry factor values (an
 * ablation), a first column `factor_values` says which value each row belongs to.
 */
export function comparisonsCsv(comparisons: readonly SummaryComparison[], split: string): string {
  const familySize = (metric: string) => comparisons.filter((c) => c.metric === metric && c.pValue !== null).length;
  const byValue = comparisons.some((c) => c.factorValues !== undefined);
  const rows: CsvRow[] = [byValue ? ['factor_values', ...COMPARISONS_CSV_HEADER] : COMPARISONS_CSV_HEADER];
  for (const c of comparisons) {
    const row = [c.metric, c.scope, c.labelCount, c.n, c.meanDifference, c.ci95?.lower ?? null, c.ci95?.upper ?? null, c.t, c.pValue, c.pAdjusted, familySize(c.metric), split];
    rows.push(byValue ? [c.factorValues ?? '', ...row] : row);
  }
  return toCsv(rows);
}

export interface SummaryRow {
  labelCount: number;
  acc4: PairedComparison | null;
  mae: PairedComparison | null;
}

/** One row per label count that has a comparison of either metric in the scope, in increasing order. */
export function summaryRows(comparisons: readonly PairedComparison[], scope = 'overall'): SummaryRow[] {
  const inScope = comparisons.filter((c) => c.scope === scope);
  const counts = [...new Set(inScope.map((c) => c.labelCount))].sort((a, b) => a - b);
  const find = (labelCount: number, metric: TestedMetric) => inScope.find((c) => c.labelCount === labelCount && c.metric === metric) ?? null;
  return counts.map((labelCount) => ({ labelCount, acc4: find(labelCount, 'acc4'), mae: find(labelCount, 'mae') }));
}

/** Whether a difference favours SSL (acc4 up, MAE down), or null when it is zero or unknown. */
export function favoursSsl(metric: string, difference: number | null | undefined): boolean | null {
  if (difference === null || difference === undefined || !Number.isFinite(difference) || difference === 0) return null;
  return HIGHER_IS_BETTER[metric] === false ? difference < 0 : difference > 0;
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

/** One curve of a panel: its arm, a key unique in the panel, its legend label and its colour. */
export interface PanelSeries {
  arm: Arm;
  key: string;
  label: string;
  colour: string;
  points: SeriesPoint[];
}

/** An ablation's value as a panel draws it: its SSL arm, and the baseline arm it is paired with (shared ones once). */
export interface PanelVariant {
  key: string;
  label: string;
  ssl: readonly ExperimentPoint[];
  baselineKey: string;
  baselineLabel: string;
  baseline: readonly ExperimentPoint[];
  /** The reference predictors of its labelled samples and evaluated segments (those of its baseline arm). */
  references: ReferencePredictors | null;
}

/** Everything one figure panel draws, shared by the on-screen chart and the SVG export. */
export interface SweepPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  /** The arms drawn: SSL and baseline, or in an ablation an SSL curve per factor value and each baseline arm. */
  series: PanelSeries[];
  /** What the bands around the means show. */
  band: Band;
  /** Log x axis (label counts spread over decades). */
  log: boolean;
  /** The label counts the x axis spans: the planned sweep's, so the axis stays put while results fill in. */
  xCounts: number[];
  /** The y range; null when there is nothing to plot yet. */
  y: AxisRange | null;
  overlay: Overlay | null;
  /** The reference predictors (no audio), drawn as dashed lines. */
  references: ReferenceSeries[];
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
  /** ±1 sd (default, as the paper's figures) or the 95% CI. */
  band?: Band;
  /** The reference predictors to draw under the arms. */
  references?: ReferencePredictors | null;
  /** An ablation: an SSL curve per value beside the baseline arms (`ssl`, `baseline` and `references` are then ignored). */
  variants?: readonly PanelVariant[];
}): SweepPanel {
  const band = input.band ?? 'sd';
  const series = panelSeries(input, band);
  const references = input.variants?.length ? variantReferences(input.variants, input.metric, input.scope) : referenceSeries(input.references, input.metric, input.scope);
  const xCounts = [...new Set([...(input.labelCounts ?? []), ...series.flatMap((s) => s.points.map((p) => p.labelCount))])].sort((a, b) => a - b);
  const log = useLogScale(xCounts);
  const overlay = input.overlay ?? null;
  return {
    title: input.title,
    xLabel: log ? 'labelled segments (log scale)' : 'labelled segments',
    yLabel: axisTitle(input.metric, input.compact),
    series,
    band,
    log,
    xCounts,
    y: input.y ?? valueRange([...series.map((s) => s.points), ...references.map((r) => r.points)], input.metric, overlayValues(overlay)),
    overlay,
    references,
  };
}

/** The curves of a panel: SSL and baseline, or an SSL curve per value (one colour each) then each distinct baseline arm. */
function panelSeries(input: { ssl: readonly ExperimentPoint[]; baseline: readonly ExperimentPoint[]; metric: string; scope: string; variants?: readonly PanelVariant[] }, band: Band): PanelSeries[] {
  const of = (points: readonly ExperimentPoint[]) => sweepSeries(points, input.metric, input.scope, band);
  if (!input.variants?.length) {
    return [
      { arm: 'ssl', key: 'ssl', label: ARM_SHORT.ssl, colour: ARM_COLOURS.ssl, points: of(input.ssl) },
      { arm: 'baseline', key: 'baseline', label: ARM_SHORT.baseline, colour: ARM_COLOURS.baseline, points: of(input.baseline) },
    ];
  }
  const ssl = input.variants.map((v, i): PanelSeries => ({ arm: 'ssl', key: `ssl:${v.key}`, label: `SSL, ${v.label}`, colour: VALUE_COLOURS[i % VALUE_COLOURS.length], points: of(v.ssl) }));
  const arms = [...new Map(input.variants.map((v) => [v.baselineKey, v])).values()];
  const baselines = arms.map((v, i): PanelSeries => ({
    arm: 'baseline',
    key: `baseline:${v.baselineKey}`,
    label: arms.length === 1 ? `${ARM_SHORT.baseline} (shared by every value)` : `${ARM_SHORT.baseline}, ${v.baselineLabel}`,
    colour: BASELINE_COLOURS[i % BASELINE_COLOURS.length],
    points: of(v.baseline),
  }));
  return [...ssl, ...baselines];
}

/**
 * An ablation's reference lines: once when every baseline arm has the same (a factor that leaves
 * the labelled samples and the evaluated segments alone), else each arm's own, named by it (a
 * split.* factor evaluates each value on other segments).
 */
function variantReferences(variants: readonly PanelVariant[], metric: string, scope: string): ReferenceSeries[] {
  const arms = [...new Map(variants.map((v) => [v.baselineKey, v])).values()];
  const same = arms.every((a) => JSON.stringify(a.references) === JSON.stringify(arms[0].references));
  if (same) return referenceSeries(arms[0].references, metric, scope);
  return arms.flatMap((a) => referenceSeries(a.references, metric, scope).map((r) => ({ ...r, label: `${r.label}, ${a.baselineLabel}` })));
}
