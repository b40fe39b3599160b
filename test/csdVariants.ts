import { join } from 'node:path';
import { FEATURE_COUNT } from '@shared/emotions';
import { writeCsd, type CsdVideoToWrite } from '../src-main/data/csd/csdWriter';

/**
 * Small COVAREP + labels pairs, laid out as the CMU-MultimodalSDK writes them, for tests that
 * need a variant of the format (bad intervals, bad labels, float64 features...). Each test writes
 * them into its own temporary folder.
 */

export const FRAMES_PER_VIDEO = 300; // 3 s at 100 Hz
export const VIDEOS = ['vidA', 'vidB'];

export interface CovarepVideoOptions {
  rows?: number;
  /** The value of one feature; default frame/100 + column. */
  value?: (frame: number, column: number) => number;
  float64?: boolean;
  /** A frame's [start, end]; default 10 ms frames from 0 s. */
  interval?: (frame: number) => [number, number];
}

export function covarepVideo(id: string, options: CovarepVideoOptions = {}): CsdVideoToWrite {
  const rows = options.rows ?? FRAMES_PER_VIDEO;
  const features = new (options.float64 ? Float64Array : Float32Array)(rows * FEATURE_COUNT);
  const intervals = new Float64Array(rows * 2);
  for (let f = 0; f < rows; f++) {
    for (let c = 0; c < FEATURE_COUNT; c++) features[f * FEATURE_COUNT + c] = options.value?.(f, c) ?? f / 100 + c;
    intervals.set(options.interval?.(f) ?? [f / 100, (f + 1) / 100], 2 * f);
  }
  return { id, features, intervals };
}

export interface LabelRow {
  interval: [number, number];
  /** sentiment, then the six emotions */
  values: number[];
}

export const NEUTRAL = [1, 1, 0, 0, 0, 0, 0];

/** Three one-second rows, all usable. */
export const goodRows = (): LabelRow[] => [0, 1, 2].map((s) => ({ interval: [s, s + 1], values: [...NEUTRAL] }));

export function labelsVideo(id: string, rows: LabelRow[]): CsdVideoToWrite {
  return {
    id,
    features: Float32Array.from(rows.flatMap((r) => r.values)),
    intervals: Float64Array.from(rows.flatMap((r) => r.interval)),
  };
}

/** One labels video per id of VIDEOS, each with the rows `rows(video)` gives. */
export const labelsFor = (rows: (video: string) => LabelRow[]) => VIDEOS.map((id) => labelsVideo(id, rows(id)));
export const defaultCovarep = () => VIDEOS.map((id) => covarepVideo(id));

export interface CsdPair {
  covarepPath: string;
  labelsPath: string;
}

/** Writes CMU_MOSEI_COVAREP.csd and CMU_MOSEI_Labels.csd into `folder`. */
export async function writeCsdPair(folder: string, covarep: CsdVideoToWrite[], labels: CsdVideoToWrite[]): Promise<CsdPair> {
  const covarepPath = join(folder, 'CMU_MOSEI_COVAREP.csd');
  const labelsPath = join(folder, 'CMU_MOSEI_Labels.csd');
  await writeCsd(covarepPath, { rootName: 'COVAREP', columns: FEATURE_COUNT, metadata: {}, videos: covarep, gzipLevel: 1 });
  await writeCsd(labelsPath, { rootName: 'All Labels', columns: 7, metadata: {}, videos: labels, gzipLevel: 1 });
  return { covarepPath, labelsPath };
}
