import { describe, expect, it } from 'vitest';
import { emotionRows, metricRecords } from './records';

describe('metricRecords', () => {
  it('stores overall and per-emotion metrics of predictions against labels', () => {
    const y = emotionRows([0, 1, 2, 3, 0, 0, 1, 0, 0, 0, 2, 1]);
    const records = metricRecords(y, emotionRows(new Float32Array([0, 1, 2, 3, 0, 0, 1, 0, 0, 0, 2, 1])));
    const get = (scope: string, name: string) => records.find((r) => r.scope === scope && r.name === name)?.value;
    expect(get('overall', 'mae')).toBe(0);
    expect(get('overall', 'acc4')).toBe(1);
    expect(get('anger', 'mae')).toBe(0);
    expect(get('happiness', 'f1Binary')).toBe(1);
    expect(records).toHaveLength(2 + 6 * 8);
  });
  it('reports an error for predictions that are not finite', () => {
    expect(() => metricRecords(emotionRows(new Float32Array(6)), emotionRows(new Float32Array([0, 0, NaN, 0, 0, 0])))).toThrow(/non-finite/);
  });
  it('reads a flat [n * 6] array as rows of six', () => {
    expect(emotionRows([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])).toEqual([[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]);
  });
});
