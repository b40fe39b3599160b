import { z } from 'zod';
import { Rng } from '../random';
import { MOSEI_STANDARD_TEST_FOLD, MOSEI_STANDARD_TRAIN_FOLD, MOSEI_STANDARD_VALID_FOLD } from './moseiStandardFolds';

/**
 * How segments are divided between training, validation and test.
 * - 'random-segment': the paper's random 80/20 split of segments. Segments of one video (one
 *   speaker) can land on two sides.
 * - 'by-video': every segment of a video on the same side, so no speaker leaks across.
 * - 'sdk-standard': the CMU-MultimodalSDK's standard CMU-MOSEI folds (train/valid/test by video);
 *   validationFraction, testFraction and seed do not apply: the SDK's test fold is the test part.
 * Validation may choose the epoch a run keeps (see TrainConfig.selection); the test part is
 * never looked at during training, so its metrics are the ones a paper can report.
 */
export const SplitConfigSchema = z.object({
  kind: z.enum(['random-segment', 'by-video', 'sdk-standard']),
  /** Share of segments held out for validation (the paper: 0.2). */
  validationFraction: z.number().gt(0).lt(1),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  /**
   * Share of segments held out for test (the paper: 0, it had no test part). Last, so a
   * configuration recorded before it existed, given 0 by migration 10, serialises as a new one does.
   */
  testFraction: z.number().min(0).lt(1),
});
export type SplitConfig = z.infer<typeof SplitConfigSchema>;
export type SplitKind = SplitConfig['kind'];

export const DEFAULT_SPLIT_CONFIG: SplitConfig = { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 };

/** The parts a run is evaluated on: validation always, test when its split has one. */
export const EVALUATION_SPLITS = ['validation', 'test'] as const;
export type EvaluationSplit = (typeof EVALUATION_SPLITS)[number];

/** Whether a split configuration holds a test part: the SDK's test fold, or a test share above 0. */
export const hasTestPart = (config: SplitConfig): boolean => config.kind === 'sdk-standard' || config.testFraction > 0;

/**
 * The split as it applies: the SDK's standard folds bring their own test fold, so a test share
 * they were handed along with the rest of a configuration (a preset's, or a form field that the
 * SDK's folds disable) is dropped instead of refused. A test share someone asked for with the
 * SDK's folds is not normalised away: it goes to splitFractionsProblem, which refuses it.
 */
export function normaliseSplit(config: SplitConfig): SplitConfig {
  return config.kind === 'sdk-standard' && config.testFraction !== 0 ? { ...config, testFraction: 0 } : config;
}

/** Why validation and test shares cannot be used together, or null when they can. */
export function splitFractionsProblem(config: SplitConfig): string | null {
  if (config.kind === 'sdk-standard') {
    return config.testFraction > 0
      ? `The SDK's standard folds have their own test fold, so a test share (${config.testFraction}) does not apply: set it to 0, or choose a random or by-video split.`
      : null;
  }
  if (config.validationFraction + config.testFraction >= 1) {
    return `A validation share of ${config.validationFraction} and a test share of ${config.testFraction} leave no segment to train on: together they must stay below 1.`;
  }
  return null;
}

export interface SplitSegment {
  id: string;
  video: string;
}

/** Indices into the segments handed in, each list sorted ascending; no index is on two sides. */
export interface SplitAssignment {
  train: number[];
  validation: number[];
  /** 'sdk-standard' (its test fold), or a random or by-video split with a test share above 0. */
  test?: number[];
  /** Only for 'sdk-standard': segments whose video is in none of the folds. */
  unassigned?: number[];
}

export const NO_STANDARD_FOLD_VIDEOS_MESSAGE =
  "The SDK's standard folds name CMU-MOSEI videos; this dataset has none of them — choose a random or by-video split";

const ascending = (a: number, b: number) => a - b;

export function assignSplit(segments: readonly SplitSegment[], config: SplitConfig): SplitAssignment {
  const c = SplitConfigSchema.parse(config);
  const problem = splitFractionsProblem(c);
  if (problem) throw new Error(problem);
  switch (c.kind) {
    case 'random-segment':
      return randomSegmentSplit(segments.length, c.validationFraction, c.testFraction, c.seed);
    case 'by-video':
      return byVideoSplit(segments, c.validationFraction, c.testFraction, c.seed);
    case 'sdk-standard':
      return sdkStandardSplit(segments);
  }
}

/**
 * Shuffles all indices and takes the first round(n * fraction) for validation, at least one and
 * at most n - 1 so both sides are non-empty; with a test share, the next round(n * testFraction)
 * (at least one, leaving at least one to train) for test. Same draws as the trainer's original
 * splitSegments, so runs recorded before this module keep their split, and a test share of 0
 * gives exactly the split without one.
 */
function randomSegmentSplit(count: number, fraction: number, testFraction: number, seed: number): SplitAssignment {
  const order = new Rng(seed).shuffle(Array.from({ length: count }, (_, i) => i));
  const nValidation = count < 2 ? 0 : Math.min(count - 1, Math.max(1, Math.round(count * fraction)));
  if (testFraction === 0) return { train: order.slice(nValidation).sort(ascending), validation: order.slice(0, nValidation).sort(ascending) };
  const nTest = Math.min(count - nValidation - 1, Math.max(1, Math.round(count * testFraction)));
  const end = nValidation + Math.max(0, nTest);
  return { train: order.slice(end).sort(ascending), validation: order.slice(0, nValidation).sort(ascending), test: order.slice(nValidation, end).sort(ascending) };
}

/**
 * Shuffles the videos (sorted by id first, so the result depends on the seed and the set of
 * videos, not on segment order) and walks them once, moving a video to validation whenever that
 * brings the validation segment count strictly closer to fraction * segments. Never takes the
 * last training video; with two or more videos, validation gets at least one (the smallest, if
 * every video overshoots the target). A test share then walks the videos left, in the same
 * shuffled order, the same way (so a test share of 0 leaves the split without one unchanged).
 */
function byVideoSplit(segments: readonly SplitSegment[], fraction: number, testFraction: number, seed: number): SplitAssignment {
  const byVideo = new Map<string, number[]>();
  segments.forEach((s, i) => {
    const list = byVideo.get(s.video);
    if (list) list.push(i);
    else byVideo.set(s.video, [i]);
  });
  const videos = new Rng(seed).shuffle([...byVideo.keys()].sort());
  const inValidation = takeVideos(videos, byVideo, fraction * segments.length);
  const left = videos.filter((v) => !inValidation.has(v));
  const inTest = testFraction > 0 ? takeVideos(left, byVideo, testFraction * segments.length) : new Set<string>();
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  for (const [video, indices] of byVideo) (inValidation.has(video) ? validation : inTest.has(video) ? test : train).push(...indices);
  const out: SplitAssignment = { train: train.sort(ascending), validation: validation.sort(ascending) };
  return testFraction > 0 ? { ...out, test: test.sort(ascending) } : out;
}

/** The by-video walk: videos taken (in the order given) while each brings their segments closer to `target`; one is always left. */
function takeVideos(videos: readonly string[], byVideo: ReadonlyMap<string, number[]>, target: number): Set<string> {
  const taken = new Set<string>();
  let count = 0;
  for (const video of videos) {
    if (taken.size === videos.length - 1) break;
    const size = byVideo.get(video)!.length;
    if (Math.abs(count + size - target) < Math.abs(count - target)) {
      taken.add(video);
      count += size;
    }
  }
  if (taken.size === 0 && videos.length >= 2) {
    // First smallest in shuffled order, so ties stay seeded.
    const smallest = videos.reduce((best, v) => (byVideo.get(v)!.length < byVideo.get(best)!.length ? v : best));
    taken.add(smallest);
  }
  return taken;
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
