import type { ImportSummary } from '@shared/api/entities';
import { describeLabelProblems } from '@shared/data/labelChecks';
import type { CsdImportResult } from './csd/importCsd';
import { counted } from '@shared/format';

/** An import's outcome in numbers, as the app, the CLI and the stored dataset record it. */
export function summariseImport({ written, totals, droppedVideos }: CsdImportResult): ImportSummary {
  return {
    segments: written.segments,
    videos: written.videos,
    frames: written.frames,
    nonFiniteReplaced: totals.nonFiniteReplaced,
    beyondFloat32Replaced: totals.beyondFloat32Replaced,
    segmentsWithNonFinite: totals.segmentsWithNonFinite,
    mostNonFinite: totals.mostNonFinite,
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

/** The summary in words, one note per thing the researcher should know; what did not happen is not mentioned. */
export function importNotes(s: ImportSummary): string[] {
  const beyond = s.beyondFloat32Replaced ? `, ${counted(s.beyondFloat32Replaced, 'of them a float64 value', 'of them float64 values')} beyond float32's range` : '';
  const where = s.segmentsWithNonFinite
    ? ` in ${counted(s.segmentsWithNonFinite, 'segment')} (most in ${s.mostNonFinite.map((m) => `${m.id}: ${counted(m.values, 'value')}`).join('; ')}; the segment table's Replaced column gives each)`
    : '';
  const notes = [
    `${counted(s.segments, 'segment')} of ${counted(s.videos, 'video')} imported (${counted(s.frames, 'frame')}).`,
    `${counted(s.nonFiniteReplaced, 'NaN or infinite COVAREP value was', 'NaN or infinite COVAREP values were')} replaced with 0${beyond}${where}.`,
    `${counted(s.zeroLengthRowsSkipped, 'zero-length label row was', 'zero-length label rows were')} skipped, as the SDK does.`,
  ];
  if (s.invalidIntervalRows) notes.push(`${counted(s.invalidIntervalRows, 'label row was', 'label rows were')} left out: the interval is not finite or ends before it starts.`);
  if (s.rowsWithoutFrames) notes.push(`${counted(s.rowsWithoutFrames, 'label row has', 'label rows have')} no COVAREP frame inside the interval and ${s.rowsWithoutFrames === 1 ? 'was' : 'were'} left out, as the SDK does.`);
  if (s.covarepFramesWithoutTime) notes.push(`${counted(s.covarepFramesWithoutTime, 'COVAREP frame has', 'COVAREP frames have')} a start or end that is not finite and ${s.covarepFramesWithoutTime === 1 ? 'was' : 'were'} not used.`);
  if (s.segmentsDroppedForLabels) {
    notes.push(
      `${counted(s.segmentsDroppedForLabels, 'segment was', 'segments were')} left out because a label is NaN, infinite or outside its range ` +
        `(sentiment −3..3, emotions 0..3; labels are never clamped): ${describeLabelProblems(s.labelProblems)}.`,
    );
  }
  if (s.videosOnlyInCovarep) notes.push(`${counted(s.videosOnlyInCovarep, 'video has', 'videos have')} features but no labels and ${s.videosOnlyInCovarep === 1 ? 'was' : 'were'} dropped.`);
  if (s.videosOnlyInLabels) notes.push(`${counted(s.videosOnlyInLabels, 'video has', 'videos have')} labels but no features and ${s.videosOnlyInLabels === 1 ? 'was' : 'were'} dropped.`);
  return notes;
}
