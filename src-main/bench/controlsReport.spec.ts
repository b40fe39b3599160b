import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { analyseSweep, formatSweep, holm, negativeChecks, negativeReading, positiveChecks, type SweepRun } from './controlsReport';

/** Metric records of a run whose 4-class accuracy is `acc4` overall and per emotion, F1 `f1` for every emotion. */
function metrics(acc4: number, f1 = 0.5, mae = 0.2): MetricRecord[] {
  return [
    { scope: 'overall', name: 'acc4', value: acc4 },
    { scope: 'overall', name: 'mae', value: mae },
    ...EMOTIONS.flatMap((e) => [
      { scope: e, name: 'acc4', value: acc4 },
      { scope: e, name: 'f1Binary', value: f1 },
    ]),
  ];
}

/** Validation labels where predicting 0 is right 5 times in 6 (one emotion present at 1 in every segment). */
const validation = [[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0]];
const labels = { validation, labelled: (n: number) => Array.from({ length: n }, () => [3, 0, 0, 0, 0, 0]) };

function sweep(ssl: (n: number, r: number) => number, baseline: (n: number, r: number) => number): SweepRun[] {
  return [20, 50, 200].flatMap((labelCount) =>
    [0, 1, 2, 3, 4].flatMap((repeat) => [
      { arm: 'ssl' as const, labelCount, repeat, metrics: metrics(ssl(labelCount, repeat)) },
      { arm: 'baseline' as const, labelCount, repeat, metrics: metrics(baseline(labelCount, repeat)) },
    ]),
  );
}

describe('the controls report', () => {
  it('adjusts p-values as Holm does (R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm"))', () => {
    expect(holm([0.01, 0.04, 0.03, 0.005])).toEqual([0.03, 0.06, 0.06, 0.02].map((p) => expect.closeTo(p, 12)));
    expect(holm([0.5, null, 0.01])).toEqual([0.5, null, 0.02]);
    expect(holm([0.9, 0.8])).toEqual([1, 1]); // 2 x 0.8 caps at 1, and no adjusted p falls below an earlier one
  });

  it('scores both trivial predictors on the validation labels: predicting 0, and the labelled sample\'s mean', () => {
    const result = analyseSweep(sweep(() => 0.9, () => 0.8), labels);
    const row = result.rows[20];
    expect(row['always-absent'].acc4.mean).toBeCloseTo(15 / 18, 12);
    expect(row['always-absent'].mae.mean).toBeCloseTo(3 / 18, 12);
    expect(row['always-absent'].f1).toEqual([0, 0, 0, 0, 0, 0]);
    // The sample's mean predicts 3 for happiness (wrong on every segment) and 0 for the rest (right 13 times in 15).
    expect(row['label-mean'].acc4.mean).toBeCloseTo(13 / 18, 12);
    expect(row['label-mean'].f1[0]).toBeCloseTo(0.5, 12); // 1 true positive, 2 false positives
    expect(row.ssl.acc4).toEqual({ mean: expect.closeTo(0.9, 12), sd: 0 });
  });

  it('tests SSL against the baseline per label count and scope, and corrects across all of them', () => {
    const noise = [0.01, -0.02, 0.015, 0, -0.005];
    const result = analyseSweep(sweep((n, r) => (n === 20 ? 0.9 : 0.85) + noise[r] / 2, (_, r) => 0.85 + noise[r]), labels);
    expect(result.tests).toHaveLength(3 * 7);
    const overall20 = result.tests.find((t) => t.labelCount === 20 && t.scope === 'overall')!;
    expect(overall20.meanDifference).toBeCloseTo(0.05, 12); // the noise sums to 0
    expect(overall20.p).toBeLessThan(0.001);
    expect(overall20.pHolm).toBeCloseTo(Math.min(1, 21 * overall20.p!), 12); // the smallest p of 21 tests
    expect(result.tests.find((t) => t.labelCount === 200 && t.scope === 'overall')!.pHolm).toBe(1);
    const checks = positiveChecks(result);
    expect(checks.find((c) => c.claim.startsWith('20 labels: paired test'))!.holds).toBe(true);
    expect(checks.find((c) => c.claim.startsWith('50 labels: paired test'))!.holds).toBe(false);
    expect(checks.find((c) => c.claim.startsWith('the gap narrows'))!.holds).toBe(true);
    // 0.85 does not beat predicting 0 (0.833) by much, but it does; the label mean is worse.
    expect(checks.find((c) => c.claim.startsWith('200 labels: SSL\'s 4-class'))!.holds).toBe(true);
  });

  it('fails the negative control\'s checks when an arm beats the trivial predictors or a test survives Holm', () => {
    const calm = analyseSweep(sweep((_, r) => 0.8 + r * 0.003, (_, r) => 0.8 + ((r * 7) % 5) * 0.003), labels);
    expect(negativeChecks(calm).every((c) => c.holds)).toBe(true);
    const leaky = analyseSweep(sweep((_, r) => 0.9 + r * 0.001, () => 0.8), labels);
    const failed = negativeChecks(leaky).filter((c) => !c.holds).map((c) => c.claim);
    expect(failed).toContainEqual(expect.stringMatching(/^20 labels: neither arm beats/));
    expect(failed).toContainEqual(expect.stringMatching(/^no SSL-vs-baseline test is significant/));
    expect(formatSweep(leaky, negativeChecks(leaky)).join('\n')).toMatch(/NO +no SSL-vs-baseline test/);
    // Each arm against the labelled sample's mean (13/18 right): SSL 0.902 on average, the baseline 0.8.
    expect(negativeReading(leaky).join(' ')).toMatch(/SSL \+0\.180 at 20 labels, \+0\.180 at 200;\s+the baseline \+0\.078 at 20, \+0\.078 at 200/);
  });
});
