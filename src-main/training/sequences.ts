import { FEATURE_COUNT } from '@shared/emotions';
import { Rng } from '@shared/random';
import { FeatureReader, type SegmentIndexEntry } from '../data/datasetFiles';

/**
 * Turns stored segments into fixed-length training arrays: the first `maxFrames` frames,
 * standardised per feature with statistics of the training split only, right-padded with
 * zeros. `valid[i]` is the number of real frames of segment i; padded steps are masked
 * downstream so they neither feed the recurrent state nor count in a loss.
 * (The data issue extends this with the full sequence-length policy.)
 */
export interface PreparedSplit {
  x: Float32Array; // [n, maxFrames, 74]
  y: Float32Array; // [n, 6]
  valid: Int32Array; // [n]
  n: number;
}

export interface Standardisation {
  mean: Float64Array;
  std: Float64Array;
}

export function splitSegments(count: number, validationFraction: number, seed: number): { train: number[]; validation: number[] } {
  const order = new Rng(seed).shuffle(Array.from({ length: count }, (_, i) => i));
  const nVal = Math.max(1, Math.round(count * validationFraction));
  return { validation: order.slice(0, nVal).sort((a, b) => a - b), train: order.slice(nVal).sort((a, b) => a - b) };
}

export function featureStatistics(reader: FeatureReader, segments: SegmentIndexEntry[], maxFrames: number): Standardisation {
  const sum = new Float64Array(FEATURE_COUNT);
  const sumSq = new Float64Array(FEATURE_COUNT);
  let frames = 0;
  for (const s of segments) {
    const f = reader.read(s, 0, maxFrames);
    for (let i = 0; i < f.length; i++) {
      sum[i % FEATURE_COUNT] += f[i];
      sumSq[i % FEATURE_COUNT] += f[i] * f[i];
    }
    frames += f.length / FEATURE_COUNT;
  }
  const mean = sum.map((v) => v / Math.max(1, frames));
  // A constant feature gets std 1 so it standardises to 0 instead of dividing by zero.
  const std = sumSq.map((v, i) => Math.sqrt(Math.max(0, v / Math.max(1, frames) - mean[i] ** 2)) || 1);
  return { mean, std };
}

export function prepareSplit(reader: FeatureReader, segments: SegmentIndexEntry[], maxFrames: number, stats: Standardisation): PreparedSplit {
  const n = segments.length;
  const x = new Float32Array(n * maxFrames * FEATURE_COUNT);
  const y = new Float32Array(n * 6);
  const valid = new Int32Array(n);
  segments.forEach((s, i) => {
    const f = reader.read(s, 0, maxFrames);
    const base = i * maxFrames * FEATURE_COUNT;
    for (let k = 0; k < f.length; k++) {
      const feat = k % FEATURE_COUNT;
      x[base + k] = (f[k] - stats.mean[feat]) / stats.std[feat];
    }
    valid[i] = f.length / FEATURE_COUNT;
    y.set(s.emotions, i * 6);
  });
  return { x, y, valid, n };
}
