import type { ImportSummary } from '@shared/api/entities';
import { describeLabelProblems } from '@shared/data/labelChecks';
import type { CsdImportResult } from './csd/importCsd';

/** An import's outcome in numbers, as the app, the CLI and the stored dataset record it. */
export function summariseImport({ written, totals, droppedVideos }: CsdImportResult): ImportSummary {
  return {
    segments: written.segments,
    videos: written.videos,
    frames: written.frames,
    nonFiniteReplaced: totals.nonFiniteReplaced,
    beyondFloat32Replaced: totals.beyondFloat32Replaced,
    zeroLengthRowsSkipped: totals.zeroLengthRowsSkipped,
    invalidIntervalRows: totals.invalidIntervalRows,
    rowsWithoutFrames: totals.rowsWithoutFrames.length,
    covarepFramesWithoutTime: totals.covarepFramesWithoutTime,
    segmentsDroppedForLabels: totals.segmentsDroppedForLabels.length,
    labelProblems: totals.labelProblems,
    videosOnlyInCovarep: droppedVideos.onlyInCovarep.length,
    videosOnlyInLabels: droppedVideos.onlyInLabels.length,
  };
}

const count = (n: number) => n.toLocaleString('en-US');

/** The summary in words, one note per thing the researcher should know; what did not happen is not mentioned. */
export function importNotes(s: ImportSummary): string[] {
  const beyond = s.beyondFloat32Replaced ? `, ${count(s.beyondFloat32Replaced)} of them float64 values beyond float32's range` : '';
  const notes = [
    `${count(s.segments)} segments of ${count(s.videos)} videos imported (${count(s.frames)} frames).`,
    `${count(s.nonFiniteReplaced)} NaN or infinite COVAREP values were replaced with 0${beyond}.`,
    `${count(s.zeroLengthRowsSkipped)} zero-length label rows were skipped, as the SDK does.`,
  ];
  if (s.invalidIntervalRows) notes.push(`${count(s.invalidIntervalRows)} label rows were left out: their interval is not finite or ends before it starts.`);
  if (s.rowsWithoutFrames) notes.push(`${count(s.rowsWithoutFrames)} label rows have no COVAREP frame inside their interval and were left out, as the SDK does.`);
  if (s.covarepFramesWithoutTime) notes.push(`${count(s.covarepFramesWithoutTime)} COVAREP frames have a start or end that is not finite and were not used.`);
  if (s.segmentsDroppedForLabels) {
    notes.push(
      `${count(s.segmentsDroppedForLabels)} segments were left out because a label is NaN, infinite or outside its range ` +
        `(sentiment -3..3, emotions 0..3; labels are never clamped): ${describeLabelProblems(s.labelProblems)}.`,
    );
  }
  if (s.videosOnlyInCovarep) notes.push(`${count(s.videosOnlyInCovarep)} videos have features but no labels and were dropped.`);
  if (s.videosOnlyInLabels) notes.push(`${count(s.videosOnlyInLabels)} videos have labels but no features and were dropped.`);
  return notes;
}
