import { COVAREP_FEATURES, FEATURE_COUNT, LABEL_KINDS } from '@shared/emotions';
import { describeLabelProblems, emptyLabelProblems, labelProblem, type LabelProblems } from '@shared/data/labelChecks';
import { CsdError } from './csdError';
import type { CsdFeatureArray, CsdFile } from './csdFile';

/**
 * Aligns COVAREP frames to the labels' segments exactly as CMU-MultimodalSDK's
 * `mmdataset.align('All Labels')` does without collapse functions (mmsdk/mmdatasdk/dataset/dataset.py),
 * then replaces NaN/±inf with 0. One video is in memory at a time.
 *
 * Beyond the SDK, it leaves out what would give impossible results, and counts it: label rows
 * whose interval is not finite or ends before it starts, COVAREP frames whose time is not
 * finite, and segments whose labels are NaN, infinite or out of range. A pair that leaves no
 * usable segment is refused.
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
  /** frames × 74, NaN/±inf (and float64 values beyond float32's range) replaced by 0. */
  features: Float32Array;
  /** How many values of this segment were replaced by 0: NaN, ±inf, or beyond float32's range. */
  nonFinite: number;
  /** Of `nonFinite`: finite in the file (float64) but too large for float32. */
  beyondFloat32: number;
}

/** Segments with the most replaced values named in the import's summary. */
const MOST_NON_FINITE_SHOWN = 3;

export interface AlignmentTotals {
  videosAligned: number;
  segments: number;
  frames: number;
  /** Feature values replaced by 0: NaN, ±inf, or finite float64 values beyond float32's range. */
  nonFiniteReplaced: number;
  /** Of `nonFiniteReplaced`: the values that were finite in the file but too large for float32. */
  beyondFloat32Replaced: number;
  /** Segments that had any value replaced, and the few that had the most. */
  segmentsWithNonFinite: number;
  mostNonFinite: Array<{ id: string; values: number }>;
  /** Label rows of the videos both files share. */
  labelRows: number;
  /** Label rows with |end - start| < 1e-5, which the SDK skips. */
  zeroLengthRowsSkipped: number;
  /** Label rows whose interval is not finite or ends before it starts: no span of time, left out. */
  invalidIntervalRows: number;
  /** Label rows no COVAREP frame overlaps: the SDK leaves them out of the aligned COVAREP sequence. */
  rowsWithoutFrames: string[];
  /** COVAREP frames of the shared videos. */
  covarepFrames: number;
  /** Of those, frames whose start or end is not finite: they cannot be placed in time, so no segment takes them. */
  covarepFramesWithoutTime: number;
  /** Segments left out because a label is NaN, infinite or out of its range (never clamped). */
  segmentsDroppedForLabels: string[];
  /** Per kind of label, the unusable values of those segments. */
  labelProblems: LabelProblems;
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
    if (first === undefined) throw new CsdError(file.path, `"${file.rootName}" holds no videos, so there is nothing to import. Check that this is the ${file === covarep ? 'COVAREP' : 'labels'} file of CMU-MOSEI as published; download it again if in doubt.`);
    checkColumns(file, first, role);
  }
  if (videos.length === 0) {
    throw new CsdError(
      labels.path,
      `shares no video id with ${covarep.path} ("${covarep.rootName}"); are these files from the same dataset? Choose the COVAREP and labels files of one dataset.`,
    );
  }

  const totals: AlignmentTotals = {
    videosAligned: 0,
    segments: 0,
    frames: 0,
    nonFiniteReplaced: 0,
    segmentsWithNonFinite: 0,
    mostNonFinite: [],
    beyondFloat32Replaced: 0,
    labelRows: 0,
    zeroLengthRowsSkipped: 0,
    invalidIntervalRows: 0,
    rowsWithoutFrames: [],
    covarepFrames: 0,
    covarepFramesWithoutTime: 0,
    segmentsDroppedForLabels: [],
    labelProblems: emptyLabelProblems(),
  };
  /** The first row left out for each reason, to show in a refusal. */
  const examples: RefusalExamples = {};

  function* segments(): Generator<AlignedSegment, void, undefined> {
    for (const labelKey of videos) {
      options.signal?.throwIfAborted();
      const frames = readCovarepFrames(covarep, covarepKeysByVideo.get(stripSegmentSuffix(labelKey))!);
      totals.covarepFrames += frames.rows;
      totals.covarepFramesWithoutTime += frames.withoutTime;
      checkColumns(labels, labelKey, 'labels');
      const label = labels.readVideo(labelKey);
      totals.labelRows += label.rows;
      for (let row = 0; row < label.rows; row++) {
        const start = label.intervals[2 * row];
        const end = label.intervals[2 * row + 1];
        const where = `"${labelKey}" row ${row}`;
        if (Math.abs(start - end) < SDK_EPSILON) {
          totals.zeroLengthRowsSkipped++;
          continue;
        }
        if (!(Number.isFinite(start) && Number.isFinite(end) && start < end)) {
          totals.invalidIntervalRows++;
          examples.invalidInterval ??= `${where} [${start}, ${end}]`;
          continue;
        }
        const id = `${labelKey}[${row}]`;
        const segment = cutSegment(frames, start, end);
        if (segment.frames === 0) {
          totals.rowsWithoutFrames.push(id);
          examples.withoutFrames ??= `${where} [${start}, ${end}]`;
          continue;
        }
        const values = label.features.subarray(row * LABEL_COLUMNS.length, (row + 1) * LABEL_COLUMNS.length);
        const unusable = unusableLabels(values, totals.labelProblems);
        if (unusable) {
          totals.segmentsDroppedForLabels.push(id);
          examples.unusableLabels ??= `${where}: ${unusable}`;
          continue;
        }
        totals.segments++;
        totals.frames += segment.frames;
        totals.nonFiniteReplaced += segment.nonFinite;
        if (segment.nonFinite > 0) {
          totals.segmentsWithNonFinite++;
          totals.mostNonFinite = [...totals.mostNonFinite, { id, values: segment.nonFinite }].sort((a, b) => b.values - a.values).slice(0, MOST_NON_FINITE_SHOWN);
        }
        totals.beyondFloat32Replaced += segment.beyondFloat32;
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
    // Written as it streams, so only the end can tell: nothing usable means no dataset at all.
    if (totals.segments === 0) throw noUsableSegment(covarep, labels, videos.length, totals, examples);
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
    `${what}, but video "${video}" of "${file.rootName}" has ${columns}: this is not the ${role === 'covarep' ? 'COVAREP' : 'labels'} file. Choose ${role === 'covarep' ? 'CMU_MOSEI_COVAREP.csd' : 'CMU_MOSEI_Labels.csd'}.`,
  );
}

/** Counts a row's unusable labels into `problems`; returns what is wrong ("sentiment NaN, fear 4") or null. */
function unusableLabels(values: ArrayLike<number>, problems: LabelProblems): string | null {
  const wrong: string[] = [];
  LABEL_KINDS.forEach((kind, column) => {
    const problem = labelProblem(kind, values[column]);
    if (!problem) return;
    problems[kind][problem]++;
    wrong.push(`${kind} ${values[column]}`);
  });
  if (wrong.length === 0) return null;
  return wrong.length > 3 ? `${wrong.slice(0, 3).join(', ')}, …` : wrong.join(', ');
}

interface RefusalExamples {
  invalidInterval?: string;
  withoutFrames?: string;
  unusableLabels?: string;
}

/** Why a pair gave no usable segment: what was found, each reason with its count and first case, and what to do. */
function noUsableSegment(covarep: CsdFile, labels: CsdFile, videoCount: number, totals: AlignmentTotals, examples: RefusalExamples): CsdError {
  const videos = `${videoCount} video${videoCount === 1 ? '' : 's'} both files share`;
  const remedy = 'Check that these are the COVAREP and labels files of CMU-MOSEI as published, and download them again if in doubt.';
  if (totals.labelRows === 0) {
    return new CsdError(labels.path, `no usable segment, so nothing was imported: the file holds no label rows for the ${videos}. ${remedy}`);
  }
  const reasons: string[] = [];
  if (totals.zeroLengthRowsSkipped) reasons.push(`${totals.zeroLengthRowsSkipped} have a zero-length interval (skipped, as the SDK does)`);
  if (totals.invalidIntervalRows) {
    reasons.push(`${totals.invalidIntervalRows} have an interval that is not finite or ends before it starts (e.g. ${examples.invalidInterval})`);
  }
  const withoutFrames = totals.rowsWithoutFrames.length;
  if (withoutFrames) {
    const why =
      totals.covarepFrames === 0
        ? `these videos hold no COVAREP frames in ${covarep.path}`
        : totals.covarepFramesWithoutTime
          ? `${totals.covarepFramesWithoutTime} of the ${totals.covarepFrames} COVAREP frames of these videos in ${covarep.path} have a start or end that is not finite`
          : `e.g. ${examples.withoutFrames}; the COVAREP frames of these videos in ${covarep.path} lie elsewhere in time`;
    reasons.push(`${withoutFrames} have no COVAREP frame inside their interval (${why})`);
  }
  const dropped = totals.segmentsDroppedForLabels.length;
  if (dropped) {
    reasons.push(
      `${dropped} have unusable labels (${describeLabelProblems(totals.labelProblems)}; e.g. ${examples.unusableLabels}); ` +
        'labels must be finite, sentiment within -3..3 and emotions within 0..3',
    );
  }
  return new CsdError(
    labels.path,
    `no usable segment, so nothing was imported: the ${totals.labelRows} label rows of the ${videos} gave none. ` +
      `Of those rows, ${reasons.join('; ')}. ${remedy}`,
  );
}

/** A video's COVAREP frames, from every "<video>[...]" key, in the SDK's order: stably sorted by start time. */
interface VideoFrames {
  rows: number;
  intervals: Float64Array;
  features: CsdFeatureArray;
}

function readCovarepFrames(covarep: CsdFile, keys: readonly string[]): VideoFrames & { withoutTime: number } {
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
  let withoutTime = 0;
  for (let j = 0; j < merged.rows; j++) if (!hasFiniteTime(merged.intervals, j)) withoutTime++;
  return { ...sortByStart(merged), withoutTime };
}

const hasFiniteTime = (intervals: Float64Array, row: number) => Number.isFinite(intervals[2 * row]) && Number.isFinite(intervals[2 * row + 1]);

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

type SegmentCut = Pick<AlignedSegment, 'frames' | 'frameIntervals' | 'features' | 'nonFinite' | 'beyondFloat32'>;

/**
 * The SDK's __intersect_and_copy for one label interval [start, end], then NaN/±inf → 0. Frames
 * without a finite time are never taken (one spanning -inf..inf would otherwise join every segment).
 */
function cutSegment(frames: VideoFrames, start: number, end: number): SegmentCut {
  const kept: number[] = [];
  const clipped: number[] = [];
  for (let j = 0; j < frames.rows; j++) {
    if (!hasFiniteTime(frames.intervals, j)) continue;
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
  let beyondFloat32 = 0;
  kept.forEach((frame, k) => {
    const source = frames.features.subarray(frame * FEATURE_COUNT, (frame + 1) * FEATURE_COUNT);
    for (let c = 0; c < FEATURE_COUNT; c++) {
      const value = source[c];
      // The cache is float32: a float64 value beyond its range would be stored as an infinity.
      const stored = Math.fround(value);
      if (Number.isFinite(stored)) features[k * FEATURE_COUNT + c] = stored;
      else {
        nonFinite++; // left at 0, as the SDK's authors advise for NaN and infinities
        if (Number.isFinite(value)) beyondFloat32++;
      }
    }
  });
  return { frames: kept.length, frameIntervals: Float64Array.from(clipped), features, nonFinite, beyondFloat32 };
}
