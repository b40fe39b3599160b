import type { MetricRecord } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { computeAllMetrics } from '@shared/metrics';

/** Rows of 6 from a flat [n * 6] array. */
export function rowsOf(flat: Float32Array): number[][] {
  return Array.from({ length: flat.length / 6 }, (_, i) => Array.from(flat.subarray(i * 6, i * 6 + 6)));
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

/** Every metric of a run's validation predictions as store records (overall and per emotion). */
export function evaluatePredictions(labels: Float32Array, predictions: Float32Array): MetricRecord[] {
  const m = computeAllMetrics(rowsOf(labels), rowsOf(predictions));
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
