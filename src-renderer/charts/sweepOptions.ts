/** The chart.js options of a sweep panel: axes, title, legend (series toggle together) and tooltips, in the given colours. */
import { Chart, type ChartOptions, type LegendItem, type TooltipItem } from 'chart.js';
import { describePoint, flaggedText, FLAG_COLOUR, xDomain, xTicks, type PanelSeries, type SeriesPoint, type SweepPanel } from '@shared/figures/sweepSeries';
import { numberText } from '@shared/numberText';
import { alpha, seriesIndices, type ChartColours, type DatasetRole } from './sweepDatasets';

export interface SweepOptionsInput {
  panel: SweepPanel;
  roles: DatasetRole[];
  compact: boolean;
  colours: ChartColours;
  title: string;
  /** A click on the plot: the series points at the label count clicked (empty when none). */
  onPick?: (rows: Array<{ series: PanelSeries; point: SeriesPoint }>, at: { x: number; y: number; width: number; height: number }) => void;
  /** No tooltip while the list of a clicked point's runs is open. */
  tooltipsOff?: () => boolean;
  clickable?: boolean;
}

const seriesOf = (input: SweepOptionsInput, datasetIndex: number): PanelSeries | null => {
  const role = input.roles[datasetIndex];
  return role?.kind === 'mean' ? input.panel.series[role.series] : null;
};

function legendLabels(input: SweepOptionsInput, c: Chart): LegendItem[] {
  const { panel, roles, colours } = input;
  const base = Chart.defaults.plugins.legend.labels
    .generateLabels(c as never)
    .filter((item) => ['mean', 'reference'].includes(roles[item.datasetIndex ?? -1]?.kind ?? ''))
    .map((item) => ({ ...item, fontColor: colours.text }));
  if (panel.series.some((s) => s.points.some((p) => p.flagged.length > 0))) {
    base.push({ text: '⚑ degenerate predictions', pointStyle: 'triangle', fillStyle: colours.background, strokeStyle: FLAG_COLOUR, lineWidth: 2, hidden: false, fontColor: FLAG_COLOUR });
  }
  const overlay = panel.overlay;
  if (overlay && overlay.bands.length + overlay.points.length > 0) {
    base.push({ text: 'paper (not your data)', fillStyle: alpha(colours.paper, 0.15), strokeStyle: colours.paper, lineWidth: 1, lineDash: [4, 3], hidden: false, fontColor: colours.paper });
  }
  return base;
}

function tooltipLabel(input: SweepOptionsInput, item: TooltipItem<'line'>): string | string[] {
  const role = input.roles[item.datasetIndex];
  if (role?.kind === 'reference') {
    const reference = input.panel.references[role.index];
    const p = reference.points[item.dataIndex];
    return p ? `${reference.label}: ${describePoint(p)}` : reference.label;
  }
  const series = seriesOf(input, item.datasetIndex);
  if (!series) return item.dataset.label ?? '';
  const p = series.points[item.dataIndex];
  if (!p) return '';
  const flag = flaggedText(p);
  return [`${series.label}: ${describePoint(p)}`, `   runs ${p.runIds.map((id) => `#${id}`).join(', ')}`, ...(flag ? [`   ⚑ ${flag}`] : [])];
}

export function sweepOptions(input: SweepOptionsInput): ChartOptions<'line'> {
  const { panel, compact, colours } = input;
  const counts = panel.xCounts;
  const dom = xDomain(counts.length ? counts : [1, 10], panel.log);
  const ticks = xTicks(counts, panel.log);
  const overlayText = [...(panel.overlay?.bands ?? []), ...(panel.overlay?.points ?? [])].map((o) => o.label).join(' · ');
  const fontSize = compact ? 10 : 12;
  const axisText = { color: colours.muted, font: { size: fontSize } };
  return {
    animation: false,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    color: colours.text,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    layout: { padding: { right: 8 } },
    onClick: (event, _elements, c) => {
      const native = event.native as MouseEvent | null;
      if (!native || !input.onPick) return;
      // A point under the pointer wins; otherwise every series at the nearest label count.
      let hits = c.getElementsAtEventForMode(native, 'nearest', { intersect: true }, false).filter((h) => seriesOf(input, h.datasetIndex));
      if (!hits.length) hits = c.getElementsAtEventForMode(native, 'nearest', { axis: 'x', intersect: false }, false).filter((h) => seriesOf(input, h.datasetIndex));
      const rows = hits.map((h) => ({ series: seriesOf(input, h.datasetIndex)!, point: seriesOf(input, h.datasetIndex)!.points[h.index] })).filter((r) => r.point);
      input.onPick(rows, { x: event.x ?? 0, y: event.y ?? 0, width: c.width, height: c.height });
    },
    scales: {
      x: {
        type: panel.log ? 'logarithmic' : 'linear',
        min: dom.min,
        max: dom.max,
        title: { display: true, text: panel.xLabel, ...axisText },
        grid: { color: colours.grid },
        border: { color: colours.grid },
        afterBuildTicks: ticks.length ? (axis) => void (axis.ticks = ticks.map((value) => ({ value }))) : undefined,
        ticks: { maxRotation: 0, autoSkip: false, ...axisText, callback: (v) => String(Math.round(Number(v))) },
      },
      y: {
        type: 'linear',
        min: panel.y?.min,
        max: panel.y?.max,
        title: { display: true, text: panel.yLabel, ...axisText },
        grid: { color: colours.grid },
        border: { color: colours.grid },
        // A negative tick (an SSL − baseline scale, a mask value) with the minus sign.
        ticks: { ...axisText, callback: (v) => numberText(Number(Number(v).toPrecision(10))), ...(panel.y?.step ? { stepSize: panel.y.step, maxTicksLimit: 20 } : { maxTicksLimit: compact ? 6 : 8 }) },
      },
    },
    plugins: {
      title: { display: true, text: panel.title, font: { size: compact ? 12 : 14, weight: 'bold' }, color: colours.text, padding: { top: 2, bottom: compact ? 0 : 6 } },
      // Small multiples name the paper's numbers here rather than over the curves; always a line, so panels line up.
      subtitle: { display: compact, text: overlayText ? `${overlayText} (not your data)` : '', color: colours.paper, font: { size: 10, style: 'italic' }, padding: { bottom: 4 } },
      legend: {
        display: !compact,
        position: 'bottom',
        labels: { boxWidth: 22, boxHeight: 10, font: { size: 11 }, color: colours.text, generateLabels: (c) => legendLabels(input, c) },
        onClick: (_e, item, legend) => {
          const c = legend.chart;
          const index = item.datasetIndex ?? -1;
          const role = input.roles[index];
          if (role?.kind === 'reference') c.setDatasetVisibility(index, !c.isDatasetVisible(index));
          else if (role?.kind === 'mean') {
            const visible = c.isDatasetVisible(index);
            for (const i of seriesIndices(input.roles, role.series)) c.setDatasetVisibility(i, !visible);
          } else return;
          c.update();
        },
      },
      tooltip: {
        filter: (item) => !input.tooltipsOff?.() && ['mean', 'reference'].includes(input.roles[item.datasetIndex]?.kind ?? ''),
        itemSort: (a, b) => a.datasetIndex - b.datasetIndex,
        callbacks: {
          title: (items) => (items.length ? `${items[0].parsed.x} labelled segments · ${input.title}` : ''),
          label: (item) => tooltipLabel(input, item),
          footer: (items) => (items.some((i) => seriesOf(input, i.datasetIndex)) && input.clickable ? 'Click to list these runs and open one' : ''),
        },
        footerFont: { size: 11, style: 'italic', weight: 'normal' },
      },
    },
  };
}
