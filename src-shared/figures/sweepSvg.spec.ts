import { describe, expect, it } from 'vitest';
import { EMOTIONS } from '../emotions';
import { escapeXml, sweepSvg, sweepSvgGrid, type SvgPanel } from './sweepSvg';
import { sweepSeries, valueRange } from './sweepSeries';
import { armPoints } from '../../test/builders/resultsFixtures';
import { literatureOverlay, PAPER_PROTOCOL } from './literature';

/**
 * A strict enough well-formedness check for what the writer emits: one prolog, tags balanced
 * and properly nested, attributes quoted, no raw '&' or '<' in text or attribute values.
 */
function checkWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  expect(body.startsWith('<svg')).toBe(true);
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = token.exec(body)) !== null) {
    consumed = token.lastIndex;
    const [, closing, name, attrs, selfClosing, text] = m;
    const raw = text ?? attrs ?? '';
    expect(raw.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, '')).not.toMatch(/&/);
    if (text !== undefined) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name);
  }
  expect(consumed).toBe(body.length);
  expect(stack).toEqual([]);
}

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;
const pairs = (attr: string) => attr.trim().split(/\s+/).map((p) => p.split(',').map(Number));

function panel(labelCounts: number[], scope = 'overall', repeats = 3): SvgPanel {
  const ssl = sweepSeries(armPoints(labelCounts, 0.04, repeats), 'acc4', scope);
  const baseline = sweepSeries(armPoints(labelCounts, 0, repeats, 500), 'acc4', scope);
  return {
    title: 'Figure 4 · 4-class accuracy <overall> & more',
    xLabel: 'labelled segments (log scale)',
    yLabel: '4-class accuracy',
    log: true,
    y: valueRange([ssl, baseline], 'acc4'),
    series: [
      { arm: 'ssl', label: 'SSL', points: ssl },
      { arm: 'baseline', label: 'Baseline', points: baseline },
    ],
  };
}

describe('sweepSvg', () => {
  it('writes a well-formed document with one point per label count and arm, a line and a band each', () => {
    const counts = [...PAPER_PROTOCOL.labelCounts];
    const svg = sweepSvg(panel(counts), { caption: 'mean ± 1 sd over 3 repeats' });
    checkWellFormed(svg);
    expect(count(svg, /class="point" data-arm="ssl"/g)).toBe(counts.length);
    expect(count(svg, /class="point" data-arm="baseline"/g)).toBe(counts.length);
    const lines = [...svg.matchAll(/class="mean-line" data-arm="(\w+)" points="([^"]+)"/g)];
    expect(lines.map((l) => l[1])).toEqual(['ssl', 'baseline']);
    for (const l of lines) {
      const xy = pairs(l[2]);
      expect(xy).toHaveLength(counts.length);
      // Left to right, inside the drawing.
      for (let i = 1; i < xy.length; i++) expect(xy[i][0]).toBeGreaterThan(xy[i - 1][0]);
      for (const [x, y] of xy) {
        expect(x).toBeGreaterThan(0);
        expect(x).toBeLessThan(640);
        expect(y).toBeGreaterThan(0);
        expect(y).toBeLessThan(420);
      }
    }
    const bands = [...svg.matchAll(/class="band" data-arm="\w+" points="([^"]+)"/g)];
    expect(bands).toHaveLength(2);
    for (const b of bands) expect(pairs(b[1])).toHaveLength(2 * counts.length);
    // The title is escaped, and hovering a point in a viewer names its runs.
    expect(svg).toContain('&lt;overall&gt; &amp; more');
    expect(svg).toMatch(/<title>SSL, 20 labels: 0\.\d{3} ± 0\.010, 95% CI \[0\.\d{3}, 0\.\d{3}\] \(n = 3\); runs #100, #101, #102<\/title>/);
  });

  it('draws no band with a single repeat, and copes with one label count', () => {
    const svg = sweepSvg(panel([50], 'overall', 1));
    checkWellFormed(svg);
    expect(count(svg, /class="band"/g)).toBe(0);
    expect(count(svg, /class="mean-line"/g)).toBe(0);
    expect(count(svg, /class="point"/g)).toBe(2);
  });

  it('labels the paper overlay as not the user data', () => {
    const p = { ...panel([20, 200, 1200]), overlay: literatureOverlay('acc4', 'overall') };
    const svg = sweepSvg(p);
    checkWellFormed(svg);
    expect(count(svg, /class="paper-band"/g)).toBe(2);
    expect(svg).toContain('paper: SSL ≈ 0.85–0.87 at ≤200 labels (not your data)');
    const mae = sweepSvg({ ...panel([20, 200]), overlay: literatureOverlay('mae', 'overall') });
    expect(count(mae, /class="paper-point"/g)).toBe(2);
  });

  it('lays out six small multiples in one document', () => {
    const panels = EMOTIONS.map((e) => ({ ...panel([20, 50, 200], e), title: e }));
    const svg = sweepSvgGrid('Figure 6 · 4-class accuracy per emotion', panels, { cols: 3, caption: 'band: ±1 sd' });
    checkWellFormed(svg);
    expect(count(svg, /<g class="panel">/g)).toBe(6);
    expect(count(svg, /class="point"/g)).toBe(6 * 2 * 3);
    expect(svg).toMatch(/width="1020" height="\d+"/);
  });

  it('names the band in the legend: ±1 sd by default, 95% CI when the panel draws it', () => {
    expect(sweepSvg(panel([20, 50, 200]))).toContain('SSL (mean ± 1 sd)</text>');
    const ci = sweepSvg({ ...panel([20, 50, 200]), band: 'ci95' });
    expect(ci).toContain('SSL (mean, 95% CI)</text>');
    expect(ci).not.toContain('± 1 sd)</text>');
    const grid = sweepSvgGrid('Figure 6', [{ ...panel([20, 50]), band: 'ci95' }], { cols: 1 });
    expect(grid).toContain('Baseline (mean, 95% CI)</text>');
  });

  it('escapes everything XML treats specially', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });
});
