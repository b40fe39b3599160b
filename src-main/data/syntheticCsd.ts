import { join } from 'node:path';
import { COVAREP_FEATURES, FEATURE_COUNT, FRAME_RATE_HZ } from '@shared/emotions';
import { writeCsd, type CsdVideoToWrite } from './csd/csdWriter';
import type { SyntheticSegment } from './synthetic';
import { generateSegments, type GeneratorParams } from './generators';

/** Groups the generator's segments by video (they come video after video). */
function* byVideo(params: GeneratorParams): Generator<SyntheticSegment[]> {
  let current: SyntheticSegment[] = [];
  for (const segment of generateSegments(params)) {
    if (current.length && current[0].video !== segment.video) {
      yield current;
      current = [];
    }
    current.push(segment);
  }
  if (current.length) yield current;
}

/** A video's COVAREP rows: every segment's frames at 100 Hz from the segment's start. */
function covarepVideo(segments: SyntheticSegment[]): CsdVideoToWrite {
  const frames = segments.reduce((n, s) => n + s.features.length / FEATURE_COUNT, 0);
  const features = new Float32Array(frames * FEATURE_COUNT);
  const intervals = new Float64Array(frames * 2);
  let row = 0;
  for (const s of segments) {
    features.set(s.features, row * FEATURE_COUNT);
    for (let k = 0; k < s.features.length / FEATURE_COUNT; k++, row++) {
      intervals[row * 2] = s.start + k / FRAME_RATE_HZ;
      intervals[row * 2 + 1] = s.start + (k + 1) / FRAME_RATE_HZ;
    }
  }
  return { id: segments[0].video, features, intervals };
}

function labelsVideo(segments: SyntheticSegment[]): CsdVideoToWrite {
  return {
    id: segments[0].video,
    features: Float32Array.from(segments.flatMap((s) => [s.sentiment, ...s.emotions])),
    intervals: Float64Array.from(segments.flatMap((s) => [s.start, s.end])),
  };
}

/**
 * Exports the built-in generator's data as a COVAREP + labels pair of real .csd files, so
 * the import path (and its benchmark) can run on data whose true alignment is known.
 */
export async function exportSyntheticCsd(params: GeneratorParams, folder: string, gzipLevel = 9): Promise<{ covarepPath: string; labelsPath: string }> {
  const covarepPath = join(folder, 'SYNTHETIC_COVAREP.csd');
  const labelsPath = join(folder, 'SYNTHETIC_Labels.csd');
  const note = 'Synthetic data from the workbench generator: not CMU-MOSEI recordings.';
  await writeCsd(covarepPath, {
    rootName: 'COVAREP',
    columns: FEATURE_COUNT,
    metadata: { 'dimension names': COVAREP_FEATURES, 'dataset name': 'Synthetic MOSEI-shaped', 'computational sequence description': note, generator: params },
    videos: (function* () { for (const v of byVideo(params)) yield covarepVideo(v); })(),
    gzipLevel,
  });
  await writeCsd(labelsPath, {
    rootName: 'All Labels',
    columns: 7,
    metadata: { 'dimension names': ['sentiment', 'happy', 'sad', 'anger', 'surprise', 'disgust', 'fear'], 'dataset name': 'Synthetic MOSEI-shaped', 'computational sequence description': note, generator: params },
    videos: (function* () { for (const v of byVideo(params)) yield labelsVideo(v); })(),
    gzipLevel,
  });
  return { covarepPath, labelsPath };
}
