import type { MeanSd, RunDetail, RunSummary } from '../api/entities';
import { meanSd, metricMeans } from '../experiments/aggregate';
import { RUN_COLUMNS, type RunColumn, type RunField } from './query';

/** A config leaf or table cell as compared and grouped on. */
export type FieldValue = string | number | boolean | null;

/** Dotted paths of every non-object value, e.g. config.mask.spanLength; a null mask is one leaf, `config.mask`. */
export function leafPaths(value: unknown, prefix: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => leafPaths(v, `${prefix}.${key}`));
}

/** The value at a dotted path from `root` (e.g. `config.mask.value` from `{ config }`); null when absent. */
function valueAt(root: unknown, path: string): FieldValue {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string, unknown>)[key];
  }
  if (node === undefined) return null;
  return typeof node === 'object' && node !== null ? JSON.stringify(node) : (node as FieldValue);
}

/** A run's config as path -> value, for a side-by-side table. */
export function flattenConfig(config: unknown): Record<string, FieldValue> {
  return Object.fromEntries(leafPaths(config, 'config').map((path) => [path, valueAt({ config }, path)]));
}

/** Paths whose value is not the same in every config (a path missing from one counts as differing). */
export function differingFields(configs: readonly Record<string, FieldValue>[]): string[] {
  const paths = [...new Set(configs.flatMap((c) => Object.keys(c)))].sort();
  return paths.filter((p) => new Set(configs.map((c) => (p in c ? JSON.stringify(c[p]) : 'missing'))).size > 1);
}

const seconds = (from: string | null, to: string | null) => (from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : null);

/** The value of a history column as the summary holds it: the same fields the store filters on. */
const COLUMN_VALUE: Record<RunColumn, (r: RunSummary) => FieldValue> = {
  id: (r) => r.id,
  name: (r) => r.name,
  kind: (r) => r.kind,
  dataset: (r) => r.datasetId,
  experiment: (r) => r.experimentId,
  status: (r) => r.status,
  backend: (r) => r.backend,
  seed: (r) => r.seed,
  labelCount: (r) => r.labelCount,
  maskSpan: (r) => r.pretrainMask?.spanLength ?? null,
  maskCount: (r) => r.pretrainMask?.spanCount ?? null,
  maskValue: (r) => r.pretrainMask?.value ?? null,
  maskLossScope: (r) => r.pretrainMask?.lossScope ?? null,
  epochs: (r) => r.config.epochs,
  lastLoss: (r) => r.lastLoss,
  mae: (r) => r.maeOverall,
  acc4: (r) => r.acc4Overall,
  maeTest: (r) => r.maeTest,
  acc4Test: (r) => r.acc4Test,
  flagged: (r) => r.flags?.flags.length ?? null,
  startedAt: (r) => r.startedAt,
  duration: (r) => seconds(r.startedAt, r.finishedAt),
  tags: (r) => r.tags.join(', '),
};

export function runFieldValue(run: RunSummary, field: RunField): FieldValue {
  if ((RUN_COLUMNS as readonly string[]).includes(field)) return COLUMN_VALUE[field as RunColumn](run);
  return valueAt({ config: run.config }, field);
}

/** Mean and sd of a curve across runs, epoch by epoch; an epoch counts the runs that reached it. */
export interface CurvePoint {
  epoch: number;
  mean: number;
  sd: number | null;
  n: number;
}

export interface RunGroup {
  value: FieldValue;
  /** The value as the UI shows it ("none" for a missing one). */
  label: string;
  runIds: number[];
  seeds: number[];
  /** metric name -> scope -> mean and sd over the group's runs that have it. */
  metrics: Record<string, Record<string, MeanSd>>;
  loss: CurvePoint[];
  valLoss: CurvePoint[];
}

function curve(runs: readonly RunDetail[], pick: (e: RunDetail['epochs'][number]) => number | null): CurvePoint[] {
  const byEpoch = new Map<number, number[]>();
  for (const run of runs) {
    for (const e of run.epochs) {
      const v = pick(e);
      if (v !== null && Number.isFinite(v)) byEpoch.set(e.epoch, [...(byEpoch.get(e.epoch) ?? []), v]);
    }
  }
  return [...byEpoch].sort(([a], [b]) => a - b).map(([epoch, values]) => ({ epoch, ...meanSd(values) }));
}

function compareValues(a: FieldValue, b: FieldValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/**
 * Runs grouped by one field (a mask span, a seed, a learning rate…) with the mean and
 * standard deviation of every metric and of the loss curves across each group's runs,
 * typically the seeds of one setting.
 */
export function groupRuns(runs: readonly RunDetail[], field: RunField, split: 'validation' | 'test' = 'validation'): RunGroup[] {
  const groups = new Map<string, { value: FieldValue; runs: RunDetail[] }>();
  for (const run of runs) {
    const value = runFieldValue(run, field);
    const key = JSON.stringify(value);
    const group = groups.get(key) ?? { value, runs: [] };
    group.runs.push(run);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => compareValues(a.value, b.value))
    .map(({ value, runs: members }) => ({
      value,
      label: value === null ? 'none' : String(value),
      runIds: members.map((r) => r.id),
      seeds: members.map((r) => r.seed),
      metrics: metricMeans(members.map((r) => (split === 'test' ? r.testMetrics : r.metrics))),
      loss: curve(members, (e) => e.loss),
      valLoss: curve(members, (e) => e.valLoss),
    }));
}
