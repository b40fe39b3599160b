import { TESTED_METRICS, type DegenerateFlag, type ExperimentPoint, type LabelsSaved, type MeanSd, type MetricRecord, type PairedComparison, type TestFamily } from '../api/entities';
import { EMOTIONS } from '../emotions';
import { meanConfidenceInterval } from '../stats/confidenceInterval';
import { holmAdjust } from '../stats/holm';
import { pairedTTest } from '../stats/pairedTest';

/** A finished run of an experiment, as aggregation needs it. */
export interface ExperimentRun {
  id: number;
  arm: 'ssl' | 'baseline';
  labelCount: number;
  repeat: number;
  /** On the split the results show. */
  metrics: MetricRecord[];
  /** Degenerate emotions on that split (null: no predictions stored, so unknown). */
  flags?: DegenerateFlag[] | null;
}

/** Mean, sample standard deviation (n - 1) and 95% t interval; sd and interval are null for a single value. */
export function meanSd(values: readonly number[]): MeanSd {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, sd, n, ci95: meanConfidenceInterval(mean, sd, n) };
}

/** Mean and sd of every metric and scope over several runs' metric records (a run lacking one is left out of its n). */
export function metricMeans(runs: readonly (readonly MetricRecord[])[]): ExperimentPoint['metrics'] {
  const values = new Map<string, Map<string, number[]>>();
  for (const metrics of runs) {
    for (const m of metrics) {
      const byScope = values.get(m.name) ?? new Map<string, number[]>();
      byScope.set(m.scope, [...(byScope.get(m.scope) ?? []), m.value]);
      values.set(m.name, byScope);
    }
  }
  return Object.fromEntries([...values].map(([name, byScope]) => [name, Object.fromEntries([...byScope].map(([scope, v]) => [scope, meanSd(v)]))]));
}

/** Mean and sample sd over repeats of every metric and scope, per label count, for one arm. */
export function aggregateArm(runs: readonly ExperimentRun[], arm: ExperimentRun['arm']): ExperimentPoint[] {
  const counts = [...new Set(runs.filter((r) => r.arm === arm).map((r) => r.labelCount))].sort((a, b) => a - b);
  return counts.map((labelCount) => {
    const group = runs.filter((r) => r.arm === arm && r.labelCount === labelCount).sort((a, b) => a.repeat - b.repeat);
    const metrics = metricMeans(group.map((r) => r.metrics));
    const flagged = group.filter((r) => r.flags?.length).map((r) => ({ runId: r.id, emotions: r.flags!.map((f) => f.emotion) }));
    return { labelCount, runIds: group.map((r) => r.id), metrics, flagged, checked: group.filter((r) => r.flags !== null && r.flags !== undefined).length };
  });
}

/** The scopes SSL and baseline are tested on: the overall score, then each emotion. */
export const TESTED_SCOPES: readonly string[] = ['overall', ...EMOTIONS];

const valueOf = (run: ExperimentRun, metric: string, scope: string) => run.metrics.find((m) => m.scope === scope && m.name === metric)?.value;

/**
 * SSL minus baseline per metric, scope and label count, paired by repeat (only repeats both arms
 * finished), with a paired t-test each. The p-values are Holm-adjusted per metric, across all its
 * label counts × {overall, six emotions} that have a p-value (see testFamilies).
 */
export function compareArms(runs: readonly ExperimentRun[]): PairedComparison[] {
  const counts = [...new Set(runs.map((r) => r.labelCount))].sort((a, b) => a - b);
  return TESTED_METRICS.flatMap((metric) => {
    const family: Array<Omit<PairedComparison, 'pAdjusted'>> = [];
    for (const scope of TESTED_SCOPES) {
      for (const labelCount of counts) {
        const pairs: Array<[number, number]> = [];
        for (const ssl of runs.filter((r) => r.arm === 'ssl' && r.labelCount === labelCount)) {
          const base = runs.find((r) => r.arm === 'baseline' && r.labelCount === labelCount && r.repeat === ssl.repeat);
          const a = valueOf(ssl, metric, scope);
          const b = base && valueOf(base, metric, scope);
          if (a !== undefined && b !== undefined) pairs.push([a, b]);
        }
        if (!pairs.length) continue;
        const test = pairedTTest(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
        family.push({ labelCount, metric, scope, meanDifference: test.meanDifference, ci95: test.ci95, n: test.n, t: test.t, pValue: test.pValue });
      }
    }
    const adjusted = holmAdjust(family.map((c) => c.pValue));
    return family.map((c, i) => ({ ...c, pAdjusted: adjusted[i] }));
  });
}

/** The Holm family of each metric: what the adjusted p-values were corrected across. */
export function testFamilies(comparisons: readonly PairedComparison[]): TestFamily[] {
  return TESTED_METRICS.map((metric) => {
    const ofMetric = comparisons.filter((c) => c.metric === metric);
    const tested = ofMetric.filter((c) => c.pValue !== null);
    return {
      metric,
      tests: tested.length,
      labelCounts: [...new Set(tested.map((c) => c.labelCount))].sort((a, b) => a - b),
      scopes: TESTED_SCOPES.filter((s) => tested.some((c) => c.scope === s)),
      untested: ofMetric.length - tested.length,
    };
  });
}

/**
 * "Labels saved": for SSL's mean 4-class accuracy at 20, 50 and 200 labels, the smallest
 * label count at which the baseline's mean reaches it (null when it never does in the sweep);
 * and the same for the lower and upper bounds of SSL's 95% interval there, so a reader sees
 * how far the answer moves within SSL's own uncertainty (the baseline's means are taken as they are).
 */
export function labelsSaved(ssl: readonly ExperimentPoint[], baseline: readonly ExperimentPoint[], at = [20, 50, 200]): LabelsSaved[] {
  const ordered = [...baseline].sort((a, b) => a.labelCount - b.labelCount);
  const reaches = (threshold: number) => ordered.find((b) => (b.metrics.acc4?.overall?.mean ?? -Infinity) >= threshold)?.labelCount ?? null;
  return at.flatMap((sslLabels) => {
    const acc4 = ssl.find((p) => p.labelCount === sslLabels)?.metrics.acc4?.overall;
    if (!acc4) return [];
    const ci = acc4.ci95 ?? null;
    return [
      {
        sslLabels,
        sslAcc4: acc4.mean,
        baselineLabels: reaches(acc4.mean),
        sslAcc4Ci95: ci,
        baselineLabelsAtCi95: ci ? { lower: reaches(ci.lower), upper: reaches(ci.upper) } : null,
      },
    ];
  });
}
