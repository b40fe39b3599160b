import { z } from 'zod';
import { Rng } from '../random';
import { MOSEI_STANDARD_TEST_FOLD, MOSEI_STANDARD_TRAIN_FOLD, MOSEI_STANDARD_VALID_FOLD } from './moseiStandardFolds';

/**
 * How segments are divided between training and evaluation.
 * - 'random-segment': the paper's random 80/20 split of segments. Segments of one video (one
 *   speaker) can land on both sides.
 * - 'by-video': every segment of a video on the same side, so no speaker leaks across.
 * - 'sdk-standard': the CMU-MultimodalSDK's standard CMU-MOSEI folds (train/valid/test by video);
 *   validationFraction and seed do not apply.
 */
export const SplitConfigSchema = z.object({
  kind: z.enum(['random-segment', 'by-video', 'sdk-standard']),
  /** Share of segments held out for validation (the paper: 0.2). */
  validationFraction: z.number().gt(0).lt(1),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
});
export type SplitConfig = z.infer<typeof SplitConfigSchema>;
export type SplitKind = SplitConfig['kind'];

export const DEFAULT_SPLIT_CONFIG: SplitConfig = { kind: 'random-segment', validationFraction: 0.2, seed: 0 };

export interface SplitSegment {
  id: string;
  video: string;
}

/** Indices into the segments handed in, each list sorted ascending; no index is on two sides. */
export interface SplitAssignment {
  train: number[];
  validation: number[];
  /** Only for 'sdk-standard'. */
  test?: number[];
  /** Only for 'sdk-standard': segments whose video is in none of the folds. */
  unassigned?: number[];
}

export const NO_STANDARD_FOLD_VIDEOS_MESSAGE =
  "The SDK's standard folds name CMU-MOSEI videos; this dataset has none of them — choose a random or by-video split";

const ascending = (a: number, b: number) => a - b;

export function assignSplit(segments: readonly SplitSegment[], config: SplitConfig): SplitAssignment {
  const c = SplitConfigSchema.parse(config);
  switch (c.kind) {
    case 'random-segment':
      return randomSegmentSplit(segments.length, c.validationFraction, c.seed);
    case 'by-video':
      return byVideoSplit(segments, c.validationFraction, c.seed);
    case 'sdk-standard':
      return sdkStandardSplit(segments);
  }
}

/**
 * Shuffles all indices and takes the first round(n * fraction) for validation, at least one and
 * at most n - 1 so both sides are non-empty. Same draws as the trainer's original splitSegments,
 * so runs recorded before this module keep their split.
 */
function randomSegmentSplit(count: number, fraction: number, seed: number): SplitAssignment {
  const order = new Rng(seed).shuffle(Array.from({ length: count }, (_, i) => i));
  const nValidation = count < 2 ? 0 : Math.min(count - 1, Math.max(1, Math.round(count * fraction)));
  return { train: order.slice(nValidation).sort(ascending), validation: order.slice(0, nValidation).sort(ascending) };
}

/**
 * Shuffles the videos (sorted by id first, so the result depends on the seed and the set of
 * videos, not on segment order) and walks them once, moving a video to validation whenever that
 * brings the validation segment count strictly closer to fraction * segments. Never takes the
 * last training video; with two or more videos, validation gets at least one (the smallest, if
 * every video overshoots the target).
 */
function byVideoSplit(segments: readonly SplitSegment[], fraction: number, seed: number): SplitAssignment {
  const byVideo = new Map<string, number[]>();
  segments.forEach((s, i) => {
    const list = byVideo.get(s.video);
    if (list) list.push(i);
    else byVideo.set(s.video, [i]);
  });
  const videos = new Rng(seed).shuffle([...byVideo.keys()].sort());
  const target = fraction * segments.length;
  const inValidation = new Set<string>();
  let validationCount = 0;
  for (const video of videos) {
    if (inValidation.size === videos.length - 1) break;
    const size = byVideo.get(video)!.length;
    if (Math.abs(validationCount + size - target) < Math.abs(validationCount - target)) {
      inValidation.add(video);
      validationCount += size;
    }
  }
  if (inValidation.size === 0 && videos.length >= 2) {
    // First smallest in shuffled order, so ties stay seeded.
    const smallest = videos.reduce((best, v) => (byVideo.get(v)!.length < byVideo.get(best)!.length ? v : best));
    inValidation.add(smallest);
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (const [video, indices] of byVideo) (inValidation.has(video) ? validation : train).push(...indices);
  return { train: train.sort(ascending), validation: validation.sort(ascending) };
}

/** The SDK matches video ids after stripping anything from '['; do the same. */
const videoKey = (video: string) => {
  const bracket = video.indexOf('[');
  return bracket < 0 ? video : video.slice(0, bracket);
};

let standardFoldOf: Map<string, 'train' | 'validation' | 'test'> | null = null;
function standardFolds(): Map<string, 'train' | 'validation' | 'test'> {
  if (!standardFoldOf) {
    standardFoldOf = new Map();
    for (const v of MOSEI_STANDARD_TRAIN_FOLD) standardFoldOf.set(v, 'train');
    for (const v of MOSEI_STANDARD_VALID_FOLD) standardFoldOf.set(v, 'validation');
    for (const v of MOSEI_STANDARD_TEST_FOLD) standardFoldOf.set(v, 'test');
  }
  return standardFoldOf;
}

/** Segments go to the fold of their video; those of videos in no fold are reported as unassigned. */
function sdkStandardSplit(segments: readonly SplitSegment[]): SplitAssignment {
  const folds = standardFolds();
  const out = { train: [] as number[], validation: [] as number[], test: [] as number[], unassigned: [] as number[] };
  segments.forEach((s, i) => out[folds.get(videoKey(s.video)) ?? 'unassigned'].push(i));
  if (out.unassigned.length === segments.length) throw new Error(NO_STANDARD_FOLD_VIDEOS_MESSAGE);
  return out;
}
