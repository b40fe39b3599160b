import { z } from 'zod';
import { FEATURE_COUNT } from '../emotions';

/**
 * How a variable-length clip of COVAREP frames (row-major, FEATURE_COUNT values per frame)
 * becomes the fixed-length input of a recurrent model. Every choice is a field so a run can
 * record exactly what it saw.
 */
export const SequencePolicySchema = z.object({
  /** Steps of the fixed-length window (after pooling). */
  maxFrames: z.number().int().min(1).max(100_000),
  /** Which part of a clip longer than the window is kept. 'centre' rounds its start down. */
  keep: z.enum(['first', 'last', 'centre']),
  /** Average every k consecutive frames before windowing, so a window covers k times more of a long clip. */
  poolFrames: z.number().int().min(1).max(1000),
  /** The side padded steps go on. */
  padding: z.enum(['right', 'left']),
});
export type SequencePolicy = z.infer<typeof SequencePolicySchema>;

/**
 * Default for the masked-reconstruction GRU. 300 steps: the paper calls its 30-step mask
 * "approximately 10%" of a clip. Keep the first frames and pad on the right, so real frames
 * start at step 0 from a zero state and padded steps trail at the end, where the masked GRU
 * carries its state through unchanged. This is also what the trainer already does
 * (TrainConfig.maxFrames: "the first ones ... right-padded and masked").
 */
export const DEFAULT_SEQUENCE_POLICY: SequencePolicy = { maxFrames: 300, keep: 'first', poolFrames: 1, padding: 'right' };

/**
 * The CMU-MultimodalSDK's get_tensors(seq_len): it keeps the LAST seq_len frames and left-pads
 * with zeros. Use it to compare with work built on the SDK's tensors.
 */
export const SDK_SEQUENCE_POLICY: SequencePolicy = { maxFrames: 300, keep: 'last', poolFrames: 1, padding: 'left' };

/** Per-feature statistics used to standardise frames as (x - mean) / std. */
export interface Standardisation {
  mean: Float64Array | readonly number[];
  std: Float64Array | readonly number[];
}

export interface FeatureStatistics {
  mean: Float64Array;
  std: Float64Array;
}

export interface FrameWindow {
  /** First kept frame, in the frames handed in. */
  start: number;
  /** Kept frames: min(nFrames, maxFrames). */
  count: number;
}

export interface FixedLengthClip {
  /** maxFrames * FEATURE_COUNT values; padded steps are zeros. */
  values: Float32Array;
  /** maxFrames entries, 1 for a real frame and 0 for padding. */
  validMask: Uint8Array;
  validCount: number;
}

function checkFrames(frames: Float32Array, nFrames: number): void {
  if (!Number.isInteger(nFrames) || nFrames < 0) throw new Error(`nFrames must be a non-negative integer, got ${nFrames}`);
  if (frames.length < nFrames * FEATURE_COUNT) {
    throw new Error(`frames holds ${frames.length} values, fewer than nFrames (${nFrames}) x ${FEATURE_COUNT} features`);
  }
}

/** Which frames of a (pooled) clip fit in the window. */
export function windowFrames(frames: Float32Array, nFrames: number, policy: SequencePolicy): FrameWindow {
  checkFrames(frames, nFrames);
  SequencePolicySchema.parse(policy);
  const count = Math.min(nFrames, policy.maxFrames);
  const spare = nFrames - count;
  switch (policy.keep) {
    case 'first':
      return { start: 0, count };
    case 'last':
      return { start: spare, count };
    case 'centre':
      return { start: Math.floor(spare / 2), count };
  }
}

/**
 * Averages every k consecutive frames, feature by feature; a trailing partial group is averaged
 * over its actual size. Returns ceil(nFrames / k) frames; k = 1 returns a copy.
 */
export function poolFrames(frames: Float32Array, nFrames: number, k: number): Float32Array {
  checkFrames(frames, nFrames);
  if (!Number.isInteger(k) || k < 1) throw new Error(`poolFrames needs an integer k >= 1, got ${k}`);
  const groups = Math.ceil(nFrames / k);
  const pooled = new Float32Array(groups * FEATURE_COUNT);
  const sum = new Float64Array(FEATURE_COUNT);
  for (let g = 0; g < groups; g++) {
    const first = g * k;
    const size = Math.min(k, nFrames - first);
    sum.fill(0);
    for (let t = first; t < first + size; t++) {
      const row = t * FEATURE_COUNT;
      for (let f = 0; f < FEATURE_COUNT; f++) sum[f] += frames[row + f];
    }
    for (let f = 0; f < FEATURE_COUNT; f++) pooled[g * FEATURE_COUNT + f] = sum[f] / size;
  }
  return pooled;
}

function checkStandardisation(s: Standardisation): void {
  if (s.mean.length !== FEATURE_COUNT || s.std.length !== FEATURE_COUNT) {
    throw new Error(`standardisation needs ${FEATURE_COUNT} means and stds, got ${s.mean.length} and ${s.std.length}`);
  }
  for (let f = 0; f < FEATURE_COUNT; f++) {
    if (!Number.isFinite(s.mean[f]) || !(s.std[f] > 0) || !Number.isFinite(s.std[f])) {
      throw new Error(`standardisation of feature ${f} is unusable (mean ${s.mean[f]}, std ${s.std[f]})`);
    }
  }
}

/**
 * Pools, windows, optionally standardises and pads one clip. The standardisation a run uses is
 * computed over its training clips after this same pooling and window (trainingStatistics), so
 * it standardises exactly the steps the network sees, whatever poolFrames is.
 */
export function toFixedLength(
  frames: Float32Array,
  nFrames: number,
  policy: SequencePolicy,
  standardisation?: Standardisation,
): FixedLengthClip {
  checkFrames(frames, nFrames);
  SequencePolicySchema.parse(policy);
  if (standardisation) checkStandardisation(standardisation);
  const source = policy.poolFrames === 1 ? frames : poolFrames(frames, nFrames, policy.poolFrames);
  const sourceFrames = Math.ceil(nFrames / policy.poolFrames);
  const { start, count } = windowFrames(source, sourceFrames, policy);

  const values = new Float32Array(policy.maxFrames * FEATURE_COUNT);
  const validMask = new Uint8Array(policy.maxFrames);
  const firstStep = policy.padding === 'right' ? 0 : policy.maxFrames - count;
  validMask.fill(1, firstStep, firstStep + count);
  for (let i = 0; i < count; i++) {
    const from = (start + i) * FEATURE_COUNT;
    const to = (firstStep + i) * FEATURE_COUNT;
    for (let f = 0; f < FEATURE_COUNT; f++) {
      const x = source[from + f];
      values[to + f] = standardisation ? (x - standardisation.mean[f]) / standardisation.std[f] : x;
    }
  }
  return { values, validMask, validCount: count };
}

/**
 * Per-feature mean and population std over every frame of every clip, accumulated in float64
 * with Welford's update (no sum-of-squares cancellation on features with a large offset such
 * as F0). A constant feature gets std 1, so it standardises to 0 instead of dividing by zero.
 * Frames must be finite: the importer replaces NaN/inf first.
 */
export function featureStatistics(clips: Iterable<{ frames: Float32Array; nFrames: number }>): FeatureStatistics {
  const mean = new Float64Array(FEATURE_COUNT);
  const m2 = new Float64Array(FEATURE_COUNT);
  let n = 0;
  for (const { frames, nFrames } of clips) {
    checkFrames(frames, nFrames);
    for (let t = 0; t < nFrames; t++) {
      n++;
      const row = t * FEATURE_COUNT;
      for (let f = 0; f < FEATURE_COUNT; f++) {
        const x = frames[row + f];
        if (!Number.isFinite(x)) throw new Error(`featureStatistics met a non-finite value (${x}) at frame ${t}, feature ${f}`);
        const delta = x - mean[f];
        mean[f] += delta / n;
        m2[f] += delta * (x - mean[f]);
      }
    }
  }
  if (n === 0) throw new Error('featureStatistics needs at least one frame');
  const std = new Float64Array(FEATURE_COUNT);
  for (let f = 0; f < FEATURE_COUNT; f++) {
    const s = Math.sqrt(m2[f] / n);
    // Relative threshold: float rounding can leave a tiny non-zero spread on a constant feature.
    std[f] = s > 1e-12 * Math.max(1, Math.abs(mean[f])) ? s : 1;
  }
  return { mean, std };
}
