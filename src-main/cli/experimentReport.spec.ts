import { describe, expect, it } from 'vitest';
import type { ExperimentResults, MetricRecord } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { aggregateArm, compareArms, labelsSaved, testFamilies, type ExperimentRun } from '@shared/experiments/aggregate';
import { experimentSummary, referenceArms } from '../../test/builders/resultsFixtures';
import { experimentJson, experimentTable } from './experimentReport';
import { planShape } from '@shared/experiments/ablationPlan';
import { variantResults, type KeyedRun } from '@shared/experiments/ablationResults';
import { experimentPlan } from '@shared/experiments/presets';
import { factorsFrom } from './varyOption';

/** Three repeats at 20 and 200 labels, every emotion recorded: SSL ahead by 0.04 accuracy and 0.03 MAE, with some spread. */
function results(): ExperimentResults {
  const runs = sweepRuns();
  const ssl = aggregateArm(runs, 'ssl');
  const baseline = aggregateArm(runs, 'baseline');
  const comparisons = compareArms(runs);
  return { experiment: experimentSummary(4, { labelCounts: [20, 200], repeats: 3, status: 'done' }), split: 'validation', ssl, baseline, references: referenceArms([20, 200]), comparisons, testFamilies: testFamilies(comparisons), labelsSaved: labelsSaved(ssl, baseline), factors: [], variants: [], best: [] };
}

/** The same runs as an ablation over two spans: span 5's SSL runs are the sweep's, span 15's 0.01 better; one shared baseline. */
function ablation(): ExperimentResults {
  const factors = [{ field: 'mask.spanLength', values: [5, 15] }];
  const shape = planShape({ ...experimentPlan('quick', [20, 200], 3), factors });
  const [span5, span15] = shape.variants;
  const keyed: KeyedRun[] = sweepRuns().flatMap((r) =>
    r.arm === 'baseline'
      ? [{ ...r, key: span5.baselineKey }]
      : [{ ...r, key: span5.key }, { ...r, id: r.id + 100, key: span15.key, metrics: r.metrics.map((m) => ({ ...m, value: m.name === 'acc4' ? m.value + 0.01 + r.repeat * 0.001 : m.value })) }],
  );
  const out = variantResults({ variants: shape.variants, runs: keyed, pretrainRunOf: (v) => (v === span5 ? 7 : 8), referencesOf: () => referenceArms([20, 200]) });
  return { ...results(), experiment: experimentSummary(5, { labelCounts: [20, 200], repeats: 3, status: 'done', factors }), ssl: [], baseline: [], comparisons: [], labelsSaved: [], factors, ...out };
}

function sweepRuns(): ExperimentRun[] {
  const runs: ExperimentRun[] = [];
  let id = 1;
  for (const labelCount of [20, 200]) {
    for (let repeat = 0; repeat < 3; repeat++) {
      for (const arm of ['ssl', 'baseline'] as const) {
        const acc = 0.8 + (labelCount === 200 ? 0.03 : 0) + (arm === 'ssl' ? 0.04 : 0) + repeat * 0.004 + (arm === 'ssl' ? repeat * 0.003 : 0);
        const mae = 0.3 - (arm === 'ssl' ? 0.03 : 0) - repeat * 0.002;
        const metrics: MetricRecord[] = (['overall', ...EMOTIONS] as const).flatMap((scope, k) => [
          { scope, name: 'acc4', value: acc + k * 0.001 },
          { scope, name: 'mae', value: mae + k * 0.002 + (arm === 'ssl' ? repeat * 0.001 : 0) },
        ]);
        runs.push({ id: id++, arm, labelCount, repeat, metrics });
      }
    }
  }
  return runs;
}

describe('npm run experiment: the printed results', () => {
  it('--json holds every mean with its 95% CI, the per-emotion tests with raw and Holm p, and the methods in words', () => {
    const json = JSON.parse(JSON.stringify(experimentJson(results())));
    expect(json.ssl[0].metrics.acc4.overall).toEqual({ mean: expect.any(Number), sd: expect.any(Number), n: 3, ci95: { lower: expect.any(Number), upper: expect.any(Number) } });
    expect(json.comparisons).toHaveLength(2 * 7 * 2);
    const fear = json.comparisons.find((c: { metric: string; scope: string; labelCount: number }) => c.metric === 'acc4' && c.scope === 'fear' && c.labelCount === 20);
    expect(fear.pAdjusted).toBeGreaterThan(fear.pValue);
    expect(json.methods.intervals).toMatch(/t-based over the repeats/);
    expect(json.conclusions[0]).toBe('SSL beats both reference predictors in 4-class accuracy at every label count (20 and 200 labels); the baseline at every label count (20 and 200 labels).');
    expect(json.methods.pValues.acc4).toBe('4-class accuracy: paired t-test over repeats (two-sided), Holm-adjusted across 14 tests (2 label counts × {overall, six emotions})');
    expect(json.methods.pValues.mae).toMatch(/^MAE: paired t-test over repeats \(two-sided\), Holm-adjusted across 14 tests/);
    // SSL at 20 labels (0.847) beats the baseline's best mean (0.834 at 200), but the lower bound of its interval (0.830) does not.
    expect(json.labelsSaved[0]).toMatchObject({
      sslLabels: 20,
      baselineLabels: null,
      baselineLabelsAtCi95: { lower: 200, upper: null },
      text: 'SSL at 20 labels (4-class acc. 0.847): not reached by the baseline within the sweep (up to 200 labels)',
      interval: expect.stringMatching(/reaches the lower bound 0\.830 at 200 labels and does not reach the upper bound 0\.864 within the sweep/),
    });
  });

  it('prints a table per metric with mean ± sd [95% CI], the difference with its interval, raw and Holm p, and says how each was computed', () => {
    const text = experimentTable(results());
    const lines = text.split('\n');
    // What the results support comes first: both arms clear the references (0.6); SSL's lead (+0.04 at 20 labels, smaller at 200)
    // varies little over the 3 repeats, so it is significant after Holm at both label counts.
    expect(lines.slice(0, 3)).toEqual([
      'What the results support:',
      '  SSL beats both reference predictors in 4-class accuracy at every label count (20 and 200 labels); the baseline at every label count (20 and 200 labels).',
      '  SSL beats the baseline at 20 and 200 labels (paired t-test of 4-class accuracy, Holm-corrected p < 0.05); the gap narrows as labels grow.',
    ]);
    expect(lines.find((l) => l.startsWith('Overall scores'))).toMatch(/mean ± sd \[95% CI\] over repeats/);
    const acc20 = lines.find((l) => /^\s*20 /.test(l))!;
    expect(acc20).toMatch(/^\s+20  0\.84\d ± 0\.00\d \[0\.\d{3}, 0\.\d{3}\]\s+0\.80\d ± 0\.00\d \[0\.\d{3}, 0\.\d{3}\]\s+\+0\.04\d \[\+0\.\d{3}, \+0\.\d{3}\]\s+[\d.<]/);
    expect(text).toContain('p: 4-class accuracy: paired t-test over repeats (two-sided), Holm-adjusted across 14 tests');
    expect(text).toMatch(/p \(Holm\)/);
    expect(text).toMatch(/Labels saved:\n {2}SSL at 20 labels .*\n {4}SSL's 95% CI there is/);
  });

  it('--json of an ablation holds, per factor value, the structure of a single experiment\'s JSON, and the best value per label count', () => {
    const json = JSON.parse(JSON.stringify(experimentJson(ablation())));
    const single = JSON.parse(JSON.stringify(experimentJson(results())));
    expect(json.values.map((v: { label: string }) => v.label)).toEqual(['span = 5', 'span = 15']);
    for (const v of json.values) expect(Object.keys(v.results).sort()).toEqual(Object.keys(single).sort());
    // Span 5's SSL runs are the sweep's own: the same means, paired with the same baseline.
    expect(json.values[0].results.ssl).toEqual(single.ssl);
    expect(json.values[0].results.baseline).toEqual(single.baseline);
    expect(json.values[1].results.baseline).toEqual(single.baseline);
    expect(json.values[0].results.comparisons.map((c: { pValue: number }) => c.pValue)).toEqual(single.comparisons.map((c: { pValue: number }) => c.pValue));
    // Corrected across both values: twice the tests of the sweep.
    expect(json.methods.pValues.acc4).toBe('4-class accuracy: paired t-test over repeats (two-sided), Holm-adjusted across 28 tests (2 factor values × 2 label counts × {overall, six emotions})');
    expect(json.best.filter((b: { metric: string }) => b.metric === 'acc4').map((b: { labelCount: number; labels: string[] }) => [b.labelCount, b.labels])).toEqual([[20, ['span = 15']], [200, ['span = 15']]]);
    expect(json.values.map((v: { pretrainRunId: number }) => v.pretrainRunId)).toEqual([7, 8]);
  });

  it('prints an ablation as a table per value, saying which baseline it shares, then the best value per label count', () => {
    const text = experimentTable(ablation());
    expect(text).toContain('== span = 5: pre-training #7; baseline shared with 1 other value');
    expect(text).toContain('== span = 15: pre-training #8; baseline shared with 1 other value');
    expect(text).toMatch(/Best value per label count \(mean SSL score overall\):\n {2}4-class accuracy, 20 labels: span = 15 \(0\.85\d; next span = 5 0\.84\d\)/);
  });
});

describe('npm run experiment --vary', () => {
  it('reads FIELD=V1,V2 as the form does, and refuses a malformed or disallowed one naming it', () => {
    expect(factorsFrom(['mask.spanLength=5,15', 'model.pooling=last-valid,mean-valid'])).toEqual([{ field: 'mask.spanLength', values: [5, 15] }, { field: 'model.pooling', values: ['last-valid', 'mean-valid'] }]);
    expect(factorsFrom(undefined)).toBeUndefined();
    expect(() => factorsFrom(['mask.spanLength'])).toThrow('--vary takes FIELD=V1,V2,... (for example --vary mask.spanLength=10,30,60), not "mask.spanLength".');
    expect(() => factorsFrom(['mask.spanLength=5,0'])).toThrow('--vary mask.spanLength=5,0: Mask span length (steps): "0" is not allowed; use whole numbers from 1 to 10000.');
    expect(() => factorsFrom(['mask.span=5,10'])).toThrow(/--vary mask.span=5,10: mask.span is not a setting an experiment can vary; choose one of mask.spanLength/);
  });
});
