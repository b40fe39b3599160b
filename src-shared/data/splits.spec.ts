import { describe, it, expect } from 'vitest';
import { Rng } from '../random';
import { MOSEI_STANDARD_TEST_FOLD, MOSEI_STANDARD_TRAIN_FOLD, MOSEI_STANDARD_VALID_FOLD } from './moseiStandardFolds';
import {
  DEFAULT_SPLIT_CONFIG,
  NO_STANDARD_FOLD_VIDEOS_MESSAGE,
  SplitConfigSchema,
  assignSplit,
  normaliseSplit,
  hasTestPart,
  splitFractionsProblem,
  type SplitAssignment,
  type SplitConfig,
  type SplitSegment,
} from './splits';

/** Synthetic dataset: videos with 1..maxPerVideo segments each, ids VIDEO[i] as the SDK names them. */
function syntheticSegments(videos: number, maxPerVideo: number, seed = 5): SplitSegment[] {
  const rng = new Rng(seed);
  const out: SplitSegment[] = [];
  for (let v = 0; v < videos; v++) {
    const video = `synthetic_${String(v).padStart(4, '0')}`;
    const count = rng.int(1, maxPerVideo);
    for (let i = 0; i < count; i++) out.push({ id: `${video}[${i}]`, video });
  }
  return out;
}

/** Every index exactly once across all sides, each side sorted. */
function expectPartition(a: SplitAssignment, n: number): void {
  const sides = [a.train, a.validation, a.test ?? [], a.unassigned ?? []];
  for (const side of sides) expect(side).toEqual([...side].sort((x, y) => x - y));
  const all = sides.flat();
  expect(all.length).toBe(n);
  expect(new Set(all).size).toBe(n);
  expect(Math.min(...all)).toBe(0);
  expect(Math.max(...all)).toBe(n - 1);
}

const config = (c: Partial<SplitConfig>): SplitConfig => ({ ...DEFAULT_SPLIT_CONFIG, ...c });

describe('SplitConfig', () => {
  it('defaults to the paper: random 80/20 by segment, no test part', () => {
    expect(SplitConfigSchema.parse(DEFAULT_SPLIT_CONFIG)).toEqual({ kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 });
    expect(hasTestPart(DEFAULT_SPLIT_CONFIG)).toBe(false);
    expect(hasTestPart(config({ testFraction: 0.1 }))).toBe(true);
    expect(hasTestPart(config({ kind: 'sdk-standard' }))).toBe(true);
  });
  it('refuses shares that leave nothing to train on, and a test share for the SDK folds, saying what to do', () => {
    const segs = syntheticSegments(50, 3);
    expect(() => assignSplit(segs, config({ validationFraction: 0.5, testFraction: 0.5 }))).toThrow(
      'A validation share of 0.5 and a test share of 0.5 leave no segment to train on: together they must stay below 1.',
    );
    expect(() => assignSplit(segs, config({ kind: 'by-video', validationFraction: 0.7, testFraction: 0.4 }))).toThrow(/together they must stay below 1/);
    expect(splitFractionsProblem(config({ kind: 'sdk-standard', testFraction: 0.1 }))).toMatch(/SDK's standard folds have their own test fold/);
    expect(() => assignSplit(segs, config({ testFraction: -0.1 }))).toThrow();
  });
  it("normalises a test share away from the SDK's folds only, and leaves other splits as they are", () => {
    expect(normaliseSplit(config({ kind: 'sdk-standard', testFraction: 0.2 }))).toEqual(config({ kind: 'sdk-standard', testFraction: 0 }));
    expect(splitFractionsProblem(normaliseSplit(config({ kind: 'sdk-standard', testFraction: 0.2 })))).toBeNull();
    const byVideo = config({ kind: 'by-video', testFraction: 0.2 });
    expect(normaliseSplit(byVideo)).toBe(byVideo);
  });
  it('rejects fractions outside (0, 1), unknown kinds and non-integer seeds', () => {
    const segs = syntheticSegments(5, 3);
    expect(() => assignSplit(segs, config({ validationFraction: 1 }))).toThrow();
    expect(() => assignSplit(segs, config({ validationFraction: 0 }))).toThrow();
    expect(() => assignSplit(segs, { ...DEFAULT_SPLIT_CONFIG, kind: 'by-speaker' } as unknown as SplitConfig)).toThrow();
    expect(() => assignSplit(segs, config({ seed: 1.5 }))).toThrow();
  });
});

describe('assignSplit: random-segment', () => {
  const segs = syntheticSegments(200, 12);
  it('is deterministic per seed and differs between seeds', () => {
    const a = assignSplit(segs, config({ seed: 11 }));
    expect(assignSplit(segs, config({ seed: 11 }))).toEqual(a);
    expect(assignSplit(segs, config({ seed: 12 })).validation).not.toEqual(a.validation);
  });
  it('holds out round(n * fraction) segments and partitions the indices', () => {
    for (const fraction of [0.1, 0.2, 0.5]) {
      const a = assignSplit(segs, config({ validationFraction: fraction, seed: 3 }));
      expect(a.validation.length).toBe(Math.round(segs.length * fraction));
      expect(a.test).toBeUndefined();
      expectPartition(a, segs.length);
    }
  });
  it('matches the original trainer split (same shuffle from the same seed)', () => {
    const n = segs.length;
    const order = new Rng(42).shuffle(Array.from({ length: n }, (_, i) => i));
    const nVal = Math.round(n * 0.2);
    expect(assignSplit(segs, config({ seed: 42 })).validation).toEqual(order.slice(0, nVal).sort((a, b) => a - b));
  });
  it('holds out a test part after validation: validation unchanged, no segment on two sides', () => {
    const without = assignSplit(segs, config({ seed: 8 }));
    const withTest = assignSplit(segs, config({ seed: 8, testFraction: 0.15 }));
    expect(withTest.validation).toEqual(without.validation);
    expect(withTest.test).toHaveLength(Math.round(segs.length * 0.15));
    expect(withTest.train.length).toBe(segs.length - without.validation.length - withTest.test!.length);
    expectPartition(withTest, segs.length);
    // The test part is the next draws of the same shuffle, so it is seeded like the rest.
    const order = new Rng(8).shuffle(Array.from({ length: segs.length }, (_, i) => i));
    expect(withTest.test).toEqual(order.slice(without.validation.length, without.validation.length + withTest.test!.length).sort((a, b) => a - b));
    // Test share 0: exactly the split without one (no test key), so stored splits and old runs agree.
    expect(assignSplit(segs, config({ seed: 8, testFraction: 0 }))).toEqual(without);
  });
  it('keeps a segment to train on when the shares nearly fill the dataset', () => {
    const a = assignSplit(syntheticSegments(3, 1), config({ validationFraction: 0.4, testFraction: 0.55 }));
    expect([a.train.length, a.validation.length, a.test!.length]).toEqual([1, 1, 1]);
  });
  it('keeps both sides non-empty on tiny datasets', () => {
    const two = syntheticSegments(2, 1);
    const a = assignSplit(two, config({ validationFraction: 0.01 }));
    expect([a.train.length, a.validation.length]).toEqual([1, 1]);
    const b = assignSplit(two, config({ validationFraction: 0.99 }));
    expect([b.train.length, b.validation.length]).toEqual([1, 1]);
    expect(assignSplit([], DEFAULT_SPLIT_CONFIG)).toEqual({ train: [], validation: [] });
  });
});

describe('assignSplit: by-video', () => {
  const segs = syntheticSegments(300, 15);
  const videoOf = (i: number) => segs[i].video;
  it('never puts one video on both sides', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const a = assignSplit(segs, config({ kind: 'by-video', seed }));
      const trainVideos = new Set(a.train.map(videoOf));
      expect(a.validation.some((i) => trainVideos.has(videoOf(i)))).toBe(false);
      expectPartition(a, segs.length);
    }
  });
  it('holds out whole videos for test too: no video on two of the three sides', () => {
    for (const seed of [1, 2, 3]) {
      const a = assignSplit(segs, config({ kind: 'by-video', seed, testFraction: 0.2 }));
      const sideOf = new Map<string, string>();
      for (const side of ['train', 'validation', 'test'] as const) {
        for (const i of a[side]!) {
          const seen = sideOf.get(videoOf(i));
          expect(seen === undefined || seen === side).toBe(true);
          sideOf.set(videoOf(i), side);
        }
      }
      expectPartition(a, segs.length);
      // Within half of the largest video (15 segments) of the target.
      expect(Math.abs(a.test!.length - 0.2 * segs.length)).toBeLessThanOrEqual(7.5);
      // Validation is what it was without a test part.
      expect(a.validation).toEqual(assignSplit(segs, config({ kind: 'by-video', seed })).validation);
    }
    expect(assignSplit(segs, config({ kind: 'by-video', seed: 4, testFraction: 0 }))).toEqual(assignSplit(segs, config({ kind: 'by-video', seed: 4 })));
  });
  it('lands close to the requested fraction of segments', () => {
    for (const fraction of [0.1, 0.2, 0.3]) {
      const a = assignSplit(segs, config({ kind: 'by-video', validationFraction: fraction, seed: 9 }));
      // Within half of the largest video (15 segments) of the target.
      expect(Math.abs(a.validation.length - fraction * segs.length)).toBeLessThanOrEqual(7.5);
    }
  });
  it('is deterministic per seed and independent of segment order', () => {
    const a = assignSplit(segs, config({ kind: 'by-video', seed: 21 }));
    expect(assignSplit(segs, config({ kind: 'by-video', seed: 21 }))).toEqual(a);
    expect(assignSplit(segs, config({ kind: 'by-video', seed: 22 })).validation).not.toEqual(a.validation);
    const reversed = [...segs].reverse();
    const r = assignSplit(reversed, config({ kind: 'by-video', seed: 21 }));
    const validationIds = (x: SplitAssignment, s: SplitSegment[]) => x.validation.map((i) => s[i].id).sort();
    expect(validationIds(r, reversed)).toEqual(validationIds(a, segs));
  });
  it('keeps at least one video on each side when there are two or more', () => {
    // One huge video and one small one: the small one goes to validation rather than nothing.
    const lopsided: SplitSegment[] = [
      ...Array.from({ length: 50 }, (_, i) => ({ id: `big[${i}]`, video: 'big' })),
      ...Array.from({ length: 30 }, (_, i) => ({ id: `mid[${i}]`, video: 'mid' })),
    ];
    const a = assignSplit(lopsided, config({ kind: 'by-video', validationFraction: 0.05 }));
    expect(a.validation.length).toBe(30);
    expect(a.train.length).toBe(50);
    // Two equal videos at 0.8: taking both would be closer to 0.8 * 2, but train must keep one.
    const pair: SplitSegment[] = [{ id: 'a[0]', video: 'a' }, { id: 'b[0]', video: 'b' }];
    for (const seed of [0, 1, 2, 3]) {
      const p = assignSplit(pair, config({ kind: 'by-video', validationFraction: 0.8, seed }));
      expect([p.train.length, p.validation.length]).toEqual([1, 1]);
    }
  });
});

describe('assignSplit: sdk-standard', () => {
  it('carries the SDK fold lists with the documented counts and no overlap', () => {
    expect(MOSEI_STANDARD_TRAIN_FOLD.length).toBe(2249);
    expect(MOSEI_STANDARD_VALID_FOLD.length).toBe(300);
    expect(MOSEI_STANDARD_TEST_FOLD.length).toBe(678);
    const all = [...MOSEI_STANDARD_TRAIN_FOLD, ...MOSEI_STANDARD_VALID_FOLD, ...MOSEI_STANDARD_TEST_FOLD];
    expect(new Set(all).size).toBe(3227);
  });
  it('puts real CMU-MOSEI segments in their video fold and reports the rest as unassigned', () => {
    // Segment ids of the mosei-mini fixture (real video ids), plus one valid-fold video.
    const ids = [
      '-3g5yACwYnA[0]', '-3g5yACwYnA[1]', '0eTibWQdO6k[0]', '8qrpnFRGt2A[1]', '9J25DZhivz8[0]',
      'Zz3SjX0SmRs[0]', '_aJghSQmxD8[0]', '_aJghSQmxD8[1]', 'zv0Jl4TIQDc[0]', '188343[0]', 'VAXhC2U9-2A[3]',
    ];
    const segs = ids.map((id) => ({ id, video: id.slice(0, id.indexOf('[')) }));
    const a = assignSplit(segs, config({ kind: 'sdk-standard' }));
    expect(a).toEqual({
      train: [0, 1, 8], // -3g5yACwYnA, zv0Jl4TIQDc
      validation: [9, 10], // 188343, VAXhC2U9-2A
      test: [6, 7], // _aJghSQmxD8
      unassigned: [2, 3, 4, 5],
    });
    expectPartition(a, segs.length);
  });
  it("uses the SDK's own test fold as the test part, whole videos", () => {
    const ids = [MOSEI_STANDARD_TRAIN_FOLD[0], MOSEI_STANDARD_VALID_FOLD[0], MOSEI_STANDARD_TEST_FOLD[0], MOSEI_STANDARD_TEST_FOLD[1]];
    const segs = ids.flatMap((video) => [0, 1].map((i) => ({ id: `${video}[${i}]`, video })));
    const a = assignSplit(segs, config({ kind: 'sdk-standard' }));
    expect(a.test).toEqual([4, 5, 6, 7]);
    expect(a.test!.every((i) => MOSEI_STANDARD_TEST_FOLD.includes(segs[i].video))).toBe(true);
    expect([a.train, a.validation]).toEqual([[0, 1], [2, 3]]);
  });
  it('ignores seed and fraction, and strips a bracket suffix from the video like the SDK', () => {
    const segs = [{ id: 'hh04W3xXa5s[0]', video: 'hh04W3xXa5s[0]' }, { id: '7l3BNtSE0xc[2]', video: '7l3BNtSE0xc' }];
    const a = assignSplit(segs, config({ kind: 'sdk-standard', seed: 1, validationFraction: 0.5 }));
    expect(assignSplit(segs, config({ kind: 'sdk-standard', seed: 99, validationFraction: 0.1 }))).toEqual(a);
    expect(a).toEqual({ train: [0], validation: [], test: [1], unassigned: [] });
  });
  it('refuses a dataset with none of the standard videos', () => {
    expect(() => assignSplit(syntheticSegments(10, 3), config({ kind: 'sdk-standard' }))).toThrow(NO_STANDARD_FOLD_VIDEOS_MESSAGE);
    expect(() => assignSplit([], config({ kind: 'sdk-standard' }))).toThrow(/choose a random or by-video split/);
  });
});
