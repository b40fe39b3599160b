import type { ExperimentPoint, MeanSd, MetricRecord, PairedComparison } from '../api/entities';
import { pairedTTest } from '../stats/pairedTest';

/** A finished run of an experiment, as aggregation needs it. */
export interface ExperimentRun {
  id: number;
  arm: 'ssl' | 'baseline';
  labelCount: number;
  repeat: number;
  metrics: MetricRecord[];
}

/** Mean and sample standard deviation (n - 1); sd is null for a single value. */
export function meanSd(values: readonly number[]): MeanSd {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, sd, n };
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
    return { labelCount, runIds: group.map((r) => r.id), metrics };
  });
}

const overall = (run: ExperimentRun, name: string) => run.metrics.find((m) => m.scope === 'overall' && m.name === name)?.value;

/** SSL minus baseline per label count, paired by repeat (only repeats both arms finished). */
export function compareArms(runs: readonly ExperimentRun[]): PairedComparison[] {
  const counts = [...new Set(runs.map((r) => r.labelCount))].sort((a, b) => a - b);
  const out: PairedComparison[] = [];
  for (const labelCount of counts) {
    for (const metric of ['acc4', 'mae'] as const) {
      const pairs: Array<[number, number]> = [];
      for (const ssl of runs.filter((r) => r.arm === 'ssl' && r.labelCount === labelCount)) {
        const base = runs.find((r) => r.arm === 'baseline' && r.labelCount === labelCount && r.repeat === ssl.repeat);
        const a = overall(ssl, metric), b = base && overall(base, metric);
        if (a !== undefined && b !== undefined) pairs.push([a, b]);
      }
      if (!pairs.length) continue;
      const test = pairedTTest(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
      out.push({ labelCount, metric, meanDifference: test.meanDifference, n: test.n, t: test.t, pValue: test.pValue });
    }
  }
  return out;
}

/**
 * "Labels saved": for SSL's mean 4-class accuracy at 20, 50 and 200 labels, the smallest
 * label count at which the baseline's mean reaches it (null when it never does in the sweep).
 */
export function labelsSaved(ssl: readonly ExperimentPoint[], baseline: readonly ExperimentPoint[], at = [20, 50, 200]) {
  return at.flatMap((sslLabels) => {
    const point = ssl.find((p) => p.labelCount === sslLabels);
    const sslAcc4 = point?.metrics.acc4?.overall?.mean;
    if (sslAcc4 === undefined) return [];
    const reached = baseline.find((b) => (b.metrics.acc4?.overall?.mean ?? -Infinity) >= sslAcc4);
    return [{ sslLabels, sslAcc4, baselineLabels: reached?.labelCount ?? null }];
  });
}
