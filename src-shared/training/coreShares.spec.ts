import { describe, expect, it } from 'vitest';
import { freeCores, jobCost, shareCores } from './coreShares';

describe('shareCores', () => {
  it('gives a lone job every core, jobs side by side an equal share, the spare cores to the longest, none more than it can use', () => {
    expect(shareCores(2, [{ id: 1, cost: 10, max: 8 }])).toEqual(new Map([[1, 2]]));
    expect(shareCores(2, [{ id: 1, cost: 10, max: 8 }, { id: 2, cost: 99, max: 8 }])).toEqual(new Map([[1, 1], [2, 1]]));
    expect(shareCores(3, [{ id: 1, cost: 10, max: 8 }, { id: 2, cost: 99, max: 8 }])).toEqual(new Map([[2, 2], [1, 1]]));
    expect(shareCores(16, [{ id: 1, cost: 10, max: 8 }])).toEqual(new Map([[1, 8]]));
    expect(shareCores(2, [1, 2, 3].map((id) => ({ id, cost: id, max: 2 })))).toEqual(new Map([[3, 1], [2, 1], [1, 1]]));
  });
});

describe('freeCores', () => {
  it('leaves out the cores other programs keep busy, counting our own threads as ours', () => {
    expect(freeCores(2, 0.1, 0)).toBe(2);
    expect(freeCores(2, 1.0, 1)).toBe(2); // the load is our own run
    expect(freeCores(2, 1.7, 1)).toBe(1);
    expect(freeCores(2, 9.5, 2)).toBe(1);
    expect(freeCores(8, 3.2, 2)).toBe(7);
  });
});

describe('jobCost', () => {
  const split = { train: Array.from({ length: 1000 }, (_, i) => i), validation: Array.from({ length: 300 }, (_, i) => i) };
  const config = { epochs: 30, labels: { count: 200, seed: 0 }, validation: 'final' } as const;
  it('counts sample-epochs of training and a third of a sample per validated one', () => {
    expect(jobCost({ kind: 'baseline', config, split } as never)).toBe(30 * 200 + 100);
    expect(jobCost({ kind: 'pretrain', config: { ...config, validation: 'each-epoch' }, split } as never)).toBe(30 * 1000 + 30 * 100);
    expect(jobCost({ kind: 'finetune', config, split } as never)).toBe(0);
  });
});
