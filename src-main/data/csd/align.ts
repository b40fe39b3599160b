import { COVAREP_FEATURES, FEATURE_COUNT } from '@shared/emotions';
import { CsdError } from './csdError';
import type { CsdFeatureArray, CsdFile } from './csdFile';

/**
 * Aligns COVAREP frames to the labels' segments exactly as CMU-MultimodalSDK's
 * `mmdataset.align('All Labels')` does without collapse functions (mmsdk/mmdatasdk/dataset/dataset.py),
 * then replaces NaN/±inf with 0. One video is in memory at a time.
 */

/** The SDK's `epsilon=10e-6` (1e-5 s), used for every interval comparison. */
export const SDK_EPSILON = 10e-6;

/** Columns of CMU_MOSEI_Labels.csd, in order. */
export const LABEL_COLUMNS = ['sentiment', 'happy', 'sad', 'anger', 'surprise', 'disgust', 'fear'] as const;

export interface AlignedSegment {
  /** `<video>[i]`, i the row of the labels file (skipped rows keep their number). */
  id: string;
  video: string;
  labelRow: number;
  /** The label row's interval, in seconds. */
  start: number;
  end: number;
  sentiment: number;
  /** happy, sad, anger, surprise, disgust, fear (the order of EMOTIONS). */
  emotions: number[];
  frames: number;
  /** frames × 2: each frame's [start, end] clipped to [start, end] of the label. */
  frameIntervals: Float64Array;
  /** frames × 74, NaN/±inf replaced by 0. */
  features: Float32Array;
  /** How many values of this segment were NaN or ±inf before replacement. */
  nonFinite: number;
}

export interface AlignmentTotals {
  videosAligned: number;
  segments: number;
  frames: number;
  nonFiniteReplaced: number;
  /** Label rows with |end - start| < 1e-5, which the SDK skips. */
  zeroLengthRowsSkipped: number;
  /** Label rows no COVAREP frame overlaps: the SDK leaves them out of the aligned COVAREP sequence. */
  rowsWithoutFrames: string[];
}

export interface AlignOptions {
  /** Called after each video. */
  onProgress?: (videosDone: number, videosTotal: number) => void;
  /** Checked before each video; aborting throws the signal's reason. */
  signal?: AbortSignal;
}

export interface Alignment {
  /** Label-file keys that COVAREP also has, in the labels file's order. */
  readonly videos: readonly string[];
  /** Videos in one file only (ids with any "[...]" suffix stripped), which the SDK drops. */
  readonly droppedVideos: { readonly onlyInCovarep: readonly string[]; readonly onlyInLabels: readonly string[] };
  /** Running totals, complete once segments() is exhausted. */
  readonly totals: AlignmentTotals;
  segments(): Generator<AlignedSegment, void, undefined>;
}

/** Video id as the SDK matches it: everything from the first "[" removed. */
export const stripSegmentSuffix = (key: string) => key.split('[')[0];

/**
 * Plans the alignment and checks both files' types and column counts on their first video, so a
 * swapped or wrong file fails at once; every further video is checked as it is read.
 */
export function alignCovarepToLabels(covarep: CsdFile, labels: CsdFile, options: AlignOptions = {}): Alignment {
  const covarepKeysByVideo = new Map<string, string[]>();
  for (const key of covarep.videoIds()) {
    const video = stripSegmentSuffix(key);
    const keys = covarepKeysByVideo.get(video) ?? [];
    keys.push(key);
    covarepKeysByVideo.set(video, keys);
  }
  const labelVideos = new Set(labels.videoIds().map(stripSegmentSuffix));
  const videos = labels.videoIds().filter((key) => covarepKeysByVideo.has(stripSegmentSuffix(key)));
  const droppedVideos = {
    onlyInCovarep: [...covarepKeysByVideo.keys()].filter((video) => !labelVideos.has(video)),
    onlyInLabels: [...labelVideos].filter((video) => !covarepKeysByVideo.has(video)),
  };
  // Each file's own first video first: a wrong file is named as such even when no id is shared.
  for (const [file, role] of [[covarep, 'covarep'], [labels, 'labels']] as const) {
    const first = file.videoIds()[0];
    if (first === undefined) throw new CsdError(file.path, `"${file.rootName}" holds no videos.`);
    checkColumns(file, first, role);
  }
  if (videos.length === 0) {
    throw new CsdError(
      labels.path,
      `shares no video id with ${covarep.path} ("${covarep.rootName}"); are these files from the same dataset?`,
    );
  }

  const totals: AlignmentTotals = {
    videosAligned: 0,
    segments: 0,
    frames: 0,
    nonFiniteReplaced: 0,
    zeroLengthRowsSkipped: 0,
    rowsWithoutFrames: [],
  };

  function* segments(): Generator<AlignedSegment, void, undefined> {
    for (const labelKey of videos) {
      options.signal?.throwIfAborted();
      const frames = readCovarepFrames(covarep, covarepKeysByVideo.get(stripSegmentSuffix(labelKey))!);
      checkColumns(labels, labelKey, 'labels');
      const label = labels.readVideo(labelKey);
      for (let row = 0; row < label.rows; row++) {
        const start = label.intervals[2 * row];
        const end = label.intervals[2 * row + 1];
        if (Math.abs(start - end) < SDK_EPSILON) {
          totals.zeroLengthRowsSkipped++;
          continue;
        }
        const id = `${labelKey}[${row}]`;
        const segment = cutSegment(frames, start, end);
        if (segment.frames === 0) {
          totals.rowsWithoutFrames.push(id);
          continue;
        }
        const values = label.features.subarray(row * LABEL_COLUMNS.length, (row + 1) * LABEL_COLUMNS.length);
        totals.segments++;
        totals.frames += segment.frames;
        totals.nonFiniteReplaced += segment.nonFinite;
        yield {
          id,
          video: stripSegmentSuffix(labelKey),
          labelRow: row,
          start,
          end,
          sentiment: values[0],
          emotions: Array.from(values.subarray(1)),
          ...segment,
        };
      }
      totals.videosAligned++;
      options.onProgress?.(totals.videosAligned, videos.length);
    }
  }

  return { videos, droppedVideos, totals, segments };
}

function checkColumns(file: CsdFile, video: string, role: 'covarep' | 'labels'): void {
  const { columns } = file.inspectVideo(video);
  const expected = role === 'covarep' ? FEATURE_COUNT : LABEL_COLUMNS.length;
  if (columns === expected) return;
  const what =
    role === 'covarep'
      ? `COVAREP features have ${FEATURE_COUNT} columns (${COVAREP_FEATURES[0]} … ${COVAREP_FEATURES[FEATURE_COUNT - 1]})`
      : `the labels have ${LABEL_COLUMNS.length} columns [${LABEL_COLUMNS.join(', ')}]`;
  throw new CsdError(
    file.path,
    `${what}, but video "${video}" of "${file.rootName}" has ${columns}: this is not the ${role === 'covarep' ? 'COVAREP' : 'labels'} file.`,
  );
}

/** A video's COVAREP frames, from every "<video>[...]" key, in the SDK's order: stably sorted by start time. */
interface VideoFrames {
  rows: number;
  intervals: Float64Array;
  features: CsdFeatureArray;
}

function readCovarepFrames(covarep: CsdFile, keys: readonly string[]): VideoFrames {
  const parts = keys.map((key) => {
    checkColumns(covarep, key, 'covarep');
    return covarep.readVideo(key);
  });
  const merged =
    parts.length === 1
      ? parts[0]
      : {
          rows: parts.reduce((sum, part) => sum + part.rows, 0),
          intervals: concat(parts.map((part) => part.intervals), Float64Array) as Float64Array,
          features: concat(
            parts.map((part) => part.features),
            parts.every((part) => part.features instanceof Float32Array) ? Float32Array : Float64Array,
          ),
        };
  return sortByStart(merged);
}

type FloatArrayType = { new (length: number): CsdFeatureArray };

function concat(arrays: CsdFeatureArray[], type: FloatArrayType): CsdFeatureArray {
  const out = new type(arrays.reduce((sum, array) => sum + array.length, 0));
  let at = 0;
  for (const array of arrays) {
    out.set(array, at);
    at += array.length;
  }
  return out;
}

function sortByStart(frames: VideoFrames): VideoFrames {
  const { rows, intervals, features } = frames;
  let sorted = true;
  for (let i = 1; i < rows && sorted; i++) sorted = !(intervals[2 * i] < intervals[2 * i - 2]);
  if (sorted) return frames; // COVAREP as shipped is already in time order
  const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) => compareStarts(intervals[2 * a], intervals[2 * b]));
  const columns = features.length / Math.max(rows, 1);
  const sortedIntervals = new Float64Array(intervals.length);
  const sortedFeatures = new (features.constructor as FloatArrayType)(features.length);
  order.forEach((from, to) => {
    sortedIntervals.set(intervals.subarray(2 * from, 2 * from + 2), 2 * to);
    sortedFeatures.set(features.subarray(from * columns, (from + 1) * columns), to * columns);
  });
  return { rows, intervals: sortedIntervals, features: sortedFeatures };
}

/** Array.prototype.sort is stable, like Python's sorted(); NaN starts go last. */
function compareStarts(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  return a - b;
}

type SegmentCut = Pick<AlignedSegment, 'frames' | 'frameIntervals' | 'features' | 'nonFinite'>;

/** The SDK's __intersect_and_copy for one label interval [start, end], plus NaN/±inf → 0. */
function cutSegment(frames: VideoFrames, start: number, end: number): SegmentCut {
  const kept: number[] = [];
  const clipped: number[] = [];
  for (let j = 0; j < frames.rows; j++) {
    const frameStart = frames.intervals[2 * j];
    const frameEnd = frames.intervals[2 * j + 1];
    // SDK: all((sub_copy - ref_copy) > -epsilon), i.e. end - frameStart > -ε and frameEnd - start > -ε ...
    if (!(end - frameStart > -SDK_EPSILON && frameEnd - start > -SDK_EPSILON)) continue;
    // ... then the frame is clipped to [start, end] and kept only if what remains is longer than ε.
    const clippedStart = Math.max(frameStart, start);
    const clippedEnd = Math.min(frameEnd, end);
    if (!(Math.abs(clippedStart - clippedEnd) > SDK_EPSILON)) continue;
    kept.push(j);
    clipped.push(clippedStart, clippedEnd);
  }
  const features = new Float32Array(kept.length * FEATURE_COUNT);
  let nonFinite = 0;
  kept.forEach((frame, k) => {
    const source = frames.features.subarray(frame * FEATURE_COUNT, (frame + 1) * FEATURE_COUNT);
    for (let c = 0; c < FEATURE_COUNT; c++) {
      const value = source[c];
      if (Number.isFinite(value)) features[k * FEATURE_COUNT + c] = value;
      else nonFinite++; // left at 0, as the SDK's authors advise
    }
  });
  return { frames: kept.length, frameIntervals: Float64Array.from(clipped), features, nonFinite };
}
