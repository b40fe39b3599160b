import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMOTIONS, FEATURE_COUNT } from '@shared/emotions';
import { ControlParams, NEGATIVE_CONTROL, POSITIVE_CONTROL } from '@shared/data/controls';
import { fourClassAccuracy } from '@shared/metrics';
import { generateControl, normalQuantile, type ControlSegment } from './controlGenerator';

const SMALL: ControlParams = { ...POSITIVE_CONTROL, segments: 300 };
const digest = (segments: ControlSegment[]) => {
  const hash = createHash('sha256');
  for (const s of segments) hash.update(JSON.stringify([s.id, s.video, s.start, s.end, s.sentiment, s.emotions])).update(new Uint8Array(s.features.buffer));
  return hash.digest('hex');
};
const featuresOf = (segments: ControlSegment[]) => createHash('sha256').update(Buffer.concat(segments.map((s) => new Uint8Array(s.features.buffer)))).digest('hex');

/** The first `window` frames of a segment reduced to one 74-vector: its last frame, or the mean of them all. */
function reduce(s: ControlSegment, how: 'last frame' | 'mean of frames', window = 60): number[] {
  const frames = Math.min(window, s.features.length / FEATURE_COUNT);
  if (how === 'last frame') return Array.from(s.features.subarray((frames - 1) * FEATURE_COUNT, frames * FEATURE_COUNT));
  const out = new Array<number>(FEATURE_COUNT).fill(0);
  for (let t = 0; t < frames; t++) for (let f = 0; f < FEATURE_COUNT; f++) out[f] += s.features[t * FEATURE_COUNT + f] / frames;
  return out;
}

/** An ordinary least-squares fit of `y` on `x` (plus an intercept) on the first 80% of rows: its predictions for the rest. */
function heldOutFit(x: number[][], y: number[]): { predicted: number[]; truth: number[] } {
  const split = Math.floor(x.length * 0.8);
  const columns = x[0].length;
  const mean = Array.from({ length: columns }, (_, j) => x.slice(0, split).reduce((s, r) => s + r[j], 0) / split);
  const sd = Array.from({ length: columns }, (_, j) => Math.sqrt(x.slice(0, split).reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / split) || 1);
  const rows = x.map((r) => [...r.map((v, j) => (v - mean[j]) / sd[j]), 1]);
  const d = columns + 1;
  const a = Array.from({ length: d }, () => new Array<number>(d + 1).fill(0));
  for (let i = 0; i < split; i++) for (let p = 0; p < d; p++) {
    for (let q = 0; q < d; q++) a[p][q] += rows[i][p] * rows[i][q];
    a[p][d] += rows[i][p] * y[i];
  }
  for (let p = 0; p < d; p++) a[p][p] += 1e-6; // constant columns (F0's zeros) stay solvable
  for (let p = 0; p < d; p++) {
    const pivot = a.slice(p).reduce((best, row, k) => (Math.abs(row[p]) > Math.abs(a[best][p]) ? p + k : best), p);
    [a[p], a[pivot]] = [a[pivot], a[p]];
    for (let r = 0; r < d; r++) if (r !== p) { const f = a[r][p] / a[p][p]; for (let c = p; c <= d; c++) a[r][c] -= f * a[p][c]; }
  }
  const w = a.map((row, p) => row[d] / row[p]);
  return { predicted: rows.slice(split).map((r) => r.reduce((p, v, j) => p + v * w[j], 0)), truth: y.slice(split) };
}

/** Held-out R^2 of that fit. */
function heldOutR2(x: number[][], y: number[]): number {
  const { predicted, truth } = heldOutFit(x, y);
  const truthMean = truth.reduce((s, v) => s + v, 0) / truth.length;
  return 1 - predicted.reduce((s, p, i) => s + (p - truth[i]) ** 2, 0) / truth.reduce((s, v) => s + (v - truthMean) ** 2, 0);
}

describe('the controls generator', () => {
  it('is deterministic: the same parameters give the same segments, another seed others', () => {
    const once = [...generateControl(SMALL)];
    expect(digest([...generateControl(SMALL)])).toBe(digest(once));
    expect(digest([...generateControl({ ...SMALL, seed: SMALL.seed + 1 })])).not.toBe(digest(once));
    expect(once).toHaveLength(300);
    expect(new Set(once.map((s) => s.video)).size).toBe(50);
    for (const s of once) {
      const frames = s.features.length / FEATURE_COUNT;
      expect(Number.isInteger(frames) && frames >= SMALL.minFrames && frames <= SMALL.maxFrames).toBe(true);
      expect(s.end - s.start).toBeCloseTo(frames / 100, 9);
      expect(s.features.every(Number.isFinite)).toBe(true);
    }
  });

  it('gives the negative control the positive control\'s features and other labels', () => {
    const positive = [...generateControl({ ...POSITIVE_CONTROL, segments: 200 })];
    const negative = [...generateControl({ ...NEGATIVE_CONTROL, segments: 200 })];
    expect(featuresOf(negative)).toBe(featuresOf(positive));
    const same = positive.filter((s, i) => s.emotions.every((v, e) => v === negative[i].emotions[e])).length;
    expect(same).toBeLessThan(200 * 0.6); // both have many all-absent segments, so some agree by chance
  });

  it('makes a control recorded before prevalence and intensity steps were recorded exactly as it was made then', () => {
    // Digests of 300 segments of each control as the generator wrote them before those fields existed.
    const recorded = { generator: 'affect-factors', seed: 20240611, segments: 300, segmentsPerVideo: 6, minFrames: 60, maxFrames: 160, temporalShare: 1, noise: 5 };
    const positive = ControlParams.parse({ ...recorded, signal: 1 });
    expect(positive.prevalence).toEqual([0.5, 0.25, 0.2, 0.17, 0.17, 0.17]);
    expect(positive.intensityStep).toBe(0.3);
    expect(digest([...generateControl(positive)])).toBe('b298e7f46cbffd24d73795bdcd2247730742ab2773d34182b6e62d26c9963ef1');
    expect(digest([...generateControl(ControlParams.parse({ ...recorded, signal: 0 }))])).toBe('3600ce27f951a621f7213174764ffd659a311e3e0b7097be131cfd0c904d6cff');
  });

  it('has the recorded prevalence and intensities in thirds from 0 to 3, weak ones commonest', () => {
    for (const params of [POSITIVE_CONTROL, NEGATIVE_CONTROL]) {
      const labels = [...generateControl(params)].map((s) => s.emotions);
      EMOTIONS.forEach((_, e) => {
        const present = labels.filter((y) => y[e] > 0).length / labels.length;
        expect(Math.abs(present - params.prevalence[e])).toBeLessThan(0.03);
      });
      const thirds = new Array<number>(10).fill(0);
      for (const v of labels.flat()) {
        const k = Math.round(v * 3);
        expect(Math.abs(v * 3 - k)).toBeLessThan(1e-12);
        thirds[k]++;
      }
      // Among present emotions each third is rarer than the one below it, and the strongest still occur.
      for (let k = 2; k <= 9; k++) expect(thirds[k]).toBeLessThan(thirds[k - 1]);
      expect(thirds[9]).toBeGreaterThan(0);
      // Predicting 0 everywhere is right for about 4 emotion labels in 5 (0.779 in expectation: with four
      // emotions present in 30% of segments, less often than with CMU-MOSEI's shares).
      expect(fourClassAccuracy(labels.flat(), labels.flat().map(() => 0))).toBeGreaterThan(0.75);
      expect(fourClassAccuracy(labels.flat(), labels.flat().map(() => 0))).toBeLessThan(0.81);
    }
  });

  it('makes the negative control\'s features independent of its labels', () => {
    const segments = [...generateControl(NEGATIVE_CONTROL)];
    const clips = segments.map((s) => reduce(s, 'mean of frames'));
    // No linear read of the clip predicts any emotion on held-out segments...
    for (const [e, emotion] of EMOTIONS.entries()) expect(heldOutR2(clips, segments.map((s) => s.emotions[e])), emotion).toBeLessThan(0.02);
    // ...and no feature correlates with any emotion beyond chance (|z| < 4.5 over 444 pairs: family-wise error below 0.3%).
    const n = segments.length;
    for (let f = 2; f < FEATURE_COUNT; f++) {
      const x = clips.map((c) => c[f]);
      for (let e = 0; e < EMOTIONS.length; e++) {
        const y = segments.map((s) => s.emotions[e]);
        const mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
        const r = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0) / Math.sqrt(x.reduce((s, v) => s + (v - mx) ** 2, 0) * y.reduce((s, v) => s + (v - my) ** 2, 0));
        expect(Math.abs(Math.atanh(r) * Math.sqrt(n - 3))).toBeLessThan(4.5);
      }
    }
  });

  it('puts the positive control\'s signal in the temporal structure: one frame carries little of it, the clip\'s frames together nearly all', () => {
    const segments = [...generateControl(POSITIVE_CONTROL)];
    const read = (how: 'last frame' | 'mean of frames') => segments.map((s) => reduce(s, how));
    const [lastFrame, meanOfFrames] = [read('last frame'), read('mean of frames')];
    // Even the best linear read of one frame, fitted on 1,920 segments, leaves a third of each factor unexplained; 60 frames leave under 2%.
    for (const k of [0, 1]) {
      expect(heldOutR2(lastFrame, segments.map((s) => s.factors[k]))).toBeLessThan(0.7);
      expect(heldOutR2(meanOfFrames, segments.map((s) => s.factors[k]))).toBeGreaterThan(0.97);
    }
    // In the metric the sweep reports, one frame is worth little more than predicting 0; the clip's frames several times more.
    const acc4 = (x: number[][]) => {
      const fits = EMOTIONS.map((_, e) => heldOutFit(x, segments.map((s) => s.emotions[e])));
      return fourClassAccuracy(fits.flatMap((f) => f.truth), fits.flatMap((f) => f.predicted));
    };
    const truth = segments.slice(Math.floor(segments.length * 0.8)).flatMap((s) => s.emotions);
    const predictingZero = fourClassAccuracy(truth, truth.map(() => 0));
    expect(acc4(lastFrame) - predictingZero).toBeLessThan(0.03);
    expect(acc4(meanOfFrames) - predictingZero).toBeGreaterThan(0.045);
  });

  it('shows the signal frame by frame when none of it is temporal', () => {
    const segments = [...generateControl({ ...POSITIVE_CONTROL, temporalShare: 0, segments: 1200 })];
    const lastFrame = segments.map((s) => reduce(s, 'last frame'));
    for (const k of [0, 1]) expect(heldOutR2(lastFrame, segments.map((s) => s.factors[k]))).toBeGreaterThan(0.95);
  });

  it('computes normal quantiles to 1e-9', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 8);
    expect(() => normalQuantile(1)).toThrow(/0 < p < 1/);
  });
});
