import { describe, expect, it } from 'vitest';
import type { ExperimentPoint } from '../api/entities';
import {
  comparisonsCsv,
  describePoint,
  exportFileName,
  favoursSsl,
  formatP,
  formatSigned,
  logTicks,
  niceStep,
  summaryRows,
  sweepCsv,
  sweepSeries,
  sweepPanel,
  useLogScale,
  valueRange,
  xDomain,
  xTicks,
} from './sweepSeries';
import { parseCsv } from '../csv';
import { armPoints, comparisonsAt, experimentResults, meanOf } from '../../test/builders/resultsFixtures';
import { literatureOverlay, PAPER_PROTOCOL } from './literature';

const point = (labelCount: number, mean: number, sd: number | null, n: number, runIds: number[]): ExperimentPoint => ({
  labelCount,
  runIds,
  metrics: { acc4: { overall: meanOf(mean, sd, n) } },
  flagged: [],
  checked: n,
});

describe('sweepSeries', () => {
  it('gives mean and ±1 sd per label count, sorted by label count', () => {
    const s = sweepSeries([point(200, 0.9, 0.02, 3, [7, 8, 9]), point(20, 0.8, 0.05, 3, [1, 2, 3])], 'acc4', 'overall');
    expect(s.map((p) => p.labelCount)).toEqual([20, 200]);
    expect(s[0]).toMatchObject({ mean: 0.8, sd: 0.05, n: 3, runIds: [1, 2, 3] });
    expect(s[0].lower).toBeCloseTo(0.75, 12);
    expect(s[0].upper).toBeCloseTo(0.85, 12);
  });

  it('has no band when a label count has one repeat (sd null)', () => {
    const [p] = sweepSeries([point(20, 0.8, null, 1, [1])], 'acc4', 'overall');
    expect(p.sd).toBeNull();
    expect(p.lower).toBe(0.8);
    expect(p.upper).toBe(0.8);
    expect(describePoint(p)).toBe('0.800 (n = 1, no sd)');
    expect(describePoint({ ...p, sd: 0.0123, n: 3, ci95: null })).toBe('0.800 ± 0.012 (n = 3)');
  });

  it('draws the 95% CI band when asked: t(0.975, n − 1) · sd / √n either side, none with one repeat', () => {
    const points = [point(20, 0.8, 0.05, 3, [1, 2, 3]), point(50, 0.85, null, 1, [4])];
    const [ci, single] = sweepSeries(points, 'acc4', 'overall', 'ci95');
    // t(0.975, 2) = 4.302652729749462 (scipy).
    const half = (4.302652729749462 * 0.05) / Math.sqrt(3);
    expect(ci.lower).toBeCloseTo(0.8 - half, 12);
    expect(ci.upper).toBeCloseTo(0.8 + half, 12);
    expect(ci.ci95).toEqual({ lower: ci.lower, upper: ci.upper });
    expect([single.lower, single.upper]).toEqual([0.85, 0.85]);
    // The sd band of the same points is narrower: with 3 repeats the CI is 2.48 sd either side.
    const [sd] = sweepSeries(points, 'acc4', 'overall');
    expect(sd.upper - sd.lower).toBeCloseTo(0.1, 12);
    expect((ci.upper - ci.lower) / (sd.upper - sd.lower)).toBeCloseTo(4.302652729749462 / Math.sqrt(3), 12);
    expect(describePoint(ci)).toBe(`0.800 ± 0.050, 95% CI [${(0.8 - half).toFixed(3)}, ${(0.8 + half).toFixed(3)}] (n = 3)`);
  });

  it('fits the y range to the band shown and says in the panel which band it is', () => {
    const r = experimentResults(1, [20, 200]);
    const sd = sweepPanel({ title: 't', ssl: r.ssl, baseline: r.baseline, metric: 'mae', scope: 'overall' });
    const ci = sweepPanel({ title: 't', ssl: r.ssl, baseline: r.baseline, metric: 'mae', scope: 'overall', band: 'ci95' });
    expect([sd.band, ci.band]).toEqual(['sd', 'ci95']);
    expect(ci.y!.max - ci.y!.min).toBeGreaterThan(sd.y!.max - sd.y!.min);
  });

  it('skips label counts that lack the metric or scope (a run still going)', () => {
    const points = [point(20, 0.8, 0.01, 2, [1, 2]), { labelCount: 35, runIds: [3], metrics: {}, flagged: [], checked: 1 }];
    expect(sweepSeries(points, 'acc4', 'overall')).toHaveLength(1);
    expect(sweepSeries(points, 'acc4', 'fear')).toHaveLength(0);
    expect(sweepSeries(points, 'mae', 'overall')).toHaveLength(0);
  });
});

describe('axes', () => {
  it('uses a log x axis for the paper sweep, with ticks that do not crowd', () => {
    expect(useLogScale(PAPER_PROTOCOL.labelCounts)).toBe(true);
    expect(useLogScale([100, 200])).toBe(false);
    expect(logTicks(20, 1200)).toEqual([20, 50, 100, 200, 500, 1200]);
    expect(logTicks(20, 200)).toEqual([20, 50, 100, 200]);
    const d = xDomain([20, 1200], true);
    expect(d.min).toBeLessThan(20);
    expect(d.max).toBeGreaterThan(1200);
  });

  it('picks nice steps and a y range covering every band, within [0, 1] for accuracy', () => {
    expect(niceStep(0.013)).toBe(0.02);
    expect(niceStep(0.3)).toBe(0.5);
    expect(niceStep(7)).toBe(10);
    const ssl = sweepSeries(armPoints([20, 200], 0.04), 'acc4', 'overall');
    const base = sweepSeries(armPoints([20, 200], 0), 'acc4', 'overall');
    const r = valueRange([ssl, base], 'acc4')!;
    for (const p of [...ssl, ...base]) {
      expect(r.min).toBeLessThanOrEqual(p.lower);
      expect(r.max).toBeGreaterThanOrEqual(p.upper);
    }
    expect(r.max).toBeLessThanOrEqual(1);
    // Bounds are multiples of the step, so tick labels stay short.
    expect(Math.abs(r.min / r.step - Math.round(r.min / r.step))).toBeLessThan(1e-6);
    const withPaper = valueRange([ssl], 'mae', [0.26, 0.3]);
    expect(withPaper!.min).toBeGreaterThanOrEqual(0);
    expect(valueRange([[]], 'acc4')).toBeNull();
  });
});

describe('panels', () => {
  it('spans the planned label counts while only some have results, with whole-number ticks', () => {
    const r = experimentResults(1, [20]);
    const p = sweepPanel({ title: 't', ssl: r.ssl, baseline: r.baseline, metric: 'acc4', scope: 'overall', labelCounts: [20, 50, 100, 200] });
    expect(p.xCounts).toEqual([20, 50, 100, 200]);
    expect(p.log).toBe(true);
    expect(p.series.map((s) => s.points.length)).toEqual([1, 1]);
    expect(p.yLabel).toBe('4-class accuracy (higher is better)');
    const alone = sweepPanel({ title: 't', ssl: r.ssl, baseline: r.baseline, metric: 'mae', scope: 'overall', compact: true });
    expect(alone.log).toBe(false);
    expect(xTicks(alone.xCounts, alone.log)).toEqual([20]);
    expect(alone.yLabel).toBe('MAE');
    expect(xTicks([100, 150, 200], false)).toEqual([100, 150, 200]);
    expect(xTicks(Array.from({ length: 12 }, (_, i) => 10 + i), false).every(Number.isInteger)).toBe(true);
  });
});

describe('CSV', () => {
  it('writes one row per arm, scope and label count, with both bands, the run ids, the split and the flagged runs', () => {
    const r = experimentResults(1, [20, 50]);
    r.ssl[0].flagged = [{ runId: 101, emotions: ['fear'] }];
    const rows = parseCsv(sweepCsv({ ssl: r.ssl, baseline: r.baseline, split: 'test', metric: 'acc4', scopes: ['overall'] }), { strict: true });
    expect(rows[0]).toEqual(['arm', 'metric', 'scope', 'label_count', 'mean', 'sd', 'n', 'mean_minus_sd', 'mean_plus_sd', 'ci95_lower', 'ci95_upper', 'run_ids', 'split', 'flagged_run_ids']);
    expect(rows).toHaveLength(1 + 2 * 2);
    const [arm, metric, scope, labels, mean, sd, n, minusSd, plusSd, ciLower, ciUpper, runIds, split, flagged] = rows[1];
    expect([arm, metric, scope, labels, sd, n, runIds, split, flagged]).toEqual(['ssl', 'acc4', 'overall', '20', '0.01', '3', '100 101 102', 'test', '101']);
    expect(rows[2].slice(12)).toEqual(['test', '']);
    expect(Number(minusSd)).toBeCloseTo(Number(mean) - 0.01, 12);
    expect(Number(plusSd)).toBeCloseTo(Number(mean) + 0.01, 12);
    expect(Number(ciUpper) - Number(mean)).toBeCloseTo((4.302652729749462 * 0.01) / Math.sqrt(3), 12);
    expect(Number(mean) - Number(ciLower)).toBeCloseTo((4.302652729749462 * 0.01) / Math.sqrt(3), 12);
    expect(rows.filter((l) => l[0] === 'baseline')).toHaveLength(2);
    const sixScopes = parseCsv(sweepCsv({ ssl: r.ssl, baseline: r.baseline, split: 'test', metric: 'mae', scopes: ['happiness', 'sadness', 'anger', 'surprise', 'disgust', 'fear'] }), { strict: true });
    expect(sixScopes).toHaveLength(1 + 6 * 2 * 2);
    // Flagged for fear only: that scope names the run, the others do not.
    expect(sixScopes.filter((row) => row[13] === '101').map((row) => row[2])).toEqual(['fear']);
  });

  it('adds the reference predictors as arms of their own, without run ids', () => {
    const r = experimentResults(1, [20, 50]);
    const rows = parseCsv(sweepCsv({ ssl: r.ssl, baseline: r.baseline, references: r.references, split: 'validation', metric: 'acc4', scopes: ['overall'] }), { strict: true });
    expect(rows.map((row) => row[0])).toEqual(['arm', 'ssl', 'ssl', 'baseline', 'baseline', 'label_mean_no_audio', 'label_mean_no_audio', 'majority_class_no_audio', 'majority_class_no_audio']);
    expect(rows[5].slice(3, 5)).toEqual(['20', '0.6']);
    expect(rows[7][11]).toBe('');
  });

  it('leaves sd and interval empty with one repeat', () => {
    const csv = sweepCsv({ ssl: [point(20, 0.8, null, 1, [1])], baseline: [], split: 'validation', metric: 'acc4', scopes: ['overall'] });
    expect(csv.split('\r\n')[1]).toBe('ssl,acc4,overall,20,0.8,,1,,,,,1,validation,');
  });

  it('writes every paired test with its interval, raw and Holm-adjusted p and the family size', () => {
    const rows = parseCsv(comparisonsCsv(comparisonsAt([20, 50]), 'validation'), { strict: true });
    expect(rows[0]).toEqual(['metric', 'scope', 'label_count', 'n', 'ssl_minus_baseline', 'ci95_lower', 'ci95_upper', 't', 'p', 'p_holm', 'holm_family_size', 'split']);
    // 2 metrics × 7 scopes × 2 label counts; a family per metric of 14 tests.
    expect(rows).toHaveLength(1 + 28);
    expect(rows[1]).toEqual(['acc4', 'overall', '20', '3', '0.04', '0.01', '0.07', '5.2', '0.035', '0.49', '14', 'validation']);
    // A negative difference stays a number, not a guarded text.
    expect(rows.find((r) => r[0] === 'mae' && r[1] === 'fear' && r[2] === '50')).toEqual(['mae', 'fear', '50', '3', '-0.08', '-0.11', '-0.05', '-7.1', '0.019', '0.266', '14', 'validation']);
    const untested = parseCsv(comparisonsCsv([{ labelCount: 20, metric: 'acc4', scope: 'overall', meanDifference: 0.04, ci95: null, n: 1, t: null, pValue: null, pAdjusted: null }], 'test'), { strict: true });
    expect(untested[1]).toEqual(['acc4', 'overall', '20', '1', '0.04', '', '', '', '', '', '0', 'test']);
  });
});

describe('summary', () => {
  it('pairs acc4 and MAE comparisons by label count, in one scope', () => {
    const rows = summaryRows(experimentResults(1, [50, 20]).comparisons);
    expect(rows.map((r) => r.labelCount)).toEqual([20, 50]);
    expect(rows[0].acc4?.meanDifference).toBe(0.04);
    expect(rows[0].mae?.meanDifference).toBe(-0.08);
    expect(rows[0].acc4?.scope).toBe('overall');
    expect(summaryRows(experimentResults(1, [50, 20]).comparisons, 'fear')[1].mae?.scope).toBe('fear');
    expect(summaryRows(experimentResults(1, [20]).comparisons, 'no such scope')).toEqual([]);
  });

  it('knows which direction favours SSL', () => {
    expect(favoursSsl('acc4', 0.02)).toBe(true);
    expect(favoursSsl('acc4', -0.02)).toBe(false);
    expect(favoursSsl('mae', -0.02)).toBe(true);
    expect(favoursSsl('mae', 0)).toBeNull();
    expect(formatSigned(0.0412)).toBe('+0.041');
    expect(formatSigned(-0.0412)).toBe('−0.041');
    expect(formatSigned(-0.0000001)).toBe('0.000');
    expect(formatP(0.00001)).toBe('< 0.001');
    expect(formatP(0.0351)).toBe('0.035');
    expect(formatP(null)).toBe('—');
  });

  it('names export files plainly', () => {
    expect(exportFileName(['experiment', 3, 'Figure 4', 'acc4 overall'], 'png')).toBe('experiment-3-figure-4-acc4-overall.png');
  });
});

describe('literature overlay', () => {
  it('has the paper numbers on Figures 4 and 5 and none where the paper gives none', () => {
    const fig5 = literatureOverlay('mae', 'overall')!;
    expect(fig5.points.find((p) => p.arm === 'ssl')).toMatchObject({ x: 20, y: 0.26 });
    const fig4 = literatureOverlay('acc4', 'overall')!;
    expect(fig4.bands[0]).toMatchObject({ xMin: 20, xMax: 200, yMin: 0.85, yMax: 0.87 });
    expect(literatureOverlay('acc4', 'happiness')).toBeNull();
    expect(literatureOverlay('f1Weighted', 'overall')).toBeNull();
  });
});
