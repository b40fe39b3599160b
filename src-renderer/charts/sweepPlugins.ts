/**
 * What a sweep chart draws beyond chart.js's own datasets: an opaque background, the paper's
 * numbers (shaded bands and error bars, labelled where they hide no curve), and the drawn
 * positions of the points for tests and tools that need to point at one.
 */
import type { Chart, ChartArea, Plugin } from 'chart.js';
import type { SweepPanel } from '@shared/figures/sweepSeries';
import { alpha, type ChartColours, type DatasetRole } from './sweepDatasets';

/** What the plugins read at draw time (the chart outlives one panel: it is updated in place). */
export interface SweepDrawState {
  panel: SweepPanel;
  roles: DatasetRole[];
  compact: boolean;
  colours: ChartColours;
}

export function backgroundPlugin(state: () => SweepDrawState): Plugin<'line'> {
  return {
    id: 'sweepBackground',
    beforeDraw(c) {
      const { ctx, width, height } = c;
      ctx.save();
      ctx.fillStyle = state().colours.background;
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
  };
}

type Box = { left: number; top: number; right: number; bottom: number };
const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** The boxes around every drawn segment of the series' mean lines, to keep labels off them. */
function lineBoxes(c: Chart, roles: readonly DatasetRole[]): Box[] {
  const out: Box[] = [];
  roles.forEach((r, i) => {
    if (r.kind !== 'mean' && r.kind !== 'reference') return;
    const pts = c.getDatasetMeta(i).data;
    for (let k = 0; k < pts.length; k++) {
      const a = pts[k];
      const b = pts[Math.min(k + 1, pts.length - 1)];
      out.push({ left: Math.min(a.x, b.x) - 3, right: Math.max(a.x, b.x) + 3, top: Math.min(a.y, b.y) - 3, bottom: Math.max(a.y, b.y) + 3 });
    }
  });
  return out;
}

/**
 * A label on a backing, at the first of the candidate positions where it crosses no line (the
 * first candidate when every one does), inside the plot area.
 */
function label(ctx: CanvasRenderingContext2D, text: string, candidates: Array<{ x: number; y: number }>, area: ChartArea, lines: Box[], colours: ChartColours): boolean {
  ctx.font = 'italic 11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const w = ctx.measureText(text).width;
  const boxes = candidates.map(({ x, y }) => {
    const left = Math.max(area.left + 2, Math.min(x, area.right - w - 4));
    const top = Math.max(area.top + 1, Math.min(y - 7, area.bottom - 15));
    return { left: left - 2, top, right: left + w + 2, bottom: top + 14 };
  });
  const clear = boxes.find((b) => !lines.some((l) => overlaps(b, l)));
  const box = clear ?? boxes[0];
  ctx.fillStyle = colours.labelBacking;
  ctx.fillRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  ctx.fillStyle = colours.paper;
  ctx.fillText(text, box.left + 2, box.top + 7);
  lines.push(box);
  return clear !== undefined;
}

/** `onLabels`: per label drawn, whether it found a place clear of every line. */
export function paperOverlayPlugin(state: () => SweepDrawState, onLabels: (clear: boolean[]) => void = () => undefined): Plugin<'line'> {
  return {
    id: 'sweepPaperOverlay',
    beforeDatasetsDraw(c) {
      const { panel, colours } = state();
      const overlay = panel.overlay;
      if (!overlay) return;
      const { ctx, chartArea: area, scales } = c;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      for (const b of overlay.bands) {
        const left = b.xMin === undefined ? area.left : Math.max(area.left, scales.x.getPixelForValue(b.xMin));
        const right = b.xMax === undefined ? area.right : Math.min(area.right, scales.x.getPixelForValue(b.xMax));
        const top = scales.y.getPixelForValue(b.yMax);
        const bottom = scales.y.getPixelForValue(b.yMin);
        ctx.fillStyle = alpha(colours.paper, 0.13);
        ctx.fillRect(left, top, right - left, Math.max(2, bottom - top));
        ctx.setLineDash([4, 3]);
        ctx.strokeStyle = colours.paper;
        ctx.lineWidth = 1;
        ctx.strokeRect(left, top, right - left, Math.max(2, bottom - top));
        ctx.setLineDash([]);
      }
      ctx.restore();
    },
    afterDatasetsDraw(c) {
      const { panel, roles, compact, colours } = state();
      const overlay = panel.overlay;
      if (!overlay) return;
      const { ctx, chartArea: area, scales } = c;
      ctx.save();
      for (const p of overlay.points) {
        if (p.yLow === undefined || p.yHigh === undefined) continue;
        const x = scales.x.getPixelForValue(p.x);
        ctx.strokeStyle = colours.paper;
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x, scales.y.getPixelForValue(p.yLow));
        ctx.lineTo(x, scales.y.getPixelForValue(p.yHigh));
        ctx.stroke();
      }
      // Small multiples name the paper's numbers in their subtitle instead.
      if (!compact) {
        // Labels go where they cross no curve: above the band, below it, or at the plot's top or bottom.
        const lines = lineBoxes(c, roles);
        const clear: boolean[] = [];
        for (const b of overlay.bands) {
          const left = (b.xMin === undefined ? area.left : Math.max(area.left, scales.x.getPixelForValue(b.xMin))) + 3;
          const top = scales.y.getPixelForValue(b.yMax);
          const bottom = scales.y.getPixelForValue(b.yMin);
          clear.push(label(ctx, `${b.label} (not your data)`, [{ x: left, y: top - 9 }, { x: left, y: bottom + 9 }, { x: left, y: area.top + 8 }, { x: left, y: area.bottom - 8 }], area, lines, colours));
        }
        for (const p of overlay.points) {
          const x = scales.x.getPixelForValue(p.x);
          const y = scales.y.getPixelForValue(p.y);
          clear.push(label(ctx, `${p.label} (not your data)`, [{ x: x + 10, y }, { x: x + 10, y: y - 14 }, { x: x + 10, y: y + 14 }, { x: x - 160, y }, { x: x + 10, y: area.top + 8 }], area, lines, colours));
        }
        onLabels(clear);
      }
      ctx.restore();
    },
  };
}

/** Where the mean points and reference lines are drawn, as data attributes of `host`. */
export function exposePositionsPlugin(state: () => SweepDrawState, host: () => HTMLElement | undefined): Plugin<'line'> {
  return {
    id: 'sweepExposePositions',
    afterRender(c) {
      const el = host();
      if (!el) return;
      const { panel, roles } = state();
      const positions = roles.flatMap((r, i) => {
        if (r.kind !== 'mean') return [];
        const s = panel.series[r.series];
        return c.getDatasetMeta(i).data.map((p, k) => ({ arm: s.arm, series: s.label, labelCount: s.points[k]?.labelCount, x: Math.round(p.x), y: Math.round(p.y), flagged: (s.points[k]?.flagged.length ?? 0) > 0 }));
      });
      el.dataset.points = JSON.stringify(positions);
      el.dataset.referencePoints = JSON.stringify(
        roles.flatMap((r, i) => {
          if (r.kind !== 'reference') return [];
          const ref = panel.references[r.index];
          return c.getDatasetMeta(i).data.map((p, k) => ({ predictor: ref.predictor, labelCount: ref.points[k]?.labelCount, x: Math.round(p.x), y: Math.round(p.y) }));
        }),
      );
    },
  };
}
