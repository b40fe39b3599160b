import { describe, expect, it } from 'vitest';
import type { ExperimentPoint, ExperimentResults, MeanSd } from '../api/entities';
import { EMOTIONS } from '../emotions';
import { experimentResults, meanOf } from '../../test/builders/resultsFixtures';
import { PAPER_TABLE1_F1 } from '../figures/literature';
import { buildTable1, cellText, F1_DEFINITIONS, table1FileName } from './table1';
import { F1_METRICS, Table1 } from './table1Model';

/** F1 of every definition per emotion: weighted = base + i/100, the others offset so the switch shows. */
const OFFSET = { f1Weighted: 0, f1Binary: -0.2, f1FourClassMacro: -0.3, f1FourClassMicro: 0.05 } as const;
function f1Point(labelCount: number, base: number, runIds: number[], sd: number | null = 0.02): ExperimentPoint {
  const metrics: ExperimentPoint['metrics'] = {};
  for (const m of F1_METRICS) metrics[m] = Object.fromEntries(EMOTIONS.map((e, i) => [e, meanOf(base + OFFSET[m] + i / 100, sd, runIds.length)]));
  return { labelCount, runIds, metrics, flagged: [], checked: runIds.length };
}

function results(over: Partial<ExperimentResults> = {}, repeats = 3): ExperimentResults {
  const base = experimentResults(7, [20, 50, 200]);
  return {
    ...base,
    experiment: { ...base.experiment, name: 'quick sweep', repeats, status: 'done' },
    // Out of order on purpose: the table must pick by label count, not position.
    ssl: [f1Point(200, 0.7, [31, 32, 33]), f1Point(20, 0.5, [11, 12, 13]), f1Point(50, 0.6, [21, 22, 23])],
    baseline: [f1Point(200, 0.1, [41, 42, 43])],
    ...over,
  };
}

describe('buildTable1', () => {
  it('reports the SSL arm at the largest label count, mean and sd from its point', () => {
    const t = buildTable1(results(), 'f1Weighted');
    expect(Table1.parse(t)).toEqual(t);
    expect(t.labelCount).toBe(200);
    expect(t.runIds).toEqual([31, 32, 33]);
    expect(t.emotions).toEqual([...EMOTIONS]);
    const [own] = t.rows;
    expect(own).toMatchObject({ source: 'runs', labelCount: 200, label: 'SSL (this experiment, 200 labels)' });
    expect(own.cells.map((c) => c?.mean)).toEqual(EMOTIONS.map((_, i) => 0.7 + i / 100));
    expect(own.cells.every((c) => c?.sd === 0.02 && c.n === 3)).toBe(true);
    // 95% CI: 0.71 ± t(0.975, 2) · 0.02 / √3 = 0.71 ± 4.3027 · 0.011547 = 0.71 ± 0.0497.
    expect(cellText(own, own.cells[1])).toBe('0.710 ± 0.020 [0.660, 0.760]');
    // The notes say what the brackets are and how wide three repeats make them.
    expect(t.notes[1]).toMatch(/mean ± sample standard deviation \[95% confidence interval\]/);
    expect(t.notes[1]).toMatch(/mean ± t\(0\.975, n − 1\) · sd \/ √n, here t\(0\.975, 2\) = 4\.30 for n = 3/);
  });

  it('puts the literature rows of the paper after it, as printed', () => {
    const t = buildTable1(results(), 'f1Weighted');
    const literature = t.rows.slice(3);
    expect(literature.map((r) => r.label)).toEqual(PAPER_TABLE1_F1.map((r) => r.label));
    expect(literature.every((r) => r.source === 'literature')).toBe(true);
    expect(literature[0].cells.map((c) => c?.mean)).toEqual([0.77, 0.93, 0.93, 0.99, 0.96, 0.98]);
    expect(literature[0].labelCount).toBe(1200);
    expect(cellText(literature[1], literature[1].cells[2])).toBe('0.16');
  });

  it('puts the two reference predictors between them, at the same label count and on the same split, saying how they were fitted', () => {
    const t = buildTable1(results({ split: 'test' }), 'f1Weighted');
    expect(t.split).toBe('test');
    const references = t.rows.slice(1, 3);
    expect(references.map((r) => [r.label, r.source, r.labelCount])).toEqual([
      ['Label mean (no audio), 200 labels', 'reference', 200],
      ['Majority class (no audio), 200 labels', 'reference', 200],
    ]);
    // resultsFixtures: 0.4 ± 0.005 over 3 repeats for every emotion.
    expect(cellText(references[0], references[0].cells[0])).toBe('0.400 ± 0.005 [0.388, 0.412]');
    expect(references.every((r) => r.degenerate.every((d) => d === null))).toBe(true);
    expect(t.notes.join('\n')).toMatch(/Reference rows \("Label mean \(no audio\)", "Majority class \(no audio\)"\) at 200 labels, on the same test segments: Reference predictors use no audio: fitted to each repeat's labelled sample/);
    expect(t.notes[1]).toMatch(/on its test split/);
  });

  it('counts, per emotion, the SSL runs that predict degenerately, with a footnote naming them', () => {
    const r = results();
    r.ssl[0].flagged = [{ runId: 31, emotions: ['anger', 'fear'] }, { runId: 33, emotions: ['fear'] }];
    const t = buildTable1(r, 'f1Weighted');
    expect(t.rows[0].degenerate).toEqual([0, 0, 1, 0, 0, 2]);
    expect(t.notes.join('\n')).toMatch(/† Degenerate predictions: anger in 1 of 3 runs, fear in 2 of 3 runs\. Flagged: on every segment evaluated/);
    expect(buildTable1(results(), 'f1Weighted').notes.join('\n')).not.toMatch(/†/);
  });

  it('switches the numbers and the stated definition with the F1 definition', () => {
    const weighted = buildTable1(results(), 'f1Weighted');
    const binary = buildTable1(results(), 'f1Binary');
    expect(binary.rows[0].cells[0]?.mean).toBeCloseTo(0.5, 12);
    expect(weighted.rows[0].cells[0]?.mean).toBeCloseTo(0.7, 12);
    expect(binary.f1Definition).toBe(F1_DEFINITIONS.f1Binary);
    expect(binary.f1Definition).not.toBe(weighted.f1Definition);
    // The literature does not change: the paper gives one number per emotion.
    expect(binary.rows.slice(3)).toEqual(weighted.rows.slice(3));
    expect(new Set(F1_METRICS.map((m) => buildTable1(results(), m).rows[0].cells[0]?.mean)).size).toBe(4);
  });

  it('says the paper does not name its F1, and which one this table uses', () => {
    const t = buildTable1(results(), 'f1FourClassMacro');
    expect(t.notes[0]).toMatch(/paper does not say which F1/);
    expect(t.notes[0]).toMatch(/this table shows Four-class macro F1/);
    expect(t.f1Definition).toMatch(/macro/);
  });

  it('leaves a cell empty, with a note, where the metric was not recorded', () => {
    const r = results();
    const point = r.ssl[0];
    const { surprise: _s, fear: _f, ...rest } = point.metrics.f1Weighted;
    point.metrics.f1Weighted = rest;
    const t = buildTable1(r, 'f1Weighted');
    expect(t.rows[0].cells.map((c) => c === null)).toEqual([false, false, false, true, false, true]);
    expect(cellText(t.rows[0], null)).toBe('—');
    expect(t.notes.join('\n')).toMatch(/not recorded for surprise, fear at 200 labels/);
  });

  it('leaves the SSL row empty when the largest label count has no finished fine-tune yet', () => {
    const r = results({ ssl: [f1Point(20, 0.5, [11])], experiment: { ...experimentResults(7).experiment, status: 'running' } });
    const t = buildTable1(r, 'f1Weighted');
    expect(t.labelCount).toBe(200);
    expect(t.rows[0].cells).toEqual(Array(6).fill(null));
    expect(t.runIds).toEqual([]);
    expect(t.notes.join('\n')).toMatch(/No SSL fine-tune at 200 labels has finished yet/);
  });

  it('shows a single repeat without sd, and notes repeats still missing', () => {
    const r = results({ ssl: [f1Point(200, 0.7, [31], null)] }, 3);
    const t = buildTable1(r, 'f1Weighted');
    const cell: MeanSd | null = t.rows[0].cells[0];
    expect(cellText(t.rows[0], cell)).toBe('0.700 (n=1)');
    expect(cell?.ci95).toBeNull();
    expect(t.notes.join('\n')).toMatch(/Only 1 of the 3 planned repeats at 200 labels/);
    expect(t.notes[1]).not.toMatch(/here t\(/);
  });

  it('notes a label count other than the paper’s and synthetic data', () => {
    const t = buildTable1(results(), 'f1Weighted', { dataset: { name: 'Built-in synthetic', synthetic: true } });
    expect(t.notes.join('\n')).toMatch(/used 1200 labels; this experiment's largest label count is 200/);
    expect(t.notes.join('\n')).toMatch(/"Built-in synthetic" is synthetic, not CMU-MOSEI/);
    const at1200 = buildTable1(results({ experiment: { ...experimentResults(7).experiment, labelCounts: [20, 1200] }, ssl: [f1Point(1200, 0.8, [1, 2, 3])] }), 'f1Weighted');
    expect(at1200.notes.join('\n')).not.toMatch(/largest label count is/);
  });

  it('names files after the experiment, and the F1 when it is not the default', () => {
    const t = buildTable1(results({ experiment: { ...experimentResults(3).experiment, name: 'Quick sweep' } }), 'f1Weighted');
    expect(table1FileName(t, 'md')).toBe('table1-experiment-3-quick-sweep.md');
    expect(table1FileName({ ...t, f1Metric: 'f1FourClassMacro' }, 'html')).toBe('table1-experiment-3-quick-sweep-f1-fourclassmacro.html');
    expect(table1FileName({ ...t, experimentName: '../../etc/passwd <x>' }, 'tex')).toBe('table1-experiment-3-etc-passwd-x.tex');
  });
});
