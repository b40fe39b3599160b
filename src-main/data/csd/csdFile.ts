import h5wasm from 'h5wasm/node';
import type { Dataset, Group, Metadata } from 'h5wasm/node';
import { CsdError } from './csdError';
import { hdf5Problem } from './hdf5Probe';

export { CsdError } from './csdError';

/**
 * Reader for CMU-MultimodalSDK computational sequences (.csd, HDF5):
 * `<root>/data/<video>/{features, intervals}` and `<root>/metadata/<key>` (JSON strings).
 * h5wasm's Node build opens files in place (Emscripten NODERAWFS), so only the video being read
 * is in memory, never the whole file.
 */

export type CsdFeatureArray = Float32Array | Float64Array;

/** A video's sizes and types, known without reading its data. */
export interface CsdVideoShape {
  rows: number;
  columns: number;
}

export interface CsdVideo extends CsdVideoShape {
  id: string;
  /** rows × columns, row-major. */
  features: CsdFeatureArray;
  /** rows × 2, row-major: [start, end] in seconds. */
  intervals: Float64Array;
}

type H5Module = Awaited<typeof h5wasm.ready>;
let hdf5: H5Module | undefined;

/** Opens a .csd file; throws CsdError with the reason when it is not a readable computational sequence. */
export async function openCsd(path: string): Promise<CsdFile> {
  hdf5 ??= await h5wasm.ready;
  return CsdFile.open(path);
}

// h5wasm prints libhdf5 errors to stderr and carries on with garbage unless its throwing handler
// is on; it is process-wide, so it is switched on only while this module calls into libhdf5.
let throwingDepth = 0;
function callHdf5<T>(file: string, doing: string, call: () => T): T {
  if (!hdf5) throw new Error('openCsd() must be awaited before reading .csd files');
  if (throwingDepth++ === 0) hdf5.activate_throwing_error_handler();
  try {
    return call();
  } catch (error) {
    if (error instanceof CsdError) throw error;
    throw new CsdError(file, `${doing} failed: ${readerFailure(error)}`);
  } finally {
    if (--throwingDepth === 0) hdf5.deactivate_throwing_error_handler();
  }
}

/** Why the reader failed, in words a researcher can act on: never libhdf5's stack or its build paths. */
function readerFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const filter = /required filter '([^']*)' is not registered/.exec(text);
  if (filter) return `its data is ${compressedWith({ id: -1, name: filter[1] })}.`;
  if (/allocation|out of memory|memory access out of bounds/i.test(text)) {
    return `the data is larger than the reader can hold in memory. ${DAMAGED}`;
  }
  if (!text.includes('HDF5-DIAG')) return `${withoutPaths(text.split('\n')[0]).replace(/\.$/, '')}. ${DAMAGED}`;
  return `${hdf5Reason(text)}. The file is corrupt or incomplete; download it again.`;
}

const DAMAGED = 'The file is damaged or not a computational sequence as the CMU-MultimodalSDK writes it; download it again.';
const CHOOSE_CSD = 'Choose CMU_MOSEI_COVAREP.csd or CMU_MOSEI_Labels.csd as the CMU-MultimodalSDK writes them.';

/** The innermost libhdf5 message ("truncated file: ...", "inflate() failed", ...) rather than the whole stack. */
function hdf5Reason(text: string): string {
  const frames = [...text.matchAll(/#\d+: .* in (\w+)\(\): (.+)/g)]
    .filter((match) => !match[1].startsWith('H5PL')) // the plugin search, which names the library's build folders
    .map((match) => withoutPaths(match[2].trim()));
  return frames.at(-1) ?? 'unknown HDF5 error';
}

/** Drops absolute paths (the library's build folders) from a message. */
const withoutPaths = (text: string) => text.replace(/(?:^|\s)\(?(?:[A-Za-z]:)?\/[^\s)]*\)?/g, '').trim();

/**
 * HDF5 filters this reader decodes: deflate (gzip, what the SDK writes), shuffle, fletcher32,
 * n-bit and scale-offset. Anything else (LZF, Blosc, Zstandard, szip...) needs a plugin it lacks.
 */
const READABLE_FILTERS = new Set([1, 2, 3, 5, 6]);
const FILTER_NAMES: Record<number, string> = { 4: 'szip', 307: 'bzip2', 32000: 'LZF', 32001: 'Blosc', 32004: 'LZ4', 32008: 'bitshuffle', 32013: 'ZFP', 32015: 'Zstandard', 32026: 'Blosc2' };

function compressedWith(filter: { id: number; name: string }): string {
  const name = FILTER_NAMES[filter.id] ?? filter.name.trim().toUpperCase();
  const id = filter.id >= 0 ? ` (HDF5 filter ${filter.id})` : '';
  return (
    `compressed with ${name ? `the ${name}` : 'an unknown'} filter${id}, which the workbench cannot read. ` +
    'Re-save the file with gzip compression, as the CMU-MultimodalSDK writes it (for example h5py\'s compression="gzip")'
  );
}

/**
 * The most one dataset of a video may take once read. The reader's memory is 2 GB and a read holds
 * the data twice; an hour of COVAREP at 100 Hz is about 107 MB, so only a damaged header asks for more.
 */
const MAX_DATASET_BYTES = 512 * 2 ** 20;

// HDF5 datatype classes (H5T_class_t) as h5wasm reports them in `metadata.type`.
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_COMPOUND = 6;
const H5T_VLEN = 9;

function describeType(metadata: Metadata): string {
  switch (metadata.type) {
    case H5T_STRING:
      return 'text (strings)';
    case H5T_COMPOUND:
      return 'compound records';
    case H5T_VLEN:
      return 'variable-length sequences';
    default:
      return `HDF5 type class ${metadata.type}`;
  }
}

export class CsdFile {
  private videoIdList: string[] | undefined;

  private constructor(
    readonly path: string,
    private readonly file: InstanceType<typeof h5wasm.File>,
    /** The single top-level group's name, e.g. "COVAREP" or "All Labels". */
    readonly rootName: string,
    private readonly data: Group,
    /** `<root>/metadata/*`, JSON-decoded where the value is JSON (real files also hold plain text). */
    readonly metadata: Readonly<Record<string, unknown>>,
  ) {}

  static open(path: string): CsdFile {
    const problem = hdf5Problem(path);
    if (problem) throw new CsdError(path, problem);
    return callHdf5(path, 'Opening the HDF5 file', () => {
      const file = new h5wasm.File(path, 'r');
      if (file.file_id < 0n) throw new CsdError(path, 'HDF5 could not open the file: it is corrupt or not an HDF5 file. Download it again.');
      try {
        const rootName = file.keys()[0];
        const root = rootName === undefined ? null : file.get(rootName);
        if (!isGroup(root)) throw new CsdError(path, `has no top-level group, so it is not a computational sequence (.csd). ${CHOOSE_CSD}`);
        const data = root.get('data');
        if (!isGroup(data)) {
          throw new CsdError(path, `has no "data" group under "${rootName}", so it is not a computational sequence (.csd). ${CHOOSE_CSD}`);
        }
        return new CsdFile(path, file, rootName, data, readMetadata(root.get('metadata')));
      } catch (error) {
        file.close();
        throw error;
      }
    });
  }

  /** Video ids in the file's own (HDF5 name) order: the order the SDK iterates them in. */
  videoIds(): readonly string[] {
    this.videoIdList ??= callHdf5(this.path, 'Listing videos', () => this.data.keys());
    return this.videoIdList;
  }

  /** Checks a video's datasets and returns their sizes without reading any values. */
  inspectVideo(video: string): CsdVideoShape {
    return callHdf5(this.path, `Reading video "${video}"`, () => {
      const { features, intervals } = this.datasetsOf(video);
      const featureMeta = features.metadata;
      const intervalMeta = intervals.metadata;
      if (featureMeta.type !== H5T_FLOAT && featureMeta.type !== H5T_INTEGER) {
        throw new CsdError(
          this.path,
          `the features of "${this.rootName}" are ${describeType(featureMeta)}, not numbers (video "${video}"). ` +
            'Only numeric sequences such as COVAREP or the labels can be imported; word or phoneme timings cannot.',
        );
      }
      const featureShape = featureMeta.shape ?? [];
      if (featureShape.length !== 2) {
        throw new CsdError(this.path, `video "${video}": features must be 2-D (rows × columns), found shape [${featureShape.join(', ')}]. ${DAMAGED}`);
      }
      const intervalShape = intervalMeta.shape ?? [];
      if (intervalMeta.type !== H5T_FLOAT && intervalMeta.type !== H5T_INTEGER) {
        throw new CsdError(this.path, `video "${video}": intervals are ${describeType(intervalMeta)}, not numbers. ${DAMAGED}`);
      }
      if (intervalShape.length !== 2 || intervalShape[1] !== 2) {
        throw new CsdError(
          this.path,
          `video "${video}": intervals must be N × 2 ([start, end] per row), found shape [${intervalShape.join(', ')}]. ${DAMAGED}`,
        );
      }
      const [rows, columns] = featureShape;
      checkDeclaredSize(this.path, video, 'features', rows, columns, featureMeta.size);
      checkDeclaredSize(this.path, video, 'intervals', intervalShape[0], 2, intervalMeta.size);
      for (const [name, dataset] of [['features', features], ['intervals', intervals]] as const) {
        const filter = dataset.filters.find((f) => !READABLE_FILTERS.has(f.id));
        if (filter) throw new CsdError(this.path, `video "${video}": its ${name} are ${compressedWith(filter)}.`);
      }
      if (intervalShape[0] !== rows) {
        throw new CsdError(
          this.path,
          `video "${video}": features have ${rows} rows but intervals have ${intervalShape[0]}; every row needs one [start, end]. ${DAMAGED}`,
        );
      }
      return { rows, columns };
    });
  }

  /** Reads one video's features and intervals (validated as in inspectVideo). */
  readVideo(video: string): CsdVideo {
    const shape = this.inspectVideo(video);
    return callHdf5(this.path, `Reading video "${video}"`, () => {
      const { features, intervals } = this.datasetsOf(video);
      const featureValues = toFloatArray(features.value, features.metadata);
      const intervalValues = toFloatArray(intervals.value, intervals.metadata);
      if (!featureValues || !intervalValues) {
        const { size, type } = (featureValues ? intervals : features).metadata;
        throw new CsdError(this.path, `video "${video}": unsupported number format (${size}-byte values of HDF5 type class ${type}). Re-save the file with float32 or float64 values, as the CMU-MultimodalSDK writes them.`);
      }
      if (featureValues.length !== shape.rows * shape.columns || intervalValues.length !== shape.rows * 2) {
        throw new CsdError(this.path, `video "${video}": read fewer values than the datasets' shapes promise. ${DAMAGED}`);
      }
      const intervals64 = intervalValues instanceof Float64Array ? intervalValues : Float64Array.from(intervalValues);
      return { id: video, ...shape, features: featureValues, intervals: intervals64 };
    });
  }

  close(): void {
    this.file.close();
  }

  private datasetsOf(video: string): { features: Dataset; intervals: Dataset } {
    const group = this.data.get(video);
    if (!isGroup(group)) throw new CsdError(this.path, `"${this.rootName}/data/${video}" is not a group of features and intervals. ${DAMAGED}`);
    const features = group.get('features');
    const intervals = group.get('intervals');
    for (const [name, dataset] of [['features', features], ['intervals', intervals]] as const) {
      if (!isDataset(dataset)) throw new CsdError(this.path, `video "${video}" has no "${name}" dataset. ${DAMAGED}`);
    }
    return { features: features as Dataset, intervals: intervals as Dataset };
  }
}

/** Refuses a declared shape too large to read, before anything is allocated for it. */
function checkDeclaredSize(path: string, video: string, name: string, rows: number, columns: number, valueBytes: number): void {
  const bytes = rows * columns * valueBytes;
  if (bytes <= MAX_DATASET_BYTES) return;
  throw new CsdError(
    path,
    `video "${video}": its ${name} declare ${rows.toLocaleString('en-US')} rows × ${columns} columns ` +
      `(${(bytes / 2 ** 30).toLocaleString('en-US', { maximumFractionDigits: 1 })} GB), more than the ${MAX_DATASET_BYTES / 2 ** 20} MB one video may take ` +
      '(an hour of COVAREP is about 107 MB). The file\'s header is damaged; download it again.',
  );
}

function isGroup(entity: unknown): entity is Group {
  return entity instanceof h5wasm.Group;
}

function isDataset(entity: unknown): entity is Dataset {
  return entity instanceof h5wasm.Dataset;
}

/** Float32/64 as read; integer columns (valid HDF5, though the SDK never writes them) widen to float64. */
function toFloatArray(value: unknown, metadata: Metadata): CsdFeatureArray | null {
  if (value instanceof Float32Array || value instanceof Float64Array) return value;
  if (metadata.type !== H5T_INTEGER) return null; // e.g. float16, which h5wasm hands back as raw bytes
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Float64Array.from(value, Number);
  const integerArrays = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array];
  if (integerArrays.some((type) => value instanceof type)) return Float64Array.from(value as ArrayLike<number>);
  return null;
}

function readMetadata(group: unknown): Record<string, unknown> {
  if (!isGroup(group)) return {};
  const metadata: Record<string, unknown> = {};
  for (const key of group.keys()) {
    const entry = group.get(key);
    if (!isDataset(entry)) continue;
    const value = entry.value;
    const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
    metadata[key] = typeof single === 'string' ? parseJsonOrText(single) : single;
  }
  return metadata;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
