import { describe, expect, it } from 'vitest';
import {
  describeRange,
  divergingColour,
  featureStats,
  heatmapPixels,
  labelEvery,
  legendGradient,
  MASK_RGB,
  maskedRanges,
  standardise,
  timeTicks,
} from './heatmap';

// 4 frames x 3 features, row-major: feature 0 rises, feature 1 is constant, feature 2 alternates.
const values = [0, 5, 1, 1, 5, -1, 2, 5, 1, 3, 5, -1];

describe('heat map: standardisation', () => {
  it('standardises each feature over time, a constant feature to 0', () => {
    const stats = featureStats(values, 4, 3);
    expect(Array.from(stats.mean)).toEqual([1.5, 5, 0]);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(1.25));
    expect(stats.std[1]).toBe(0);
    const z = standardise(values, 4, 3, stats);
    const column = (f: number) => [0, 1, 2, 3].map((t) => z[t * 3 + f]);
    expect(column(0).reduce((a, b) => a + b)).toBeCloseTo(0);
    expect(column(0)[3]).toBeCloseTo(1.5 / Math.sqrt(1.25));
    expect(column(1)).toEqual([0, 0, 0, 0]);
    expect(column(2)).toEqual([1, -1, 1, -1]);
  });

  it('shows a masked clip with the original statistics, so -30 stands far out', () => {
    const stats = featureStats(values, 4, 3);
    const masked = values.slice();
    masked.fill(-30, 3, 6); // frame 1
    const z = standardise(masked, 4, 3, stats);
    expect(z[3]).toBeLessThan(-20);
    expect(z[0]).toBeCloseTo(standardise(values, 4, 3)[0]);
  });

  it('handles no frames and non-finite values', () => {
    expect(standardise([], 0, 74)).toHaveLength(0);
    const z = standardise([1, Infinity, 3, 4], 2, 2, { mean: new Float64Array([2, 0]), std: new Float64Array([1, 1]) });
    expect(Array.from(z)).toEqual([-1, 0, 1, 4]);
  });
});

describe('heat map: colours', () => {
  it('maps negative to blue, 0 to near white, positive to red, clipped at +/- clip', () => {
    const [r0, g0, b0] = divergingColour(0);
    expect(Math.min(r0, g0, b0)).toBeGreaterThan(240);
    const blue = divergingColour(-3);
    const red = divergingColour(3);
    expect(blue[2]).toBeGreaterThan(blue[0]);
    expect(red[0]).toBeGreaterThan(red[2]);
    expect(divergingColour(-50)).toEqual(blue);
    expect(divergingColour(50)).toEqual(red);
    expect(divergingColour(NaN)).toEqual(divergingColour(0));
    // Monotone in red along the positive half.
    expect(divergingColour(1)[1]).toBeGreaterThan(divergingColour(2)[1]);
  });

  it('the mask colour is none of the scale', () => {
    for (let z = -3; z <= 3; z += 0.25) expect(divergingColour(z)).not.toEqual(MASK_RGB);
    expect(legendGradient()).toMatch(/^linear-gradient\(to right, rgb\(33, 102, 172\) 0\.0%, .* rgb\(178, 24, 43\) 100\.0%\)$/);
  });

  it('lays out pixels with time across and features down, painting masked steps', () => {
    const z = standardise(values, 4, 3);
    const px = heatmapPixels(z, 4, 3, [0, 1, 0, 0]);
    expect(px).toHaveLength(4 * 3 * 4);
    const at = (t: number, f: number) => Array.from(px.slice((f * 4 + t) * 4, (f * 4 + t) * 4 + 4));
    expect(at(1, 0)).toEqual([...MASK_RGB, 255]);
    expect(at(1, 2)).toEqual([...MASK_RGB, 255]);
    expect(at(0, 1)).toEqual([...divergingColour(0), 255]);
    expect(at(3, 0)).toEqual([...divergingColour(z[9]), 255]);
    expect(heatmapPixels(z, 4, 3).slice(4, 8)).toEqual(new Uint8ClampedArray([...divergingColour(z[3]), 255]));
  });
});

describe('heat map: masked ranges and axes', () => {
  it('lists runs of masked steps as frames and seconds', () => {
    const steps = new Uint8Array(200);
    steps.fill(1, 120, 150);
    steps.fill(1, 199, 200);
    const ranges = maskedRanges(steps);
    expect(ranges).toEqual([{ start: 120, end: 149 }, { start: 199, end: 199 }]);
    expect(describeRange(ranges[0], 100)).toBe('masked frames 120-149 (1.20-1.50 s)');
    expect(describeRange(ranges[1], 100)).toBe('masked frame 199 (1.99-2.00 s)');
    expect(maskedRanges(new Uint8Array(5))).toEqual([]);
  });

  it('puts round time ticks on the axis', () => {
    expect(timeTicks(3.38, 8)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
    expect(timeTicks(20, 8)).toEqual([0, 5, 10, 15, 20]);
    expect(timeTicks(0.3, 6)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(timeTicks(0)).toEqual([0]);
  });

  it('skips feature names so that they do not overlap', () => {
    expect(labelEvery(6, 10)).toBe(2);
    expect(labelEvery(12, 10)).toBe(1);
    expect(labelEvery(4, 10)).toBe(3);
  });
});
