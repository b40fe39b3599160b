/**
 * An ablation's heat map: SSL − baseline of one metric (overall) per factor value × label count,
 * each cell with its Holm-adjusted p (significant at 0.05 marked), coloured by how much it favours
 * SSL. The view's table, its SVG and PNG, its CSV and the HTML report all read these cells.
 */
import type { ExperimentResults, TestedMetric, TestFamily } from '../api/entities';
import { toCsv } from '../csv';
import { escapeXml } from './sweepSvg';
import { comparisonsCsv, formatP, formatSigned, HIGHER_IS_BETTER, METRIC_LABELS, SERIES_CSV_HEADER, sweepCsvRows } from './sweepSeries';
import { isAblation } from '../experiments/ablationResults';
import { pValueMethodText } from '../experiments/statsText';

export const SIGNIFICANCE = 0.05;

export interface HeatmapCell {
  labelCount: number;
  difference: number | null;
  pValue: number | null;
  pAdjusted: number | null;
  n: number;
  significant: boolean;
  /** -1..1: the difference in SSL's favour (positive) scaled by the largest magnitude of the map. */
  intensity: number;
}

export interface Heatmap {
  metric: TestedMetric;
  labelCounts: number[];
  rows: Array<{ key: string; label: string; cells: HeatmapCell[]; best: number[] }>;
  /** The Holm family the adjusted p-values come from (null: the results hold none for the metric). */
  family: TestFamily | null;
}

export function ablationHeatmap(results: ExperimentResults, metric: TestedMetric): Heatmap {
  const labelCounts = [...results.experiment.labelCounts].sort((a, b) => a - b);
  const raw = results.variants.map((v) => ({
    key: v.key,
    label: v.label,
    cells: labelCounts.map((labelCount) => {
      const c = v.comparisons.find((x) => x.metric === metric && x.scope === 'overall' && x.labelCount === labelCount);
      return { labelCount, difference: c?.meanDifference ?? null, pValue: c?.pValue ?? null, pAdjusted: c?.pAdjusted ?? null, n: c?.n ?? 0, significant: c?.pAdjusted !== null && c?.pAdjusted !== undefined && c.pAdjusted < SIGNIFICANCE, intensity: 0 };
    }),
    best: results.best.filter((b) => b.metric === metric && b.keys.includes(v.key)).map((b) => b.labelCount),
  }));
  const largest = Math.max(1e-12, ...raw.flatMap((r) => r.cells.map((c) => Math.abs(c.difference ?? 0))));
  const sign = HIGHER_IS_BETTER[metric] ? 1 : -1;
  for (const r of raw) for (const c of r.cells) c.intensity = c.difference === null ? 0 : (sign * c.difference) / largest;
  return { metric, labelCounts, rows: raw, family: results.testFamilies.find((f) => f.metric === metric) ?? null };
}

/** A cell's fill: blue where SSL is better, orange where the baseline is, white at no difference (light theme, print). */
export function cellColour(intensity: number): string {
  const t = Math.min(1, Math.abs(intensity));
  const [r, g, b] = intensity >= 0 ? [47, 111, 223] : [217, 130, 43];
  const mix = (c: number) => Math.round(255 + (c - 255) * t * 0.75);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

export const cellText = (c: HeatmapCell) => (c.difference === null ? '—' : `${formatSigned(c.difference)}${c.significant ? ' *' : ''}`);

export function heatmapTitle(map: Heatmap): string {
  return `SSL − baseline, ${METRIC_LABELS[map.metric]} (overall)`;
}

export function heatmapNote(map: Heatmap, split: string): string {
  const better = HIGHER_IS_BETTER[map.metric] ? 'higher' : 'lower';
  // The family in the words every other view of the tests uses, so its size and scopes read the same.
  const family = map.family ? pValueMethodText(map.family) : `${METRIC_LABELS[map.metric]}: no test`;
  return `Mean of paired differences over repeats on the ${split} split (${better} is better for ${METRIC_LABELS[map.metric]}); * Holm-adjusted p < ${SIGNIFICANCE}; ${family}; ★ best value at that label count.`;
}

export const HEATMAP_CSV_HEADER = ['metric', 'factor_values', 'label_count', 'n', 'ssl_minus_baseline', 'p', 'p_holm', 'significant', 'best', 'split'];

export function heatmapCsv(maps: readonly Heatmap[], split: string): string {
  const rows: Array<Array<string | number | null>> = [HEATMAP_CSV_HEADER];
  for (const map of maps) {
    for (const r of map.rows) for (const c of r.cells) rows.push([map.metric, r.label, c.labelCount, c.n, c.difference, c.pValue, c.pAdjusted, c.significant ? 'yes' : 'no', r.best.includes(c.labelCount) ? 'yes' : 'no', split]);
  }
  return toCsv(rows);
}

/** The heat map as a standalone SVG document (white, the light theme's colours). */
export function heatmapSvg(map: Heatmap, note: string): string {
  const rowHead = Math.max(110, ...map.rows.map((r) => r.label.length * 7 + 16));
  const cw = 78;
  const ch = 30;
  const top = 56;
  const width = Math.max(420, rowHead + map.labelCounts.length * cw + 16);
  const height = top + map.rows.length * ch + 40;
  const font = 'font-family="Helvetica, Arial, sans-serif"';
  const out: string[] = [`<text x="10" y="20" font-size="14" font-weight="600" ${font}>${escapeXml(heatmapTitle(map))}</text>`];
  out.push(`<text x="${rowHead - 8}" y="${top - 8}" font-size="11" text-anchor="end" fill="#5d6675" ${font}>labels →</text>`);
  map.labelCounts.forEach((n, j) => out.push(`<text x="${rowHead + j * cw + cw / 2}" y="${top - 8}" font-size="11" text-anchor="middle" ${font}>${n}</text>`));
  map.rows.forEach((r, i) => {
    const y = top + i * ch;
    out.push(`<text x="${rowHead - 8}" y="${y + ch / 2 + 4}" font-size="11" text-anchor="end" ${font}>${escapeXml(r.label)}</text>`);
    r.cells.forEach((c, j) => {
      const x = rowHead + j * cw;
      const tip = `${r.label}, ${c.labelCount} labels: ${cellText(c)} (p ${formatP(c.pValue)}, Holm ${formatP(c.pAdjusted)}, n = ${c.n})`;
      out.push(`<rect class="cell" x="${x}" y="${y}" width="${cw - 2}" height="${ch - 2}" fill="${cellColour(c.intensity)}"><title>${escapeXml(tip)}</title></rect>`);
      const best = r.best.includes(c.labelCount) ? ' ★' : '';
      out.push(`<text x="${x + cw / 2 - 1}" y="${y + ch / 2 + 3}" font-size="11" text-anchor="middle" fill="#1d2330" font-weight="${c.significant ? 700 : 400}" ${font}>${escapeXml(cellText(c) + best)}</text>`);
    });
  });
  out.push(`<text x="10" y="${height - 12}" font-size="10" fill="#5d6675" ${font}>${escapeXml(note)}</text>`);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...out,
    `</svg>`,
    '',
  ].join('\n');
}


/** The heat maps of an ablation (4-class accuracy, MAE) as the HTML report holds them, after Figures 4–7; none for a plain experiment. */
export function ablationFigureSvgs(results: ExperimentResults): Array<{ n: number; caption: string; svg: string }> {
  if (!isAblation(results)) return [];
  return (['acc4', 'mae'] as const).map((metric, i) => {
    const map = ablationHeatmap(results, metric);
    const note = heatmapNote(map, results.split);
    return { n: 8 + i, caption: `Figure ${8 + i} · ${heatmapTitle(map)} by factor value and label count · ${note}`, svg: heatmapSvg(map, note) };
  });
}

/** A figure's numbers for an ablation: the rows of a plain experiment's figure CSV, per value, with the value first. */
export function ablationFigureCsv(results: ExperimentResults, metric: string, scopes: readonly string[]): string {
  const rows = results.variants.flatMap((v) =>
    sweepCsvRows({ ssl: v.ssl, baseline: v.baseline, references: v.references, split: results.split, metric, scopes }).map((row) => [v.label, ...row]),
  );
  return toCsv([['factor_values', ...SERIES_CSV_HEADER], ...rows]);
}

/** The summary's every paired test; an ablation's each with the factor values it compares (its `factor_values` column). */
export function summaryCsv(results: ExperimentResults): string {
  if (!isAblation(results)) return comparisonsCsv(results.comparisons, results.split);
  return comparisonsCsv(results.variants.flatMap((v) => v.comparisons.map((c) => ({ ...c, factorValues: v.label }))), results.split);
}
