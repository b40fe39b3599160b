import { describe, expect, it } from 'vitest';
import { sampleLabelled } from './sampling';

describe('sampleLabelled', () => {
  const train = Array.from({ length: 500 }, (_, i) => i * 2); // even indices train, odd ones validate
  it('draws the same sample for the same seed (both arms of a repeat) and another for another seed', () => {
    expect(sampleLabelled(train, 20, 7)).toEqual(sampleLabelled([...train].reverse(), 20, 7));
    expect(sampleLabelled(train, 20, 7)).not.toEqual(sampleLabelled(train, 20, 8));
  });
  it('draws only from the training split, without repeats', () => {
    const s = sampleLabelled(train, 200, 3);
    expect(new Set(s).size).toBe(200);
    expect(s.every((i) => i % 2 === 0)).toBe(true);
  });
  it('takes the whole split for null or a count above its size', () => {
    expect(sampleLabelled(train, null, 1)).toHaveLength(500);
    expect(sampleLabelled(train, 10_000, 1)).toHaveLength(500);
  });
  it('nests the samples of one seed: a larger label count adds segments to a smaller one', () => {
    const small = sampleLabelled(train, 20, 5), large = sampleLabelled(train, 400, 5);
    expect(small.every((i) => large.includes(i))).toBe(true);
  });
});
