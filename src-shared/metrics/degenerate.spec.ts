import { describe, expect, it } from 'vitest';
import { degenerateFlags, flagText } from './degenerate';

/** Predictions for n segments: each row's six values given per emotion as a function of the segment. */
const predictions = (n: number, perEmotion: Array<(i: number) => number>) => Float32Array.from({ length: n * 6 }, (_, k) => perEmotion[k % 6](Math.floor(k / 6)));

describe('degenerateFlags', () => {
  it('flags an emotion all of whose predictions fall in one four-class bin, naming the bin', () => {
    // happiness varies across bins; sadness is always in bin 0 (0.1..0.49); anger always in bin 2 (1.5..2.49).
    const p = predictions(4, [(i) => i * 0.8, (i) => 0.1 + i * 0.1, (i) => 1.5 + i * 0.3, (i) => i, (i) => 3 - i, (i) => (i % 2) * 2]);
    expect(degenerateFlags(p)).toEqual([
      { emotion: 'sadness', kind: 'single-bin', bin: 0, present: false },
      { emotion: 'anger', kind: 'single-bin', bin: 2, present: true },
    ]);
  });

  it('flags presence that never changes while the bins do: present (bins 1-3) or absent', () => {
    // surprise: 0.6, 1.7, 2.2, 0.5 -> bins 1, 2, 2, 1: always present. fear: -2, 0.2 -> both bin 0 (clipped), so single-bin.
    const p = predictions(4, [(i) => i, (i) => i % 2, (i) => 3 * (i % 2), (i) => [0.6, 1.7, 2.2, 0.5][i], (i) => [0, 3, 0, 3][i], (i) => (i % 2 ? -2 : 0.2)]);
    expect(degenerateFlags(p)).toEqual([
      { emotion: 'surprise', kind: 'constant-presence', bin: null, present: true },
      { emotion: 'fear', kind: 'single-bin', bin: 0, present: false },
    ]);
  });

  it('uses the paper rule at the boundaries: 0.5 is bin 1 and present, 0.4999 bin 0 and absent', () => {
    const p = predictions(2, [(i) => (i ? 0.5 : 0.4999), () => 0.5, () => 0.4999, (i) => (i ? 2.5 : 2.4999), (i) => i * 3, (i) => i * 3]);
    expect(degenerateFlags(p).map((f) => [f.emotion, f.kind, f.bin])).toEqual([
      ['sadness', 'single-bin', 1],
      ['anger', 'single-bin', 0],
      ['surprise', 'constant-presence', null],
    ]);
  });

  it('flags nothing when every emotion separates segments, and nothing for no segments', () => {
    expect(degenerateFlags(predictions(3, Array.from({ length: 6 }, () => (i: number) => i)))).toEqual([]);
    expect(degenerateFlags(new Float32Array(0))).toEqual([]);
  });

  it('says what it saw', () => {
    expect(flagText({ emotion: 'anger', kind: 'single-bin', bin: 0, present: false })).toBe('anger: every segment in four-class bin 0 (absent)');
    expect(flagText({ emotion: 'fear', kind: 'constant-presence', bin: null, present: true })).toBe('fear: predicted present for every segment');
  });
});
