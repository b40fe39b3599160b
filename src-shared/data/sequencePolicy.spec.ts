import { describe, it, expect } from 'vitest';
import { FEATURE_COUNT } from '../emotions';
import {
  DEFAULT_SEQUENCE_POLICY,
  SDK_SEQUENCE_POLICY,
  SequencePolicySchema,
  featureStatistics,
  poolFrames,
  toFixedLength,
  windowFrames,
  type SequencePolicy,
} from './sequencePolicy';

const F = FEATURE_COUNT;

/** Frame t, feature f holds t * 1000 + f, so any value says where it came from. */
function taggedFrames(nFrames: number): Float32Array {
  const a = new Float32Array(nFrames * F);
  for (let t = 0; t < nFrames; t++) for (let f = 0; f < F; f++) a[t * F + f] = t * 1000 + f;
  return a;
}
/** The source frame index a stored step came from (feature 0 holds t * 1000). */
const frameAt = (values: Float32Array, step: number) => values[step * F] / 1000;
const policy = (p: Partial<SequencePolicy>): SequencePolicy => ({ ...DEFAULT_SEQUENCE_POLICY, ...p });

describe('SequencePolicy', () => {
  it('has a valid default (300 steps, keep first, no pooling, right padding) and an SDK preset', () => {
    expect(SequencePolicySchema.parse(DEFAULT_SEQUENCE_POLICY)).toEqual({ maxFrames: 300, keep: 'first', poolFrames: 1, padding: 'right' });
    expect(SequencePolicySchema.parse(SDK_SEQUENCE_POLICY)).toMatchObject({ keep: 'last', padding: 'left' });
  });
  it('rejects bad fields', () => {
    expect(() => SequencePolicySchema.parse({ ...DEFAULT_SEQUENCE_POLICY, poolFrames: 0 })).toThrow();
    expect(() => SequencePolicySchema.parse({ ...DEFAULT_SEQUENCE_POLICY, maxFrames: 2.5 })).toThrow();
    expect(() => SequencePolicySchema.parse({ ...DEFAULT_SEQUENCE_POLICY, keep: 'middle' })).toThrow();
    expect(() => toFixedLength(taggedFrames(3), 3, policy({ poolFrames: 0 }))).toThrow();
  });
});

describe('windowFrames', () => {
  const frames = taggedFrames(10);
  it('keeps the first, last or centre frames of a clip longer than the window', () => {
    expect(windowFrames(frames, 10, policy({ maxFrames: 4, keep: 'first' }))).toEqual({ start: 0, count: 4 });
    expect(windowFrames(frames, 10, policy({ maxFrames: 4, keep: 'last' }))).toEqual({ start: 6, count: 4 });
    expect(windowFrames(frames, 10, policy({ maxFrames: 4, keep: 'centre' }))).toEqual({ start: 3, count: 4 });
    // 10 - 3 = 7 spare frames: the centre start rounds down.
    expect(windowFrames(frames, 10, policy({ maxFrames: 3, keep: 'centre' }))).toEqual({ start: 3, count: 3 });
  });
  it('keeps every frame of a clip shorter than or equal to the window, whatever the keep mode', () => {
    for (const keep of ['first', 'last', 'centre'] as const) {
      expect(windowFrames(frames, 10, policy({ maxFrames: 10, keep }))).toEqual({ start: 0, count: 10 });
      expect(windowFrames(frames, 10, policy({ maxFrames: 25, keep }))).toEqual({ start: 0, count: 10 });
      expect(windowFrames(frames, 0, policy({ maxFrames: 25, keep }))).toEqual({ start: 0, count: 0 });
    }
  });
  it('refuses a frame count the buffer cannot hold', () => {
    expect(() => windowFrames(frames, 11, DEFAULT_SEQUENCE_POLICY)).toThrow(/fewer than nFrames/);
  });
});

describe('poolFrames', () => {
  it('averages groups of k frames and a trailing partial group over its own size', () => {
    const pooled = poolFrames(taggedFrames(7), 7, 3);
    expect(pooled.length).toBe(3 * F);
    // Groups {0,1,2}, {3,4,5}, {6}: means of t are 1, 4, 6.
    expect([0, 1, 2].map((g) => frameAt(pooled, g))).toEqual([1, 4, 6]);
    expect(pooled[1 * F + 5]).toBeCloseTo(4000 + 5, 3);
    expect(pooled[2 * F + 73]).toBeCloseTo(6000 + 73, 3);
  });
  it('averages a group of two to the midpoint and k = 1 copies', () => {
    const frames = taggedFrames(4);
    expect(Array.from({ length: 2 }, (_, g) => frameAt(poolFrames(frames, 4, 2), g))).toEqual([0.5, 2.5]);
    const copy = poolFrames(frames, 4, 1);
    expect(copy).toEqual(frames);
    expect(copy).not.toBe(frames);
  });
  it('pools before windowing in toFixedLength', () => {
    // 12 frames, k = 4 -> 3 pooled frames (means 1.5, 5.5, 9.5); keep the last 2.
    const clip = toFixedLength(taggedFrames(12), 12, policy({ maxFrames: 2, poolFrames: 4, keep: 'last' }));
    expect(clip.validCount).toBe(2);
    expect([frameAt(clip.values, 0), frameAt(clip.values, 1)]).toEqual([5.5, 9.5]);
  });
});

describe('toFixedLength', () => {
  it('right-pads a short clip: real frames first, zeros and mask 0 after', () => {
    const clip = toFixedLength(taggedFrames(3), 3, policy({ maxFrames: 5, padding: 'right' }));
    expect(clip.validCount).toBe(3);
    expect(Array.from(clip.validMask)).toEqual([1, 1, 1, 0, 0]);
    expect([0, 1, 2].map((s) => frameAt(clip.values, s))).toEqual([0, 1, 2]);
    expect(clip.values[2 * F + 73]).toBe(2073);
    expect(clip.values.subarray(3 * F).every((v) => v === 0)).toBe(true);
  });
  it('left-pads a short clip: zeros and mask 0 first, real frames at the end', () => {
    const clip = toFixedLength(taggedFrames(3), 3, policy({ maxFrames: 5, padding: 'left' }));
    expect(Array.from(clip.validMask)).toEqual([0, 0, 1, 1, 1]);
    expect(clip.values.subarray(0, 2 * F).every((v) => v === 0)).toBe(true);
    expect([2, 3, 4].map((s) => frameAt(clip.values, s))).toEqual([0, 1, 2]);
  });
  it('fills the window exactly for a clip of its length', () => {
    for (const padding of ['left', 'right'] as const) {
      const clip = toFixedLength(taggedFrames(4), 4, policy({ maxFrames: 4, padding }));
      expect(Array.from(clip.validMask)).toEqual([1, 1, 1, 1]);
      expect(clip.values).toEqual(taggedFrames(4));
    }
  });
  it('crops a long clip per keep mode (SDK preset: last frames, left padding)', () => {
    const frames = taggedFrames(10);
    const stored = (p: SequencePolicy) => {
      const c = toFixedLength(frames, 10, p);
      return Array.from({ length: p.maxFrames }, (_, s) => frameAt(c.values, s));
    };
    expect(stored(policy({ maxFrames: 4, keep: 'first' }))).toEqual([0, 1, 2, 3]);
    expect(stored(policy({ maxFrames: 4, keep: 'last' }))).toEqual([6, 7, 8, 9]);
    expect(stored(policy({ maxFrames: 4, keep: 'centre' }))).toEqual([3, 4, 5, 6]);
    expect(stored({ ...SDK_SEQUENCE_POLICY, maxFrames: 4 })).toEqual([6, 7, 8, 9]);
  });
  it('gives an all-padding window for an empty clip', () => {
    const clip = toFixedLength(new Float32Array(0), 0, policy({ maxFrames: 3 }));
    expect(clip.validCount).toBe(0);
    expect(Array.from(clip.validMask)).toEqual([0, 0, 0]);
  });
  it('standardises real frames only, with the given mean and std', () => {
    const frames = new Float32Array(2 * F);
    frames.set([1, 10], 0); // frame 0: feature 0 = 1, feature 1 = 10
    frames.set([3, 30], F); // frame 1: feature 0 = 3, feature 1 = 30
    const mean = new Float64Array(F).fill(0);
    const std = new Float64Array(F).fill(1);
    mean[0] = 2; std[0] = 1; // -> -1, 1
    mean[1] = 20; std[1] = 10; // -> -1, 1
    mean[2] = 5; std[2] = 2; // feature 2 is 0 in both frames -> -2.5
    const clip = toFixedLength(frames, 2, policy({ maxFrames: 3 }), { mean, std });
    expect([clip.values[0], clip.values[F]]).toEqual([-1, 1]);
    expect([clip.values[1], clip.values[F + 1]]).toEqual([-1, 1]);
    expect([clip.values[2], clip.values[F + 2]]).toEqual([-2.5, -2.5]);
    expect(clip.values.subarray(2 * F).every((v) => v === 0)).toBe(true);
  });
  it('standardising after pooling equals pooling standardised frames', () => {
    const frames = taggedFrames(5);
    const stats = featureStatistics([{ frames, nFrames: 5 }]);
    const pooledThenStandardised = toFixedLength(frames, 5, policy({ maxFrames: 3, poolFrames: 2 }), stats).values;
    const standardised = toFixedLength(frames, 5, policy({ maxFrames: 5 }), stats).values;
    const standardisedThenPooled = poolFrames(standardised, 5, 2);
    for (let i = 0; i < standardisedThenPooled.length; i++) expect(pooledThenStandardised[i]).toBeCloseTo(standardisedThenPooled[i], 5);
  });
  it('refuses statistics of the wrong length or with a zero std', () => {
    const frames = taggedFrames(2);
    expect(() => toFixedLength(frames, 2, DEFAULT_SEQUENCE_POLICY, { mean: [0], std: [1] })).toThrow(/74 means/);
    const std = new Float64Array(F).fill(1);
    std[4] = 0;
    expect(() => toFixedLength(frames, 2, DEFAULT_SEQUENCE_POLICY, { mean: new Float64Array(F), std })).toThrow(/feature 4/);
  });
});

describe('featureStatistics', () => {
  it('matches hand-computed mean and population std across clips', () => {
    // Feature 0 takes 1, 2, 3, 4 over two clips: mean 2.5, population variance 1.25.
    const a = new Float32Array(2 * F);
    const b = new Float32Array(2 * F);
    a[0] = 1; a[F] = 2; b[0] = 3; b[F] = 4;
    // Feature 1 takes 10, 10, 10, 30: mean 15, variance (25 + 25 + 25 + 225) / 4 = 75.
    a[1] = 10; a[F + 1] = 10; b[1] = 10; b[F + 1] = 30;
    const { mean, std } = featureStatistics([{ frames: a, nFrames: 2 }, { frames: b, nFrames: 2 }]);
    expect(mean[0]).toBeCloseTo(2.5, 12);
    expect(std[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(mean[1]).toBeCloseTo(15, 12);
    expect(std[1]).toBeCloseTo(Math.sqrt(75), 12);
  });
  it('gives a constant feature std 1', () => {
    const frames = new Float32Array(3 * F).fill(7.3);
    const { mean, std } = featureStatistics([{ frames, nFrames: 3 }]);
    expect(mean[10]).toBeCloseTo(7.3, 5);
    expect(std[10]).toBe(1);
  });
  it('stays accurate with a large offset where sum-of-squares would cancel', () => {
    // 1e6 + {0, 1} alternating over 100,000 frames (float32 holds both exactly): std 0.5.
    const n = 100_000;
    const frames = new Float32Array(n * F);
    for (let t = 0; t < n; t++) frames[t * F] = 1e6 + (t % 2);
    const { mean, std } = featureStatistics([{ frames, nFrames: n }]);
    expect(mean[0]).toBeCloseTo(1e6 + 0.5, 6);
    expect(std[0]).toBeCloseTo(0.5, 9);
  });
  it('only reads nFrames frames and accepts any iterable', () => {
    const frames = taggedFrames(4);
    function* clips() {
      yield { frames, nFrames: 2 };
    }
    expect(featureStatistics(clips()).mean[0]).toBe(500); // frames 0 and 1: 0 and 1000
  });
  it('refuses no frames and non-finite values', () => {
    expect(() => featureStatistics([])).toThrow(/at least one frame/);
    const bad = new Float32Array(F);
    bad[3] = Number.NaN;
    expect(() => featureStatistics([{ frames: bad, nFrames: 1 }])).toThrow(/non-finite/);
  });
});
