import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_COUNT } from '@shared/emotions';

/**
 * On-disk layout of a prepared dataset, in `<dataDir>/datasets/<id>/`:
 * - `features.f32`: every frame of every segment, float32 little-endian, 74 per frame, segment after segment;
 * - `segments.json`: per segment its id, video, frame offset and count, label interval and labels;
 * - `recorder.pid`: the process that records the dataset in the store once the folder is in place.
 * Written into a temporary folder (`<id>.partial-<writer pid>`) and renamed into place, so a
 * crash never leaves half a dataset; a folder a crash left without its row is removed when
 * the data directory is next opened (see reconcileDataDir), unless its recorder is alive.
 */
export interface SegmentIndexEntry {
  id: string;
  video: string;
  /** Index of the segment's first frame in features.f32. */
  offset: number;
  frames: number;
  start: number;
  end: number;
  sentiment: number;
  emotions: number[];
  /** Feature values the import replaced by 0 (NaN, ±inf, beyond float32); absent for generated data and older imports. */
  nonFinite?: number;
}

export interface DatasetIndex {
  features: number;
  segments: SegmentIndexEntry[];
}

export const datasetDir = (dataDir: string, id: string) => join(dataDir, 'datasets', id);

const PARTIAL = /^(.+)\.partial-(\d+)$/;
const RECORDER_FILE = 'recorder.pid';

/** The dataset id and writer pid of a `<id>.partial-<pid>` folder name; null for any other name. */
export function parsePartialName(name: string): { id: string; pid: number } | null {
  const match = PARTIAL.exec(name);
  return match ? { id: match[1], pid: Number(match[2]) } : null;
}

/** The process that records a dataset folder in the store (null if the folder does not say). */
export function datasetRecorder(dataDir: string, id: string): number | null {
  try {
    const pid = Number(readFileSync(join(datasetDir(dataDir, id), RECORDER_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export interface WrittenDataset {
  fingerprint: string;
  frames: number;
  videos: number;
  segments: number;
}

export type SegmentToWrite = Omit<SegmentIndexEntry, 'offset' | 'frames'> & { features: Float32Array };

/**
 * Writes a dataset from segments produced one at a time (sync or async, so a long import
 * can yield to its message loop between videos); only one segment is in memory at once.
 * `recorderPid`: the process that will record it in the store (an import's main process).
 */
export async function writeDataset(
  dataDir: string,
  id: string,
  segments: Iterable<SegmentToWrite> | AsyncIterable<SegmentToWrite>,
  recorderPid = process.pid,
): Promise<WrittenDataset> {
  const finalDir = datasetDir(dataDir, id);
  const tmpDir = `${finalDir}.partial-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  const hash = createHash('sha256');
  const index: DatasetIndex = { features: FEATURE_COUNT, segments: [] };
  const fd = openSync(join(tmpDir, 'features.f32'), 'w');
  let offset = 0;
  try {
    for await (const { features, ...meta } of segments) {
      if (features.length % FEATURE_COUNT !== 0) throw new Error(`Segment ${meta.id} does not hold whole frames of ${FEATURE_COUNT} features.`);
      const bytes = new Uint8Array(features.buffer, features.byteOffset, features.byteLength);
      writeSync(fd, bytes);
      hash.update(bytes);
      const frames = features.length / FEATURE_COUNT;
      index.segments.push({ ...meta, offset, frames });
      offset += frames;
    }
    closeSync(fd);
    const indexJson = JSON.stringify(index);
    hash.update(indexJson);
    writeFileSync(join(tmpDir, 'segments.json'), indexJson);
    writeFileSync(join(tmpDir, RECORDER_FILE), String(recorderPid));
    moveIntoPlace(tmpDir, finalDir);
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  }
  return {
    fingerprint: hash.digest('hex').slice(0, 16),
    frames: offset,
    videos: new Set(index.segments.map((s) => s.video)).size,
    segments: index.segments.length,
  };
}

/**
 * Replaces `finalDir` with `tmpDir`. Two processes opening a new data directory at once both
 * write the built-in datasets (the same bytes): if the other one's folder lands between our
 * removal and our rename, the rename finds a folder in place, so remove and rename again.
 */
function moveIntoPlace(tmpDir: string, finalDir: string, attempts = 5): void {
  for (let attempt = 1; ; attempt++) {
    rmSync(finalDir, { recursive: true, force: true });
    try {
      renameSync(tmpDir, finalDir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= attempts || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw err;
    }
  }
}

/** Removes a dataset's folder and any partial folder a killed writer left for it. */
export function removeDataset(dataDir: string, id: string): void {
  rmSync(datasetDir(dataDir, id), { recursive: true, force: true });
  const root = join(dataDir, 'datasets');
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) if (parsePartialName(name)?.id === id) rmSync(join(root, name), { recursive: true, force: true });
}

export function datasetExists(dataDir: string, id: string): boolean {
  const dir = datasetDir(dataDir, id);
  return existsSync(join(dir, 'segments.json')) && existsSync(join(dir, 'features.f32'));
}

export function readIndex(dataDir: string, id: string): DatasetIndex {
  return JSON.parse(readFileSync(join(datasetDir(dataDir, id), 'segments.json'), 'utf8')) as DatasetIndex;
}

/** Reads frames [from, from + count) of one segment without loading the whole file. */
export class FeatureReader {
  private readonly fd: number;
  constructor(dataDir: string, id: string) {
    this.fd = openSync(join(datasetDir(dataDir, id), 'features.f32'), 'r');
  }
  read(segment: SegmentIndexEntry, from = 0, count = segment.frames): Float32Array {
    const n = Math.max(0, Math.min(count, segment.frames - from));
    const out = new Float32Array(n * FEATURE_COUNT);
    readSync(this.fd, new Uint8Array(out.buffer), 0, out.byteLength, (segment.offset + from) * FEATURE_COUNT * 4);
    return out;
  }
  close(): void {
    closeSync(this.fd);
  }
}
