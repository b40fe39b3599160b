/**
 * The chart.js datasets of one sweep panel, and what each dataset index stands for (a band edge
 * or the mean of a series, a reference line, a paper point): the chart's tooltips, clicks and
 * legend read the roles instead of counting indices.
 */
import type { ChartDataset } from 'chart.js';
import { BAND_LABELS, BAND_LEGEND, FLAG_COLOUR, PAPER_COLOUR, REFERENCE_COLOUR, REFERENCE_DASHES, type SweepPanel } from '@shared/figures/sweepSeries';

export type XY = { x: number; y: number };
export type DatasetRole = { kind: 'band' | 'mean'; series: number } | { kind: 'reference'; index: number } | { kind: 'paper' };

/** The colours a chart is drawn with: the theme's on screen, the light theme's for a print export. */
export interface ChartColours {
  background: string;
  text: string;
  muted: string;
  grid: string;
  paper: string;
  reference: string;
  /** Behind in-plot labels, so they stay readable over lines and bands. */
  labelBacking: string;
}

/** The light theme's colours (src-renderer/app.css): every export is printed with them, whatever the window shows. */
export const PRINT_COLOURS: ChartColours = { background: '#ffffff', text: '#1d2330', muted: '#5d6675', grid: '#eceff3', paper: PAPER_COLOUR, reference: REFERENCE_COLOUR, labelBacking: 'rgba(255, 255, 255, 0.8)' };

export function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

export function sweepDatasets(panel: SweepPanel, compact: boolean, colours: ChartColours): { datasets: ChartDataset<'line', XY[]>[]; roles: DatasetRole[] } {
  const datasets: ChartDataset<'line', XY[]>[] = [];
  const roles: DatasetRole[] = [];
  const several = panel.series.filter((s) => s.arm === 'ssl').length > 1;
  panel.series.forEach((s, series) => {
    const edge = { borderWidth: 0, pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 0, tension: 0 };
    const bandName = BAND_LABELS[panel.band];
    // Several values' bands over each other would hide the curves: lighter bands then.
    const fillAlpha = several ? 0.09 : 0.18;
    datasets.push({ ...edge, label: `${s.label} ${bandName} low`, data: s.points.map((p) => ({ x: p.labelCount, y: p.lower })), fill: false, borderColor: s.colour });
    datasets.push({ ...edge, label: `${s.label} ${bandName} high`, data: s.points.map((p) => ({ x: p.labelCount, y: p.upper })), fill: '-1', backgroundColor: alpha(s.colour, fillAlpha), borderColor: s.colour });
    roles.push({ kind: 'band', series }, { kind: 'band', series });
    const flagged = s.points.map((p) => p.flagged.length > 0);
    const radius = compact ? 2.5 : 3.5;
    datasets.push({
      // Full-size charts say in their legend what the band is; small multiples share the view's legend.
      label: compact ? s.label : `${s.label} · ${BAND_LEGEND[panel.band]}`,
      data: s.points.map((p) => ({ x: p.labelCount, y: p.mean })),
      borderColor: s.colour,
      backgroundColor: s.colour,
      borderWidth: 2,
      borderDash: s.arm === 'baseline' && several ? [6, 3] : undefined,
      // A point whose runs predict degenerately: a larger triangle, outlined in red.
      pointStyle: flagged.map((f) => (f ? 'triangle' : s.arm === 'ssl' ? 'circle' : 'rect')),
      pointRadius: flagged.map((f) => (f ? radius + 3 : radius)),
      pointBorderColor: flagged.map((f) => (f ? FLAG_COLOUR : s.colour)),
      pointBorderWidth: flagged.map((f) => (f ? 2 : 1)),
      pointHoverRadius: 6,
      pointHitRadius: 8,
      tension: 0,
      fill: false,
    });
    roles.push({ kind: 'mean', series });
  });
  panel.references.forEach((r, index) => {
    // One label count draws no line: a short level marks the value instead.
    const single = r.points.length === 1;
    datasets.push({
      label: r.label,
      data: r.points.map((p) => ({ x: p.labelCount, y: p.mean })),
      borderColor: colours.reference,
      backgroundColor: 'rgba(0, 0, 0, 0)',
      borderWidth: 1.5,
      borderDash: REFERENCE_DASHES[r.predictor],
      pointStyle: 'line',
      pointRadius: single ? 16 : 0,
      pointBorderWidth: 2,
      pointHoverRadius: single ? 16 : 3,
      pointHitRadius: 6,
      tension: 0,
      fill: false,
    });
    roles.push({ kind: 'reference', index });
  });
  for (const p of panel.overlay?.points ?? []) {
    datasets.push({ label: `${p.label} (not your data)`, data: [{ x: p.x, y: p.y }], showLine: false, pointStyle: 'rectRot', pointRadius: 6, pointHoverRadius: 7, borderWidth: 2, borderColor: colours.paper, backgroundColor: colours.background });
    roles.push({ kind: 'paper' });
  }
  return { datasets, roles };
}

/** The dataset indices of one series (its two band edges and its mean), to show or hide together. */
export const seriesIndices = (roles: readonly DatasetRole[], series: number) => roles.flatMap((r, i) => ((r.kind === 'band' || r.kind === 'mean') && r.series === series ? [i] : []));
