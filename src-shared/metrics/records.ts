import type { MetricRecord } from '../api/entities';
import { EMOTIONS } from '../emotions';
import { computeAllMetrics } from './index';

/** Rows of 6 from a flat [n * 6] array. */
export function emotionRows(flat: ArrayLike<number>): number[][] {
  return Array.from({ length: Math.floor(flat.length / 6) }, (_, i) => Array.from({ length: 6 }, (_, j) => flat[i * 6 + j]));
}

/** Per-emotion metrics stored for every run, under the names the store and the views use. */
const PER_EMOTION = {
  f1_binary: 'f1Binary',
  f1_weighted: 'f1Weighted',
  weighted_accuracy: 'weightedAccuracy',
  binary_accuracy: 'binaryAccuracy',
  f1_4class_micro: 'f1FourClassMicro',
  f1_4class_macro: 'f1FourClassMacro',
} as const;

/** Every metric of predictions against labels (both [n][6]) as store records: overall MAE and 4-class accuracy, then per emotion. */
export function metricRecords(labels: readonly (readonly number[])[], predictions: readonly (readonly number[])[]): MetricRecord[] {
  const m = computeAllMetrics(labels, predictions);
  const records: MetricRecord[] = [
    { scope: 'overall', name: 'mae', value: m.mae_overall },
    { scope: 'overall', name: 'acc4', value: m.acc4_overall },
  ];
  EMOTIONS.forEach((emotion, j) => {
    records.push({ scope: emotion, name: 'mae', value: m.mae_per_emotion[j] });
    records.push({ scope: emotion, name: 'acc4', value: m.acc4_per_emotion[j] });
    for (const [key, name] of Object.entries(PER_EMOTION)) {
      records.push({ scope: emotion, name, value: m.per_emotion[key as keyof typeof PER_EMOTION][j] });
    }
  });
  return records;
}
