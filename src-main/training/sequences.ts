import { FEATURE_COUNT } from '@shared/emotions';
import { featureStatistics, toFixedLength, type SequencePolicy, type Standardisation } from '@shared/data/sequencePolicy';
import type { FeatureReader, SegmentIndexEntry } from '../data/datasetFiles';

/**
 * Stored segments as fixed-length training arrays under a run's sequence policy,
 * standardised with statistics of the training split only. `valid[i]` counts the real
 * frames of segment i; padded steps are zeros and are masked downstream so they neither
 * feed the recurrent state nor count in a loss.
 */
export interface PreparedSplit {
  x: Float32Array; // [n, maxFrames, 74]
  y: Float32Array; // [n, 6]
  valid: Int32Array; // [n]
  n: number;
}

/** Per-feature statistics of the training segments' frames as the policy windows them. */
export function trainingStatistics(reader: FeatureReader, segments: SegmentIndexEntry[], policy: SequencePolicy): Standardisation {
  return featureStatistics(
    (function* () {
      for (const s of segments) {
        const clip = toFixedLength(reader.read(s), s.frames, policy);
        yield { frames: validFrames(clip.values, clip.validMask), nFrames: clip.validCount };
      }
    })(),
  );
}

/** The real frames of a fixed-length clip, in order (padding may be on either side). */
function validFrames(values: Float32Array, validMask: Uint8Array): Float32Array {
  const first = validMask.indexOf(1);
  if (first < 0) return new Float32Array(0);
  const count = validMask.reduce((n, v) => n + v, 0);
  return values.subarray(first * FEATURE_COUNT, (first + count) * FEATURE_COUNT);
}

export function prepareSplit(reader: FeatureReader, segments: SegmentIndexEntry[], policy: SequencePolicy, stats: Standardisation): PreparedSplit {
  const n = segments.length;
  const stride = policy.maxFrames * FEATURE_COUNT;
  const x = new Float32Array(n * stride);
  const y = new Float32Array(n * 6);
  const valid = new Int32Array(n);
  segments.forEach((s, i) => {
    const clip = toFixedLength(reader.read(s), s.frames, policy, stats);
    x.set(clip.values, i * stride);
    valid[i] = clip.validCount;
    y.set(s.emotions, i * 6);
  });
  return { x, y, valid, n };
}
