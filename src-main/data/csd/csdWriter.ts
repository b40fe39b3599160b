import h5wasm from 'h5wasm/node';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

/** One video of a computational sequence: rows x columns features and rows x 2 [start, end] intervals. */
export interface CsdVideoToWrite {
  id: string;
  /** Float32 as the SDK writes COVAREP; float64 is written as float64 (as numpy arrays of doubles are). */
  features: Float32Array | Float64Array;
  intervals: Float64Array;
}

export interface CsdToWrite {
  rootName: string;
  columns: number;
  /** JSON-encoded into `<root>/metadata/<key>` as the SDK does. */
  metadata: Record<string, unknown>;
  videos: Iterable<CsdVideoToWrite>;
  /** The SDK writes gzip level 9; lower levels write much faster for test data. */
  gzipLevel?: number;
}

/**
 * Writes a .csd file laid out as the CMU-MultimodalSDK writes it
 * (`<root>/data/<video>/{features, intervals}`, `<root>/metadata/<key>`), one video at a
 * time, under a temporary name renamed into place when complete.
 */
export async function writeCsd(path: string, csd: CsdToWrite): Promise<void> {
  const hdf5 = await h5wasm.ready;
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  // Without this h5wasm only prints libhdf5's errors and goes on writing nothing.
  hdf5.activate_throwing_error_handler();
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(partial, 'w');
  } catch (err) {
    hdf5.deactivate_throwing_error_handler();
    throw new Error(`Cannot create ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    const root = file.create_group(csd.rootName);
    const data = root.create_group('data');
    const level = csd.gzipLevel ?? 9;
    for (const video of csd.videos) {
      const rows = video.intervals.length / 2;
      if (video.features.length !== rows * csd.columns) throw new Error(`Video ${video.id}: ${video.features.length} values are not ${rows} rows of ${csd.columns}.`);
      const group = data.create_group(video.id);
      const chunkRows = Math.max(1, Math.min(rows, 4096));
      const featureType = video.features instanceof Float64Array ? '<d' : '<f';
      group.create_dataset({ name: 'features', data: video.features, shape: [rows, csd.columns], dtype: featureType, chunks: [chunkRows, csd.columns], compression: 'gzip', compression_opts: level });
      group.create_dataset({ name: 'intervals', data: video.intervals, shape: [rows, 2], dtype: '<d', chunks: [chunkRows, 2], compression: 'gzip', compression_opts: level });
    }
    const metadata = root.create_group('metadata');
    for (const [key, value] of Object.entries({ 'root name': csd.rootName, ...csd.metadata })) {
      metadata.create_dataset({ name: key, data: [JSON.stringify(value)] });
    }
  } catch (err) {
    file.close();
    rmSync(partial, { force: true });
    throw err;
  } finally {
    hdf5.deactivate_throwing_error_handler();
  }
  file.close();
  renameSync(partial, path);
}
