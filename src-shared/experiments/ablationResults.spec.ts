import { describe, expect, it } from 'vitest';
import { planShape } from './ablationPlan';
import { variantResults, type KeyedRun } from './ablationResults';
import { compareArms, holmPerMetric, pairedComparisons } from './aggregate';
import { holmAdjust } from '../stats/holm';
import { experimentPlan } from './presets';

const plan = { ...experimentPlan('quick', [4, 8], 3), factors: [{ field: 'mask.spanLength', values: [5, 15] }] };
const shape = planShape(plan);
const [span5, span15] = shape.variants;
let id = 0;
const run = (arm: 'ssl' | 'baseline', key: string, labelCount: number, repeat: number, acc4: number): KeyedRun => ({
  id: ++id, arm, key, labelCount, repeat,
  metrics: [{ scope: 'overall', name: 'acc4', value: acc4 }, { scope: 'overall', name: 'mae', value: 1 - acc4 }],
});
// One baseline arm (key '{}'), shared; span 15 beats span 5 by about 0.02 at each label count.
const runs: KeyedRun[] = [4, 8].flatMap((n) =>
  [0, 1, 2].flatMap((r) => [
    run('baseline', span5.baselineKey, n, r, 0.8 + n / 1000 + r * 0.003),
    run('ssl', span5.key, n, r, 0.82 + n / 1000 + r * 0.004),
    run('ssl', span15.key, n, r, 0.84 + n / 1000 + r * 0.002 + (r === 1 ? 0.003 : 0)),
  ]),
);
const results = variantResults({ variants: shape.variants, runs, pretrainRunOf: (v) => (v === span5 ? 101 : 102), referencesOf: () => ({ labelMean: [], majorityClass: [] }) });

describe('an ablation\'s results', () => {
  it('pair each value\'s SSL arm with the one shared baseline, by label count and repeat', () => {
    const [a, b] = results.variants;
    expect(a.baseline).toEqual(b.baseline);
    expect(a.baseline.map((p) => p.runIds.length)).toEqual([3, 3]);
    // The raw tests are those of a plain experiment made of that value's SSL runs and the shared baseline.
    const plain = pairedComparisons(runs.filter((r) => r.key === span15.key || r.arm === 'baseline'));
    expect(b.comparisons.map((c) => c.pValue)).toEqual(plain.map((c) => c.pValue));
    expect([a.pretrainRunId, b.pretrainRunId]).toEqual([101, 102]);
  });

  it('Holm-correct per metric across every value × label count × scope, and say the family spans both values', () => {
    const all = [...results.variants[0].comparisons, ...results.variants[1].comparisons].filter((c) => c.metric === 'acc4');
    const expected = holmAdjust(all.map((c) => c.pValue));
    expect(all.map((c) => c.pAdjusted)).toEqual(expected);
    // Corrected across more tests than one value alone: never smaller than its own family's.
    const alone = compareArms(runs.filter((r) => r.key === span5.key || r.arm === 'baseline')).filter((c) => c.metric === 'acc4');
    alone.forEach((c, i) => expect(results.variants[0].comparisons[i].pAdjusted!).toBeGreaterThanOrEqual(c.pAdjusted!));
    expect(results.testFamilies.find((f) => f.metric === 'acc4')).toMatchObject({ tests: 4, values: 2, labelCounts: [4, 8] });
    expect(holmPerMetric([])).toEqual([]);
  });

  it('name the best value per label count and metric, with the runner-up for the margin', () => {
    const acc = results.best.filter((b) => b.metric === 'acc4');
    expect(acc.map((b) => [b.labelCount, b.keys])).toEqual([[4, [span15.key]], [8, [span15.key]]]);
    expect(acc[0].mean - acc[0].runnerUp!.mean).toBeCloseTo(0.02 - 0.002 * 1 + 0.001, 12);
    // MAE: lower is better, the same value wins.
    expect(results.best.filter((b) => b.metric === 'mae').every((b) => b.keys[0] === span15.key)).toBe(true);
  });
});
