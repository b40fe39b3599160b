import { describe, expect, it } from 'vitest';
import { evaluatePredictions } from './evaluation';

describe('evaluatePredictions', () => {
  it('stores overall and per-emotion metrics of the validation predictions', () => {
    const y = new Float32Array([0, 1, 2, 3, 0, 0, 1, 0, 0, 0, 2, 1]);
    const p = new Float32Array([0, 1, 2, 3, 0, 0, 1, 0, 0, 0, 2, 1]);
    const records = evaluatePredictions(y, p);
    const get = (scope: string, name: string) => records.find((r) => r.scope === scope && r.name === name)?.value;
    expect(get('overall', 'mae')).toBe(0);
    expect(get('overall', 'acc4')).toBe(1);
    expect(get('anger', 'mae')).toBe(0);
    expect(get('happiness', 'f1Binary')).toBe(1);
    expect(records).toHaveLength(2 + 6 * 8);
  });
  it('reports an error for predictions that are not finite', () => {
    expect(() => evaluatePredictions(new Float32Array(6), new Float32Array([0, 0, NaN, 0, 0, 0]))).toThrow(/non-finite/);
  });
});
