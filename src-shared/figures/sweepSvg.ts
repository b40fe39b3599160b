/**
 * A small SVG writer for the experiment figures: the same series as the on-screen charts
 * (mean lines with points, ±1 sd or 95% CI bands, axes with ticks, the paper's overlay) as a vector
 * file that drops into a paper or slides. Pure string building, no DOM.
 */
import { fixedText } from '../numberText';
import { REFERENCE_LABELS } from '../experiments/references';
import {
  BAND_LEGEND,
  FLAG_COLOUR,
  PAPER_COLOUR,
  REFERENCE_COLOUR,
  REFERENCE_DASHES,
  describePoint,
  flaggedText,
  linearTicks,
  xDomain,
  xTicks,
  type Arm,
  type Band,
  type Overlay,
  type ReferenceSeries,
  type SweepPanel,
} from './sweepSeries';

/** What the writer draws: the same panel model as the on-screen chart. */
export type SvgPanel = Pick<SweepPanel, 'title' | 'xLabel' | 'yLabel' | 'series' | 'log' | 'y'> & {
  overlay?: Overlay | null;
  xCounts?: readonly number[];
  band?: Band;
  references?: readonly ReferenceSeries[];
};

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const f = (v: number) => (Math.round(v * 10) / 10).toString();
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

function tickLabel(v: number, step: number): string {
  const digits = Math.max(0, Math.min(4, -Math.floor(Math.log10(step) + 1e-9)));
  return fixedText(v, digits);
}

/** One panel's elements, placed at (x0, y0) with the given size. */
export function panelSvgElements(panel: SvgPanel, x0: number, y0: number, width: number, height: number): string {
  const margin = { left: 58, right: 14, top: 28, bottom: 44 };
  const plot = { left: x0 + margin.left, top: y0 + margin.top, width: width - margin.left - margin.right, height: height - margin.top - margin.bottom };
  const counts = [...new Set([...(panel.xCounts ?? []), ...panel.series.flatMap((s) => s.points.map((p) => p.labelCount))])];
  const dom = xDomain(counts.length ? counts : [1, 10], panel.log);
  const y = panel.y ?? { min: 0, max: 1, step: 0.2 };
  const clampX = (px: number) => Math.min(plot.left + plot.width, Math.max(plot.left, px));
  const clampY = (py: number) => Math.min(plot.top + plot.height, Math.max(plot.top, py));
  const sx = (v: number) =>
    clampX(panel.log ? plot.left + ((Math.log(v) - Math.log(dom.min)) / (Math.log(dom.max) - Math.log(dom.min))) * plot.width : plot.left + ((v - dom.min) / (dom.max - dom.min || 1)) * plot.width);
  const sy = (v: number) => clampY(plot.top + plot.height - ((v - y.min) / (y.max - y.min || 1)) * plot.height);
  const out: string[] = [];

  out.push(`<text x="${f(x0 + width / 2)}" y="${f(y0 + 18)}" text-anchor="middle" font-size="13" font-weight="600" ${FONT}>${escapeXml(panel.title)}</text>`);

  // Grid and y ticks.
  const yTicks = linearTicks(y.min, y.max, Math.max(2, Math.round((y.max - y.min) / y.step)));
  for (const t of yTicks) {
    const py = sy(t);
    out.push(`<line class="grid" x1="${f(plot.left)}" y1="${f(py)}" x2="${f(plot.left + plot.width)}" y2="${f(py)}" stroke="#e3e6eb" stroke-width="1"/>`);
    out.push(`<text x="${f(plot.left - 6)}" y="${f(py + 4)}" text-anchor="end" font-size="11" fill="#444" ${FONT}>${tickLabel(t, y.step)}</text>`);
  }
  // x ticks.
  for (const t of xTicks(counts, panel.log)) {
    const px = sx(t);
    out.push(`<line x1="${f(px)}" y1="${f(plot.top + plot.height)}" x2="${f(px)}" y2="${f(plot.top + plot.height + 4)}" stroke="#444" stroke-width="1"/>`);
    out.push(`<text x="${f(px)}" y="${f(plot.top + plot.height + 16)}" text-anchor="middle" font-size="11" fill="#444" ${FONT}>${t}</text>`);
  }
  // Axes.
  out.push(`<line class="axis" x1="${f(plot.left)}" y1="${f(plot.top)}" x2="${f(plot.left)}" y2="${f(plot.top + plot.height)}" stroke="#444" stroke-width="1"/>`);
  out.push(`<line class="axis" x1="${f(plot.left)}" y1="${f(plot.top + plot.height)}" x2="${f(plot.left + plot.width)}" y2="${f(plot.top + plot.height)}" stroke="#444" stroke-width="1"/>`);
  out.push(`<text x="${f(plot.left + plot.width / 2)}" y="${f(plot.top + plot.height + 34)}" text-anchor="middle" font-size="11" fill="#222" ${FONT}>${escapeXml(panel.xLabel)}</text>`);
  const yMid = plot.top + plot.height / 2;
  out.push(`<text x="${f(x0 + 14)}" y="${f(yMid)}" text-anchor="middle" font-size="11" fill="#222" transform="rotate(-90 ${f(x0 + 14)} ${f(yMid)})" ${FONT}>${escapeXml(panel.yLabel)}</text>`);

  // The paper's numbers, under the data.
  for (const b of panel.overlay?.bands ?? []) {
    const left = b.xMin === undefined ? plot.left : sx(b.xMin);
    const right = b.xMax === undefined ? plot.left + plot.width : sx(b.xMax);
    const top = sy(b.yMax);
    const bottom = sy(b.yMin);
    const colour = PAPER_COLOUR;
    out.push(`<rect class="paper-band" x="${f(left)}" y="${f(top)}" width="${f(Math.max(1, right - left))}" height="${f(Math.max(1, bottom - top))}" fill="${colour}" fill-opacity="0.12" stroke="${colour}" stroke-dasharray="4 3" stroke-width="1"/>`);
    out.push(`<text class="paper-label" x="${f(left + 3)}" y="${f(top - 3)}" font-size="10" font-style="italic" fill="${PAPER_COLOUR}" ${FONT}>${escapeXml(b.label)} (not your data)</text>`);
  }

  // The reference predictors (no audio): dashed grey lines under the arms, each point titled with its value.
  for (const r of panel.references ?? []) {
    const pts = r.points;
    const dash = REFERENCE_DASHES[r.predictor].join(' ');
    if (pts.length >= 2) {
      out.push(`<polyline class="reference-line" data-predictor="${r.predictor}" points="${pts.map((p) => `${f(sx(p.labelCount))},${f(sy(p.mean))}`).join(' ')}" fill="none" stroke="${REFERENCE_COLOUR}" stroke-width="1.5" stroke-dasharray="${dash}"/>`);
    } else if (pts.length === 1) {
      // One label count: a short level across the point, so it still reads as a line.
      out.push(`<line class="reference-line" data-predictor="${r.predictor}" x1="${f(sx(pts[0].labelCount) - 18)}" y1="${f(sy(pts[0].mean))}" x2="${f(sx(pts[0].labelCount) + 18)}" y2="${f(sy(pts[0].mean))}" stroke="${REFERENCE_COLOUR}" stroke-width="1.5" stroke-dasharray="${dash}"/>`);
    }
    for (const p of pts) {
      out.push(`<circle class="reference-point" data-predictor="${r.predictor}" cx="${f(sx(p.labelCount))}" cy="${f(sy(p.mean))}" r="1.5" fill="${REFERENCE_COLOUR}"><title>${escapeXml(`${r.label}, ${p.labelCount} labels: ${describePoint(p)}`)}</title></circle>`);
    }
  }

  for (const s of panel.series) {
    const colour = s.colour;
    const pts = s.points;
    if (pts.length >= 2 && pts.some((p) => p.upper > p.lower)) {
      const ring = [...pts.map((p) => `${f(sx(p.labelCount))},${f(sy(p.upper))}`), ...[...pts].reverse().map((p) => `${f(sx(p.labelCount))},${f(sy(p.lower))}`)];
      out.push(`<polygon class="band" data-arm="${s.arm}" points="${ring.join(' ')}" fill="${colour}" fill-opacity="0.18" stroke="none"/>`);
    }
    if (pts.length >= 2) {
      out.push(`<polyline class="mean-line" data-arm="${s.arm}" points="${pts.map((p) => `${f(sx(p.labelCount))},${f(sy(p.mean))}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    }
    for (const p of pts) {
      const cx = sx(p.labelCount);
      const cy = sy(p.mean);
      const flag = flaggedText(p);
      const tip = escapeXml(`${s.label}, ${p.labelCount} labels: ${describePoint(p)}; runs ${p.runIds.map((id) => `#${id}`).join(', ')}${flag ? `; ⚑ ${flag}` : ''}`);
      const flagged = flag ? ' flagged' : '';
      const marker = flag
        ? // A degenerate point: a triangle in a red ring, whatever its arm.
          `<path class="point${flagged}" data-arm="${s.arm}" d="M${f(cx)} ${f(cy - 4.5)} L${f(cx + 4)} ${f(cy + 3)} L${f(cx - 4)} ${f(cy + 3)} Z" fill="${colour}" stroke="${FLAG_COLOUR}" stroke-width="1.5"><title>${tip}</title></path>`
        : s.arm === 'ssl'
          ? `<circle class="point" data-arm="${s.arm}" cx="${f(cx)}" cy="${f(cy)}" r="3" fill="${colour}"><title>${tip}</title></circle>`
          : `<rect class="point" data-arm="${s.arm}" x="${f(cx - 3)}" y="${f(cy - 3)}" width="6" height="6" fill="${colour}"><title>${tip}</title></rect>`;
      out.push(marker);
      if (flag) out.push(`<circle class="flag-ring" cx="${f(cx)}" cy="${f(cy)}" r="7" fill="none" stroke="${FLAG_COLOUR}" stroke-width="1.5"/>`);
    }
  }

  for (const p of panel.overlay?.points ?? []) {
    const cx = sx(p.x);
    const cy = sy(p.y);
    const colour = PAPER_COLOUR;
    if (p.yLow !== undefined && p.yHigh !== undefined) {
      out.push(`<line class="paper-range" x1="${f(cx)}" y1="${f(sy(p.yLow))}" x2="${f(cx)}" y2="${f(sy(p.yHigh))}" stroke="${PAPER_COLOUR}" stroke-width="2"/>`);
    }
    out.push(`<path class="paper-point" d="M${f(cx)} ${f(cy - 6)} L${f(cx + 6)} ${f(cy)} L${f(cx)} ${f(cy + 6)} L${f(cx - 6)} ${f(cy)} Z" fill="#fff" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<text class="paper-label" x="${f(cx + 9)}" y="${f(cy + 4)}" font-size="10" font-style="italic" fill="${PAPER_COLOUR}" ${FONT}>${escapeXml(p.label)} (not your data)</text>`);
  }
  return out.join('\n');
}

function legendElements(
  series: readonly { arm: Arm; label: string; colour: string }[],
  x: number,
  y: number,
  extras: { paper: boolean; references: readonly Pick<ReferenceSeries, 'predictor' | 'label'>[]; flagged: boolean },
  band: Band = 'sd',
  /** Start the extras on a second line (a single figure is too narrow for one). */
  secondLine = false,
): string {
  const out: string[] = [];
  let cx = x;
  series.forEach((s, i) => {
    const colour = s.colour;
    out.push(`<line x1="${f(cx)}" y1="${f(y)}" x2="${f(cx + 22)}" y2="${f(y)}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<rect x="${f(cx)}" y="${f(y - 6)}" width="22" height="12" fill="${colour}" fill-opacity="0.18"/>`);
    out.push(`<text x="${f(cx + 28)}" y="${f(y + 4)}" font-size="11" ${FONT}>${escapeXml(s.label)} (${BAND_LEGEND[band]})</text>`);
    cx += 40 + s.label.length * 6.2 + 80;
    // An ablation's curves, two to a line (legendRows counts the lines).
    if (series.length > 2 && i % 2 === 1 && i < series.length - 1) {
      cx = x;
      y += 16;
    }
  });
  if (secondLine) {
    cx = x;
    y += 16;
  }
  for (const r of extras.references) {
    out.push(`<line class="legend-reference" data-predictor="${r.predictor}" x1="${f(cx)}" y1="${f(y)}" x2="${f(cx + 22)}" y2="${f(y)}" stroke="${REFERENCE_COLOUR}" stroke-width="1.5" stroke-dasharray="${REFERENCE_DASHES[r.predictor].join(' ')}"/>`);
    out.push(`<text x="${f(cx + 28)}" y="${f(y + 4)}" font-size="11" fill="${REFERENCE_COLOUR}" ${FONT}>${escapeXml(r.label)}</text>`);
    cx += 40 + r.label.length * 6;
  }
  if (extras.flagged) {
    out.push(`<circle cx="${f(cx + 6)}" cy="${f(y)}" r="6" fill="none" stroke="${FLAG_COLOUR}" stroke-width="1.5"/>`);
    out.push(`<text x="${f(cx + 16)}" y="${f(y + 4)}" font-size="11" fill="${FLAG_COLOUR}" ${FONT}>⚑ degenerate predictions</text>`);
    cx += 170;
  }
  if (extras.paper) out.push(`<text x="${f(cx)}" y="${f(y + 4)}" font-size="11" font-style="italic" fill="${PAPER_COLOUR}" ${FONT}>dashed / ◇: paper (not your data)</text>`);
  return out.join('\n');
}

const hasOverlay = (panels: readonly SvgPanel[]) => panels.some((p) => (p.overlay?.bands.length ?? 0) + (p.overlay?.points.length ?? 0) > 0);
/** The legend's extras: the paper, the reference predictors any panel draws, and the flag when any point carries it. */
function legendExtras(panels: readonly SvgPanel[]) {
  const references = new Map<string, Pick<ReferenceSeries, 'predictor' | 'label'>>();
  // By predictor, in its own words: an ablation's per-arm lines share their predictor's dash.
  for (const p of panels) for (const r of p.references ?? []) references.set(r.predictor, { predictor: r.predictor, label: REFERENCE_LABELS[r.predictor] });
  const flagged = panels.some((p) => p.series.some((s) => s.points.some((pt) => pt.flagged.length > 0)));
  return { paper: hasOverlay(panels), references: [...references.values()], flagged };
}

function svgDocument(width: number, height: number, body: string): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    body,
    `</svg>`,
    '',
  ].join('\n');
}

/** Extra legend lines an ablation's curves take (two to a line). */
const extraLegendLines = (series: readonly unknown[]) => (series.length > 2 ? Math.ceil(series.length / 2) - 1 : 0);

/** One figure as a standalone SVG document, with a legend under the title. */
export function sweepSvg(panel: SvgPanel, options: { width?: number; height?: number; caption?: string } = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 436;
  const legendHeight = 38 + 16 * extraLegendLines(panel.series);
  const captionHeight = options.caption ? 20 : 0;
  const body = [
    panelSvgElements(panel, 0, 0, width, height - legendHeight - captionHeight),
    legendElements(panel.series, 60, height - legendHeight - captionHeight + 8, legendExtras([panel]), panel.band, true),
    options.caption ? `<text x="10" y="${height - 6}" font-size="10" fill="#555" ${FONT}>${escapeXml(options.caption)}</text>` : '',
  ];
  return svgDocument(width, height, body.filter(Boolean).join('\n'));
}

/** Small multiples (Figures 6 and 7): a title, one legend, and the panels in a grid. */
export function sweepSvgGrid(
  title: string,
  panels: readonly SvgPanel[],
  options: { cols?: number; panelWidth?: number; panelHeight?: number; caption?: string } = {},
): string {
  const cols = Math.max(1, options.cols ?? 3);
  const pw = options.panelWidth ?? 340;
  const ph = options.panelHeight ?? 240;
  const rows = Math.ceil(panels.length / cols);
  const head = 50 + 16 * extraLegendLines(panels[0]?.series ?? []);
  const foot = options.caption ? 22 : 6;
  const width = cols * pw;
  const height = head + rows * ph + foot;
  const body: string[] = [`<text x="${f(width / 2)}" y="20" text-anchor="middle" font-size="15" font-weight="600" ${FONT}>${escapeXml(title)}</text>`];
  body.push(legendElements(panels[0]?.series ?? [], 60, 38, legendExtras(panels), panels[0]?.band));
  panels.forEach((p, i) => body.push(`<g class="panel">\n${panelSvgElements(p, (i % cols) * pw, head + Math.floor(i / cols) * ph, pw, ph)}\n</g>`));
  if (options.caption) body.push(`<text x="10" y="${height - 6}" font-size="10" fill="#555" ${FONT}>${escapeXml(options.caption)}</text>`);
  return svgDocument(width, height, body.join('\n'));
}
