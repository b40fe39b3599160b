import type { MetricRecord } from '@shared/api/entities';
import { emotionRows, metricRecords } from '@shared/metrics/records';

/** Every metric of a run's predictions on one split as store records (overall and per emotion). */
export function evaluatePredictions(labels: Float32Array, predictions: Float32Array): MetricRecord[] {
  return metricRecords(emotionRows(labels), emotionRows(predictions));
}
