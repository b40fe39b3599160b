import { FEATURE_COUNT } from '@shared/emotions';
import { featureStatistics, toFixedLength, type SequencePolicy, type Standardisation } from '@shared/data/sequencePolicy';
import type { FeatureReader, SegmentIndexEntry } from '../data/datasetFiles';

/** A batch of fixed-length, standardised sequences with their masks and labels. */
export interface SequenceBatch {
  size: number;
  x: Float32Array; // [size, T, 74]
  mask: Uint8Array; // [size, T], 1 on real frames
  y: Float32Array; // [size, 6]
}

/** The real frames of a fixed-length clip, in order (padding may be on either side). */
function validFrames(values: Float32Array, validMask: Uint8Array): Float32Array {
  const first = validMask.indexOf(1);
  if (first < 0) return new Float32Array(0);
  const count = validMask.reduce((n, v) => n + v, 0);
  return values.subarray(first * FEATURE_COUNT, (first + count) * FEATURE_COUNT);
}

/** Per-feature statistics of the training segments' frames as the policy windows them. */
export function trainingStatistics(reader: FeatureReader, segments: readonly SegmentIndexEntry[], policy: SequencePolicy): Standardisation {
  return featureStatistics(
    (function* () {
      for (const s of segments) {
        const clip = toFixedLength(reader.read(s), s.frames, policy);
        yield { frames: validFrames(clip.values, clip.validMask), nFrames: clip.validCount };
      }
    })(),
  );
}

/**
 * Segments as training batches under a run's sequence policy, standardised with the
 * training split's statistics, read from the dataset cache batch by batch: memory holds
 * one batch, whatever the dataset's size. Padded steps are zeros with mask 0, so they
 * neither feed the recurrent state nor count in a loss.
 */
export class SequenceSource {
  constructor(
    private readonly reader: FeatureReader,
    readonly segments: readonly SegmentIndexEntry[],
    readonly policy: SequencePolicy,
    private readonly stats: Standardisation,
  ) {}

  get length(): number {
    return this.segments.length;
  }

  batch(rows: readonly number[]): SequenceBatch {
    const steps = this.policy.maxFrames;
    const x = new Float32Array(rows.length * steps * FEATURE_COUNT);
    const mask = new Uint8Array(rows.length * steps);
    const y = new Float32Array(rows.length * 6);
    rows.forEach((r, i) => {
      const s = this.segments[r];
      const clip = toFixedLength(this.reader.read(s), s.frames, this.policy, this.stats);
      x.set(clip.values, i * steps * FEATURE_COUNT);
      mask.set(clip.validMask, i * steps);
      y.set(s.emotions, i * 6);
    });
    return { size: rows.length, x, mask, y };
  }

  labels(): Float32Array {
    const y = new Float32Array(this.segments.length * 6);
    this.segments.forEach((s, i) => y.set(s.emotions, i * 6));
    return y;
  }
}

/** Consecutive batches of row indices, in the given order. */
export function batchesOf(order: readonly number[], batchSize: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}
