import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '@shared/emotions';
import { FeatureReader, readIndex } from '../datasetFiles';
import { CsdError, openCsd } from './csdFile';
import type { CsdVideoToWrite } from './csdWriter';
import { importMoseiCsd } from './importCsd';
import { covarepVideo, defaultCovarep, FRAMES_PER_VIDEO, goodRows, labelsFor, NEUTRAL, VIDEOS, writeCsdPair, type LabelRow } from '../../../test/csdVariants';

/**
 * Malformed COVAREP + labels pairs that would have given an impossible dataset (no segment,
 * labels that are not numbers or out of their range, features float32 cannot hold) or an
 * unclear message. Every variant is written here, in a temporary folder removed afterwards.
 */

let dir: string;
beforeAll(async () => {
  await h5wasm.ready;
  dir = mkdtempSync(join(tmpdir(), 'csd-refusals-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let pairs = 0;
const writePair = (covarep: CsdVideoToWrite[], labels: CsdVideoToWrite[]) => writeCsdPair(join(dir, `pair-${++pairs}`), covarep, labels);

function importPair(paths: { covarepPath: string; labelsPath: string }, datasetId = 'refusal') {
  const dataDir = join(dir, `data-${datasetId}-${pairs}`);
  return { dataDir, result: importMoseiCsd({ ...paths, dataDir, datasetId }) };
}

/** The import fails with a CsdError naming `file` first, matching every pattern, and leaves no dataset. */
async function expectRefused(paths: { covarepPath: string; labelsPath: string }, file: 'covarepPath' | 'labelsPath', ...patterns: RegExp[]): Promise<string> {
  const { dataDir, result } = importPair(paths);
  const error = await result.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the import should have been refused').toBeInstanceOf(CsdError);
  const message = (error as CsdError).message;
  expect(message.startsWith(paths[file])).toBe(true);
  for (const pattern of patterns) expect(message).toMatch(pattern);
  expect(message).not.toMatch(/undefined|\/__w\/|HDF5-DIAG|allocation/);
  const datasets = join(dataDir, 'datasets');
  expect(existsSync(datasets) ? readdirSync(datasets) : []).toEqual([]);
  return message;
}

describe('a pair with no usable segment is refused, saying what was found and why', () => {
  const remedy = /download them again/;

  it('label intervals that are all NaN or infinite', async () => {
    const rows = (): LabelRow[] => [
      { interval: [Number.NaN, 1], values: [...NEUTRAL] },
      { interval: [1, Number.POSITIVE_INFINITY], values: [...NEUTRAL] },
      { interval: [Number.NaN, Number.NaN], values: [...NEUTRAL] },
    ];
    const paths = await writePair(defaultCovarep(), labelsFor(rows));
    await expectRefused(paths, 'labelsPath', /no usable segment/, /6 label rows of the 2 videos/, /6 have an interval that is not finite or ends before it starts/, /"vidA" row 0 \[NaN, 1\]/, remedy);
  });

  it('label intervals that all end before they start', async () => {
    const rows = (): LabelRow[] => [0, 1, 2].map((s) => ({ interval: [s + 1, s], values: [...NEUTRAL] }));
    const paths = await writePair(defaultCovarep(), labelsFor(rows));
    await expectRefused(paths, 'labelsPath', /no usable segment/, /6 have an interval that is not finite or ends before it starts/, /"vidA" row 0 \[1, 0\]/, remedy);
  });

  it('label intervals that are all empty', async () => {
    const rows = (): LabelRow[] => [0, 1, 2].map((s) => ({ interval: [s, s], values: [...NEUTRAL] }));
    const paths = await writePair(defaultCovarep(), labelsFor(rows));
    await expectRefused(paths, 'labelsPath', /no usable segment/, /6 have a zero-length interval/, remedy);
  });

  it('a labels file with zero rows', async () => {
    const paths = await writePair(defaultCovarep(), labelsFor(() => []));
    await expectRefused(paths, 'labelsPath', /no usable segment/, /holds no label rows for the 2 videos/, remedy);
  });

  it('COVAREP frames whose intervals are all non-finite', async () => {
    const covarep = VIDEOS.map((id) => covarepVideo(id, { interval: (f) => (f % 2 ? [Number.NaN, 1] : [0, Number.NEGATIVE_INFINITY]) }));
    const paths = await writePair(covarep, labelsFor(goodRows));
    const message = await expectRefused(paths, 'labelsPath', /no usable segment/, /6 have no COVAREP frame inside their interval/, /600 of the 600 COVAREP frames/, remedy);
    expect(message).toContain(paths.covarepPath);
  });

  it('a COVAREP file with zero rows', async () => {
    const paths = await writePair(VIDEOS.map((id) => covarepVideo(id, { rows: 0 })), labelsFor(goodRows));
    await expectRefused(paths, 'labelsPath', /no usable segment/, /6 have no COVAREP frame inside their interval/, /hold no COVAREP frames/, remedy);
  });
});

describe('labels that are not usable', () => {
  it('drops and counts segments whose labels are NaN or infinite, per kind of label', async () => {
    const rows = (video: string): LabelRow[] =>
      video === 'vidA'
        ? [
            { interval: [0, 1], values: [Number.NaN, 1, 0, 0, 0, 0, 0] },
            { interval: [1, 2], values: [1, Number.POSITIVE_INFINITY, 0, 0, 0, 0, Number.NaN] },
            { interval: [2, 3], values: [...NEUTRAL] },
          ]
        : goodRows();
    const { dataDir, result } = importPair(await writePair(defaultCovarep(), labelsFor(rows)), 'nan-labels');
    const { totals, written } = await result;
    expect(written.segments).toBe(4);
    expect(totals.segments).toBe(4);
    expect(totals.segmentsDroppedForLabels).toEqual(['vidA[0]', 'vidA[1]']);
    expect(totals.labelProblems.sentiment).toEqual({ nonFinite: 1, outOfRange: 0 });
    expect(totals.labelProblems.happiness).toEqual({ nonFinite: 1, outOfRange: 0 });
    expect(totals.labelProblems.fear).toEqual({ nonFinite: 1, outOfRange: 0 });
    expect(totals.labelProblems.sadness).toEqual({ nonFinite: 0, outOfRange: 0 });
    const stored = readIndex(dataDir, 'nan-labels').segments;
    expect(stored.map((s) => s.id)).toEqual(['vidA[2]', 'vidB[0]', 'vidB[1]', 'vidB[2]']);
    expect(stored.every((s) => [s.sentiment, ...s.emotions].every(Number.isFinite))).toBe(true);
  });

  it('refuses a labels file in which no label is usable', async () => {
    const rows = (): LabelRow[] => [0, 1, 2].map((s) => ({ interval: [s, s + 1], values: NEUTRAL.map((v, i) => (i % 2 ? Number.NaN : Number.NEGATIVE_INFINITY)) }));
    const paths = await writePair(defaultCovarep(), labelsFor(rows));
    await expectRefused(paths, 'labelsPath', /no usable segment/, /6 have unusable labels/, /sentiment: 6 NaN or infinite/, /fear: 6 NaN or infinite/, /"vidA" row 0/, /download them again/);
  });

  it('drops and counts labels outside their documented range, never clamping them', async () => {
    const rows = (video: string): LabelRow[] =>
      video === 'vidA'
        ? [
            { interval: [0, 1], values: [3.5, 1, 0, 0, 0, 0, 0] }, // sentiment above 3
            { interval: [1, 2], values: [-3, 0, 0, 4, 0, 0, -0.5] }, // anger above 3, fear below 0
            { interval: [2, 3], values: [3, 3, 0, 0, 0, 0, 0] }, // on the bounds: kept
          ]
        : goodRows();
    const { dataDir, result } = importPair(await writePair(defaultCovarep(), labelsFor(rows)), 'range-labels');
    const { totals } = await result;
    expect(totals.segmentsDroppedForLabels).toEqual(['vidA[0]', 'vidA[1]']);
    expect(totals.labelProblems.sentiment).toEqual({ nonFinite: 0, outOfRange: 1 });
    expect(totals.labelProblems.anger).toEqual({ nonFinite: 0, outOfRange: 1 });
    expect(totals.labelProblems.fear).toEqual({ nonFinite: 0, outOfRange: 1 });
    expect(totals.labelProblems.happiness).toEqual({ nonFinite: 0, outOfRange: 0 });
    const stored = readIndex(dataDir, 'range-labels').segments;
    expect(stored.map((s) => s.id)).toEqual(['vidA[2]', 'vidB[0]', 'vidB[1]', 'vidB[2]']);
    expect(stored[0]).toMatchObject({ sentiment: 3, emotions: [3, 0, 0, 0, 0, 0] });
  });
});

describe('features that float32 cannot hold', () => {
  it('counts float64 values beyond float32 range with the NaN and infinities, and stores 0 for them', async () => {
    const huge: Record<number, number> = { 3: 1e39, 4: -1e300, 5: 3.5e38, 6: Number.NaN, 7: 3.4e38 }; // 3.4e38 fits
    const covarep = VIDEOS.map((id) => covarepVideo(id, { float64: true, value: (f, c) => (id === 'vidA' && f === 10 ? (huge[c] ?? c) : c) }));
    const { dataDir, result } = importPair(await writePair(covarep, labelsFor(goodRows)), 'float64');
    const { totals } = await result;
    expect(totals.nonFiniteReplaced).toBe(4);
    expect(totals.beyondFloat32Replaced).toBe(3);
    const index = readIndex(dataDir, 'float64');
    const reader = new FeatureReader(dataDir, 'float64');
    try {
      const frame = reader.read(index.segments[0]).subarray(10 * FEATURE_COUNT, 11 * FEATURE_COUNT);
      expect(Array.from(frame.subarray(3, 8))).toEqual([0, 0, 0, 0, Math.fround(3.4e38)]);
      expect(index.segments.every((s) => reader.read(s).every(Number.isFinite))).toBe(true);
    } finally {
      reader.close();
    }
  });
});

describe('clear messages for files the reader cannot use', () => {
  /** An SDK-shaped COVAREP file whose features claim the LZF filter (h5py's `compression="lzf"`). */
  function writeLzfCovarep(): string {
    const path = join(dir, 'lzf-covarep.csd');
    // The earliest file format stores the filter pipeline without a checksum, so it can be edited in place.
    const file = new h5wasm.File(path, 'w', { libver: ['earliest', 'latest'] });
    try {
      const video = file.create_group('COVAREP').create_group('data').create_group('vidA');
      const { features, intervals } = covarepVideo('vidA');
      video.create_dataset({ name: 'features', data: features, shape: [FRAMES_PER_VIDEO, FEATURE_COUNT], dtype: '<f', chunks: [100, FEATURE_COUNT], compression: 'gzip', compression_opts: 1 });
      video.create_dataset({ name: 'intervals', data: intervals, shape: [FRAMES_PER_VIDEO, 2], dtype: '<d' });
    } finally {
      file.close();
    }
    // Filter pipeline message v1: id (2 bytes), name length, flags, value count, then the name padded to 8 bytes.
    const bytes = readFileSync(path);
    const name = bytes.indexOf('deflate\0', 0, 'latin1');
    expect(name).toBeGreaterThan(8);
    expect(bytes.readUInt16LE(name - 8)).toBe(1); // deflate's filter id
    bytes.writeUInt16LE(32000, name - 8); // LZF's registered id
    bytes.write('lzf\0\0\0\0\0', name, 'latin1');
    writeFileSync(path, bytes);
    return path;
  }

  it('names an unsupported compression filter and says to re-save the file with gzip', async () => {
    const covarepPath = writeLzfCovarep();
    const { labelsPath } = await writePair(defaultCovarep(), labelsFor(goodRows));
    const message = await expectRefused({ covarepPath, labelsPath }, 'covarepPath', /"vidA"/, /LZF/, /re-save/i, /gzip/);
    expect(message).not.toMatch(/plugin|corrupt/);
  });

  it('refuses an absurd declared shape before allocating it', async () => {
    const covarepPath = join(dir, 'huge-covarep.csd');
    const file = new h5wasm.File(covarepPath, 'w');
    try {
      const video = file.create_group('COVAREP').create_group('data').create_group('vidA');
      const { features, intervals } = covarepVideo('vidA');
      const declared = 2 ** 40;
      video.create_dataset({ name: 'features', data: features, shape: [FRAMES_PER_VIDEO, FEATURE_COUNT], maxshape: [null, FEATURE_COUNT], dtype: '<f', chunks: [100, FEATURE_COUNT] }).resize([declared, FEATURE_COUNT]);
      video.create_dataset({ name: 'intervals', data: intervals, shape: [FRAMES_PER_VIDEO, 2], maxshape: [null, 2], dtype: '<d', chunks: [100, 2] }).resize([declared, 2]);
    } finally {
      file.close();
    }
    const { labelsPath } = await writePair(defaultCovarep(), labelsFor(goodRows));
    await expectRefused({ covarepPath, labelsPath }, 'covarepPath', /"vidA"/, /1,099,511,627,776 rows/, /download it again/);
  });

  describe.skipIf(process.platform === 'win32')('paths that are not regular files', () => {
    let server: Server;
    let socketPath: string;
    let fifoPath: string;
    beforeAll(async () => {
      fifoPath = join(dir, 'pipe.csd');
      execFileSync('mkfifo', [fifoPath]);
      socketPath = join(dir, 'socket.csd');
      server = createServer();
      await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it.each([
      ['a FIFO', () => fifoPath, /is a FIFO \(named pipe\), not a \.csd file/],
      ['a socket', () => socketPath, /is a socket, not a \.csd file/],
      ['a device', () => '/dev/null', /is a device, not a \.csd file/],
      ['a folder', () => dir, /is a folder, not a \.csd file/],
    ])('says what %s is', async (_, path, pattern) => {
      const error = await openCsd(path()).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(CsdError);
      expect((error as CsdError).message).toMatch(pattern);
      expect((error as CsdError).message.startsWith(path())).toBe(true);
    });
  });
});
