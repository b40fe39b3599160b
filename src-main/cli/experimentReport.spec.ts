import { describe, expect, it } from 'vitest';
import type { ExperimentResults, MetricRecord } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { aggregateArm, compareArms, labelsSaved, testFamilies, type ExperimentRun } from '@shared/experiments/aggregate';
import { experimentSummary, referenceArms } from '../../test/builders/resultsFixtures';
import { experimentJson, experimentTable } from './experimentReport';

/** Three repeats at 20 and 200 labels, every emotion recorded: SSL ahead by 0.04 accuracy and 0.03 MAE, with some spread. */
function results(): ExperimentResults {
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
  const ssl = aggregateArm(runs, 'ssl');
  const baseline = aggregateArm(runs, 'baseline');
  const comparisons = compareArms(runs);
  return { experiment: experimentSummary(4, { labelCounts: [20, 200], repeats: 3, status: 'done' }), split: 'validation', ssl, baseline, references: referenceArms([20, 200]), comparisons, testFamilies: testFamilies(comparisons), labelsSaved: labelsSaved(ssl, baseline) };
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
    // What the results support comes first: both arms clear the references (0.6), SSL's lead is not significant after Holm with 3 repeats.
    expect(lines.slice(0, 3)).toEqual([
      'What the results support:',
      '  SSL beats both reference predictors in 4-class accuracy at every label count (20 and 200 labels); the baseline at every label count (20 and 200 labels).',
      expect.stringMatching(/^ {2}(SSL beats the baseline at|SSL and the baseline do not differ significantly)/),
    ]);
    expect(lines.find((l) => l.startsWith('Overall scores'))).toMatch(/mean ± sd \[95% CI\] over repeats/);
    const acc20 = lines.find((l) => /^\s*20 /.test(l))!;
    expect(acc20).toMatch(/^\s+20  0\.84\d ± 0\.00\d \[0\.\d{3}, 0\.\d{3}\]\s+0\.80\d ± 0\.00\d \[0\.\d{3}, 0\.\d{3}\]\s+\+0\.04\d \[\+0\.\d{3}, \+0\.\d{3}\]\s+[\d.<]/);
    expect(text).toContain('p: 4-class accuracy: paired t-test over repeats (two-sided), Holm-adjusted across 14 tests');
    expect(text).toMatch(/p \(Holm\)/);
    expect(text).toMatch(/Labels saved:\n {2}SSL at 20 labels .*\n {4}SSL's 95% CI there is/);
  });
});
