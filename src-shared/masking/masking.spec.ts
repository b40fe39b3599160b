import { describe, it, expect } from 'vitest';
import { FEATURE_COUNT } from '../emotions';
import { Rng } from '../random';
import { MaskConfig, PAPER_MASK, applyMask, drawMaskSpans, findValidRun, lossWeights, maskSpans } from './masking';

const F = FEATURE_COUNT;

/** A window of `steps` steps whose valid run is [start, start + count); values are step * 100 + feature + 1 (never 0 or -30). */
function window(steps: number, start: number, count: number): { values: Float32Array; validMask: Uint8Array } {
  const values = new Float32Array(steps * F);
  const validMask = new Uint8Array(steps);
  for (let t = start; t < start + count; t++) {
    validMask[t] = 1;
    for (let f = 0; f < F; f++) values[t * F + f] = t * 100 + f + 1;
  }
  return { values, validMask };
}

describe('MaskConfig', () => {
  it('reuses the recorded schema; the paper masks one span of 30 steps with -30 and scores the whole clip', () => {
    expect(MaskConfig.parse(PAPER_MASK)).toEqual({ spanLength: 30, spanCount: 1, value: -30, lossScope: 'all-valid' });
  });
});

describe('findValidRun', () => {
  it('finds right-padded, left-padded, full and empty runs', () => {
    expect(findValidRun(Uint8Array.from([1, 1, 1, 0, 0]))).toEqual({ start: 0, count: 3 });
    expect(findValidRun(Uint8Array.from([0, 0, 1, 1, 1]))).toEqual({ start: 2, count: 3 });
    expect(findValidRun(Uint8Array.from([1, 1, 1]))).toEqual({ start: 0, count: 3 });
    expect(findValidRun(Uint8Array.from([0, 0]))).toEqual({ start: 0, count: 0 });
  });
  it('refuses a mask with a gap', () => {
    expect(() => findValidRun(Uint8Array.from([1, 0, 1]))).toThrow(/contiguous/);
  });
});

describe('drawMaskSpans', () => {
  it('keeps every span inside the valid part over many seeds and lengths', () => {
    for (let seed = 0; seed < 200; seed++) {
      const rng = new Rng(seed);
      const validCount = rng.int(1, 400);
      const config = { ...PAPER_MASK, spanCount: 3 };
      for (const span of drawMaskSpans(validCount, config, rng)) {
        expect(span.start).toBeGreaterThanOrEqual(0);
        expect(span.start + span.length).toBeLessThanOrEqual(validCount);
        expect(span.length).toBe(Math.min(30, validCount));
      }
    }
  });
  it('draws starts uniformly over every position where the span fits', () => {
    // validCount 40, span 30: 11 possible starts, 22,000 draws -> 2,000 expected each.
    const rng = new Rng(123);
    const counts = new Array<number>(11).fill(0);
    for (let i = 0; i < 22_000; i++) counts[drawMaskSpans(40, PAPER_MASK, rng)[0].start]++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200); // about 4.7 standard deviations
    // Chi-square with 10 degrees of freedom; 29.6 is its 0.999 quantile.
    const chi2 = counts.reduce((s, c) => s + (c - 2000) ** 2 / 2000, 0);
    expect(chi2).toBeLessThan(29.6);
  });
  it('is deterministic per seed', () => {
    const draw = (seed: number) => drawMaskSpans(300, { ...PAPER_MASK, spanCount: 4 }, new Rng(seed));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });
  it('masks the whole valid part of a clip no longer than the span, and nothing for an empty clip or spanCount 0', () => {
    expect(drawMaskSpans(12, PAPER_MASK, new Rng(1))).toEqual([{ start: 0, length: 12 }]);
    expect(drawMaskSpans(30, PAPER_MASK, new Rng(1))).toEqual([{ start: 0, length: 30 }]);
    expect(drawMaskSpans(12, { ...PAPER_MASK, spanCount: 3 }, new Rng(1))).toEqual([{ start: 0, length: 12 }]);
    expect(drawMaskSpans(0, PAPER_MASK, new Rng(1))).toEqual([]);
    expect(drawMaskSpans(300, { ...PAPER_MASK, spanCount: 0 }, new Rng(1))).toEqual([]);
  });
  it('draws spanCount independent spans, which may overlap', () => {
    const spans = drawMaskSpans(300, { ...PAPER_MASK, spanCount: 5 }, new Rng(2));
    expect(spans).toHaveLength(5);
    let overlapSeen = false;
    for (let seed = 0; seed < 50 && !overlapSeen; seed++) {
      const [a, b] = drawMaskSpans(40, { ...PAPER_MASK, spanCount: 2 }, new Rng(seed));
      overlapSeen = a.start < b.start + b.length && b.start < a.start + a.length;
    }
    expect(overlapSeen).toBe(true);
  });
  it('refuses a bad span length or count', () => {
    expect(() => drawMaskSpans(10, { ...PAPER_MASK, spanLength: 0 }, new Rng(1))).toThrow(/spanLength/);
    expect(() => drawMaskSpans(10, { ...PAPER_MASK, spanCount: 1.5 }, new Rng(1))).toThrow(/spanCount/);
  });
});

describe('applyMask', () => {
  it('sets all 74 features of the masked steps to the value and leaves every other number untouched', () => {
    const { values, validMask } = window(300, 0, 200);
    const { masked, maskedSteps } = applyMask(values, validMask, PAPER_MASK, new Rng(4));
    const maskedList = [...maskedSteps.keys()].filter((t) => maskedSteps[t] === 1);
    expect(maskedList).toHaveLength(30);
    expect(maskedList[29] - maskedList[0]).toBe(29); // one consecutive span
    for (let t = 0; t < 300; t++) {
      for (let f = 0; f < F; f++) {
        expect(masked[t * F + f]).toBe(maskedSteps[t] === 1 ? -30 : values[t * F + f]);
      }
    }
    expect(values[maskedList[0] * F]).toBe(maskedList[0] * 100 + 1); // the input is not modified
  });
  it('never masks padded steps, with right or left padding, over many seeds', () => {
    for (let seed = 0; seed < 300; seed++) {
      const rng = new Rng(seed);
      const steps = 120;
      const count = rng.int(0, steps);
      const start = rng.int(0, 1) === 0 ? 0 : steps - count; // right- or left-padded
      const { values, validMask } = window(steps, start, count);
      const config = { ...PAPER_MASK, spanCount: rng.int(1, 3) };
      const { masked, maskedSteps } = applyMask(values, validMask, config, rng);
      let maskedCount = 0;
      for (let t = 0; t < steps; t++) {
        if (validMask[t] === 0) {
          expect(maskedSteps[t]).toBe(0);
          expect(masked[t * F]).toBe(0);
          expect(masked[t * F + F - 1]).toBe(0);
        }
        maskedCount += maskedSteps[t];
      }
      if (count > 0) expect(maskedCount).toBeGreaterThanOrEqual(Math.min(30, count));
      else expect(maskedCount).toBe(0);
    }
  });
  it('masks left-padded clips inside the valid run, with the valid run offset applied', () => {
    // 10 valid steps at the end of 50; span 4 -> the masked steps lie in [40, 50).
    const { values, validMask } = window(50, 40, 10);
    const config = { ...PAPER_MASK, spanLength: 4 };
    const spanFromSameSeed = drawMaskSpans(10, config, new Rng(9))[0];
    const { maskedSteps } = applyMask(values, validMask, config, new Rng(9));
    const maskedList = [...maskedSteps.keys()].filter((t) => maskedSteps[t] === 1);
    expect(maskedList).toEqual([0, 1, 2, 3].map((i) => 40 + spanFromSameSeed.start + i));
  });
  it('is deterministic per seed', () => {
    const { values, validMask } = window(300, 0, 250);
    const a = applyMask(values, validMask, PAPER_MASK, new Rng(5));
    expect(applyMask(values, validMask, PAPER_MASK, new Rng(5))).toEqual(a);
    expect(applyMask(values, validMask, PAPER_MASK, new Rng(6)).maskedSteps).not.toEqual(a.maskedSteps);
  });
  it('uses the configured value and refuses mismatched shapes', () => {
    const { values, validMask } = window(40, 0, 40);
    const { masked, maskedSteps } = applyMask(values, validMask, { ...PAPER_MASK, value: 7 }, new Rng(1));
    expect(masked[maskedSteps.indexOf(1) * F + 10]).toBe(7);
    expect(() => applyMask(values.subarray(1), validMask, PAPER_MASK, new Rng(1))).toThrow(/expected 40 steps/);
  });
});

describe('maskSpans', () => {
  it('masks given spans, counted from the first valid step, and nothing else (left padding here)', () => {
    const { values, validMask } = window(8, 3, 5);
    const { masked, maskedSteps } = maskSpans(values, validMask, [{ start: 1, length: 2 }], -30);
    expect(Array.from(maskedSteps)).toEqual([0, 0, 0, 0, 1, 1, 0, 0]);
    for (let t = 0; t < 8; t++) {
      const row = Array.from(masked.subarray(t * F, (t + 1) * F));
      expect(row.every((v, f) => v === (maskedSteps[t] ? -30 : values[t * F + f]))).toBe(true);
    }
  });

  it('is what applyMask does with the spans drawMaskSpans gives', () => {
    const { values, validMask } = window(40, 0, 33);
    const config = { ...PAPER_MASK, spanLength: 7, spanCount: 2 };
    const spans = drawMaskSpans(33, config, new Rng(4));
    expect(applyMask(values, validMask, config, new Rng(4))).toEqual(maskSpans(values, validMask, spans, config.value));
  });

  it('refuses a span outside the valid steps', () => {
    const { values, validMask } = window(8, 0, 5);
    expect(() => maskSpans(values, validMask, [{ start: 3, length: 3 }], -30)).toThrow("a mask span [start 3, length 3] must lie inside the clip's 5 valid steps");
    expect(() => maskSpans(values, validMask, [{ start: -1, length: 2 }], -30)).toThrow(/must lie inside/);
  });
});

describe('lossWeights', () => {
  const validMask = Uint8Array.from([0, 0, 1, 1, 1, 1, 1, 0]);
  const maskedSteps = Uint8Array.from([0, 0, 0, 1, 1, 0, 0, 0]);
  it("weighs every valid step for 'all-valid' (the paper)", () => {
    expect(Array.from(lossWeights(validMask, maskedSteps, 'all-valid'))).toEqual([0, 0, 1, 1, 1, 1, 1, 0]);
  });
  it("weighs only masked steps for 'masked-only'", () => {
    expect(Array.from(lossWeights(validMask, maskedSteps, 'masked-only'))).toEqual([0, 0, 0, 1, 1, 0, 0, 0]);
  });
  it('never weighs a padded step, even one wrongly flagged as masked', () => {
    const flaggedPadding = Uint8Array.from([1, 0, 0, 1, 1, 0, 0, 1]);
    for (const scope of ['all-valid', 'masked-only'] as const) {
      const w = lossWeights(validMask, flaggedPadding, scope);
      expect([w[0], w[1], w[7]]).toEqual([0, 0, 0]);
    }
  });
  it('agrees with applyMask end to end', () => {
    const { values, validMask: vm } = window(100, 30, 70);
    const { maskedSteps: ms } = applyMask(values, vm, PAPER_MASK, new Rng(3));
    const all = lossWeights(vm, ms, 'all-valid');
    const onlyMasked = lossWeights(vm, ms, 'masked-only');
    expect(all.reduce((s, w) => s + w, 0)).toBe(70);
    expect(onlyMasked.reduce((s, w) => s + w, 0)).toBe(30);
    for (let t = 0; t < 30; t++) expect(all[t] + onlyMasked[t]).toBe(0);
  });
  it('refuses masks of different lengths', () => {
    expect(() => lossWeights(validMask, new Uint8Array(3), 'all-valid')).toThrow(/steps/);
  });
});
