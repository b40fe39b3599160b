import { describe, expect, it } from 'vitest';
import { planShape } from '../experiments/ablationPlan';
import { variantResults, table1Results, type KeyedRun } from '../experiments/ablationResults';
import { experimentPlan } from '../experiments/presets';
import { experimentResults, experimentSummary } from '../../test/builders/resultsFixtures';
import { ablationFigureCsv, ablationFigureSvgs, ablationHeatmap, cellColour, heatmapCsv, heatmapNote, summaryCsv } from './ablationHeatmap';
import { COMPARISONS_CSV_HEADER, SERIES_CSV_HEADER } from './sweepSeries';
import { parseCsv } from '../csv';
import { experimentFigureSvgs, figureSvg, FIGURES } from './experimentFigures';

const factors = [{ field: 'mask.spanLength', values: [5, 15] }];
const shape = planShape({ ...experimentPlan('quick', [4, 8], 3), factors });
let id = 0;
const run = (arm: 'ssl' | 'baseline', key: string, labelCount: number, repeat: number, acc4: number): KeyedRun => ({
  id: ++id, arm, key, labelCount, repeat, metrics: [{ scope: 'overall', name: 'acc4', value: acc4 }, { scope: 'overall', name: 'mae', value: 1 - acc4 }],
});
// Span 5: SSL below the baseline by 0.005 on average, with much spread; span 15: above it by about 0.05, clearly.
const runs = [4, 8].flatMap((n) => [0, 1, 2].flatMap((r) => [
  run('baseline', '{}', n, r, 0.8 + r * 0.01),
  run('ssl', shape.variants[0].key, n, r, 0.8 + r * 0.01 + [0.01, -0.03, 0.005][r]),
  run('ssl', shape.variants[1].key, n, r, 0.85 + r * 0.0101),
]));
const results = { ...experimentResults(3, [4, 8]), experiment: experimentSummary(3, { labelCounts: [4, 8], repeats: 3, factors }), ssl: [], baseline: [], comparisons: [], labelsSaved: [], factors, ...variantResults({ variants: shape.variants, runs, pretrainRunOf: () => null, referencesOf: () => ({ labelMean: [], majorityClass: [] }) }) };

describe('an ablation\'s heat map', () => {
  it('holds SSL − baseline per value × label count with its Holm p, marks significance and the best value, and colours by who is ahead', () => {
    const map = ablationHeatmap(results, 'acc4');
    expect(map.rows.map((r) => r.label)).toEqual(['span = 5', 'span = 15']);
    expect(map.rows[1].cells[0].difference).toBeCloseTo(0.05, 2);
    expect(map.rows[1].cells[0].significant).toBe(true);
    expect(map.rows[0].cells[0].significant).toBe(false);
    expect(map.rows[1].best).toEqual([4, 8]);
    expect(map.rows[0].cells[0].intensity).toBeLessThan(0);
    expect(map.rows[1].cells[0].intensity).toBeGreaterThan(0.9);
    expect(map.family).toMatchObject({ tests: 4, values: 2 });
    // MAE: lower is better, so SSL's lower error is in its favour too.
    expect(ablationHeatmap(results, 'mae').rows[1].cells[0].intensity).toBeGreaterThan(0);
    expect(cellColour(0)).toBe('rgb(255, 255, 255)');
  });

  it('says what its p-values were corrected across as the tests table does: the family\'s own size and scopes', () => {
    // Runs with the overall scope only, two values × two label counts: four tests, not "{overall, six emotions}".
    const note = heatmapNote(ablationHeatmap(results, 'acc4'), 'test');
    expect(note).toContain('Holm-adjusted across 4 tests (2 factor values × 2 label counts × {overall})');
    expect(note).not.toContain('six emotions');
    // One repeat: no test is possible, and the note says so rather than "across 0 tests".
    const single = [4, 8].flatMap((n) => [run('baseline', '{}', n, 0, 0.8), run('ssl', shape.variants[0].key, n, 0, 0.82), run('ssl', shape.variants[1].key, n, 0, 0.85)]);
    const once = { ...results, ...variantResults({ variants: shape.variants, runs: single, pretrainRunOf: () => null, referencesOf: () => ({ labelMean: [], majorityClass: [] }) }) };
    const noTest = heatmapNote(ablationHeatmap(once, 'acc4'), 'test');
    expect(noTest).not.toContain('0 tests');
    expect(noTest).toContain('no paired t-test possible');
  });

  it('exports as CSV with ASCII minus signs, and as SVG with the minus sign U+2212, in the HTML report after Figures 4–7', () => {
    const csv = heatmapCsv([ablationHeatmap(results, 'acc4')], 'validation');
    expect(csv.split('\r\n')[0]).toBe('metric,factor_values,label_count,n,ssl_minus_baseline,p,p_holm,significant,best,split');
    expect(csv).toMatch(/\r\nacc4,span = 5,4,3,-0\.00\d+,/);
    const [acc, mae] = ablationFigureSvgs(results);
    expect([acc.n, mae.n]).toEqual([8, 9]);
    expect(acc.svg).toContain('\u22120.00');
    expect(acc.svg).not.toMatch(/>-\d/);
    expect(ablationFigureSvgs(experimentResults(1))).toEqual([]);
  });

  it('writes the summary\'s tests of every value each with the value it belongs to, and a plain experiment\'s without the column', () => {
    const rows = parseCsv(summaryCsv(results), { strict: true });
    expect(rows[0]).toEqual(['factor_values', ...COMPARISONS_CSV_HEADER]);
    const acc4At4 = rows.filter((r) => r[1] === 'acc4' && r[2] === 'overall' && r[3] === '4');
    expect(acc4At4.map((r) => r[0])).toEqual(['span = 5', 'span = 15']);
    expect(Number(acc4At4[1][5])).toBeCloseTo(0.05, 2);
    expect(parseCsv(summaryCsv(experimentResults(1)), { strict: true })[0]).toEqual(COMPARISONS_CSV_HEADER);
  });

  it('writes a figure\'s numbers per value with the value first, one header and CRLF rows', () => {
    const csv = ablationFigureCsv(results, 'acc4', ['overall']);
    const rows = parseCsv(csv, { strict: true });
    expect(rows[0]).toEqual(['factor_values', ...SERIES_CSV_HEADER]);
    expect(rows.slice(1).map((r) => `${r[0]}|${r[1]}`)).toEqual(['span = 5|ssl', 'span = 5|ssl', 'span = 5|baseline', 'span = 5|baseline', 'span = 15|ssl', 'span = 15|ssl', 'span = 15|baseline', 'span = 15|baseline']);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('gives Table 1 the best value at the largest label count, named', () => {
    expect(table1Results(results).experiment.name).toMatch(/ · best value: span = 15$/);
    expect(table1Results(results).ssl.map((p) => p.labelCount)).toEqual([4, 8]);
  });
});

describe('figures in the HTML report', () => {
  it('carry their caption once: under the figure, not inside its SVG as well', () => {
    const plain = experimentResults(1);
    for (const f of experimentFigureSvgs(plain)) expect(f.svg).not.toContain('experiment #1 ');
    expect(figureSvg(plain, FIGURES[0])).toContain('experiment #1 ');
  });

  it('draw an ablation\'s values on Figures 4–7, one curve each beside the shared baseline', () => {
    const svg = figureSvg(results, FIGURES[0]);
    expect(svg).toContain('SSL, span = 5');
    expect(svg).toContain('SSL, span = 15');
    expect(svg).toContain('Baseline (shared by every value)');
  });
});
