import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '@shared/emotions';
import { emptyLabelProblems } from '@shared/data/labelChecks';
import { alignCovarepToLabels, type AlignedSegment, type AlignOptions } from './align';
import { CsdError, openCsd, type CsdFile } from './csdFile';
import { AlignmentReportBuilder, compareReports, type AlignmentReport } from './report';
import { importMoseiCsd } from './importCsd';
import { FeatureReader, readIndex } from '../datasetFiles';
import { FIXTURES_DIR } from '../../../test/fixturePaths';

const SHARED = FIXTURES_DIR;
const MINI = join(SHARED, 'mosei-mini');
const COVAREP_PATH = join(MINI, 'CMU_MOSEI_COVAREP.csd');
const LABELS_PATH = join(MINI, 'CMU_MOSEI_Labels.csd');
const MOSI_WORDS_PATH = join(SHARED, 'real', 'CMU_MOSI_ModifiedTimestampedWords.csd');
const reference = JSON.parse(readFileSync(join(MINI, 'aligned_reference.json'), 'utf8')) as AlignmentReport;

/** Means are float64 sums of float32 values on both sides; allowed: |ours - SDK| <= 1e-6 * max(1, |SDK|). */
const MEAN_RELATIVE_TOLERANCE = 1e-6;

let tempDir: string;
beforeAll(async () => {
  await h5wasm.ready;
  tempDir = mkdtempSync(join(tmpdir(), 'csd-spec-'));
});
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

async function withFiles<T>(covarepPath: string, labelsPath: string, use: (covarep: CsdFile, labels: CsdFile) => T): Promise<T> {
  const covarep = await openCsd(covarepPath);
  try {
    const labels = await openCsd(labelsPath);
    try {
      return use(covarep, labels);
    } finally {
      labels.close();
    }
  } finally {
    covarep.close();
  }
}

function alignAll(covarepPath: string, labelsPath: string, options?: AlignOptions) {
  return withFiles(covarepPath, labelsPath, (covarep, labels) => {
    const alignment = alignCovarepToLabels(covarep, labels, options);
    const builder = new AlignmentReportBuilder(covarep, labels);
    const segments: AlignedSegment[] = [];
    for (const segment of alignment.segments()) {
      builder.add(segment);
      segments.push(segment);
    }
    return { alignment, segments, report: builder.build(alignment) };
  });
}

/** Expects `run` to fail with a CsdError naming `file` and matching every pattern. */
async function expectCsdError(run: () => unknown, file: string, ...patterns: RegExp[]): Promise<CsdError> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CsdError);
  const error = caught as CsdError;
  expect(error.file).toBe(file);
  expect(error.message.startsWith(file)).toBe(true);
  for (const pattern of patterns) expect(error.message).toMatch(pattern);
  return error;
}

interface VideoSpec {
  features: number[][];
  intervals: number[][];
  /** Override the stored shapes to write malformed files. */
  intervalShape?: number[];
}

/** Writes a small .csd the way the SDK lays it out (h5wasm can create HDF5 files). */
function writeCsd(name: string, root: string, videos: Record<string, VideoSpec>, { withData = true } = {}): string {
  const path = join(tempDir, name);
  const file = new h5wasm.File(path, 'w');
  try {
    const group = file.create_group(root);
    const metadata = group.create_group('metadata');
    metadata.create_dataset({ name: 'root name', data: [JSON.stringify(root)] });
    if (!withData) return path;
    const data = group.create_group('data');
    for (const [video, spec] of Object.entries(videos)) {
      const videoGroup = data.create_group(video);
      const columns = spec.features[0]?.length ?? 0;
      videoGroup.create_dataset({
        name: 'features',
        data: Float32Array.from(spec.features.flat()),
        shape: [spec.features.length, columns],
        dtype: '<f',
      });
      const intervals = Float64Array.from(spec.intervals.flat());
      videoGroup.create_dataset({
        name: 'intervals',
        data: intervals,
        shape: spec.intervalShape ?? [spec.intervals.length, 2],
        dtype: '<d',
      });
    }
  } finally {
    file.close();
  }
  return path;
}

const covarepFrame = (marker: number, overrides: Record<number, number> = {}) =>
  Array.from({ length: FEATURE_COUNT }, (_, c) => overrides[c] ?? marker + c / 100);

describe('CsdFile', () => {
  it('reads root name, JSON metadata, video ids and one video at a time', async () => {
    const covarep = await openCsd(COVAREP_PATH);
    try {
      expect(covarep.rootName).toBe('COVAREP');
      expect(covarep.metadata['root name']).toBe('COVAREP');
      expect(covarep.metadata['dimension names']).toEqual(reference.feature_names);
      expect(covarep.videoIds()).toEqual(reference.videos_in_covarep);
      const video = covarep.readVideo('-3g5yACwYnA');
      expect(video.rows).toBe(900);
      expect(video.columns).toBe(FEATURE_COUNT);
      expect(video.features).toBeInstanceOf(Float32Array);
      expect(video.features.length).toBe(900 * FEATURE_COUNT);
      expect(Array.from(video.intervals.subarray(0, 2))).toEqual([0, 0.01]);
    } finally {
      covarep.close();
    }
  });

  it('opens a real SDK file it did not write, keeping non-JSON metadata as text', async () => {
    const words = await openCsd(MOSI_WORDS_PATH);
    try {
      expect(words.rootName).toBe('CMU_MOSI_ModifiedTimestampedWords');
      expect(words.videoIds()).toHaveLength(93);
      expect(words.metadata['md5']).toBe('None');
    } finally {
      words.close();
    }
  });
});

describe('alignCovarepToLabels on the mosei-mini fixture', () => {
  it('reproduces the SDK reference: ids and order, frames, clipped intervals, non-finite counts, labels', async () => {
    const { report } = await alignAll(COVAREP_PATH, LABELS_PATH);
    expect(Object.keys(report.segments)).toEqual(Object.keys(reference.segments));
    for (const [id, expected] of Object.entries(reference.segments)) {
      const actual = report.segments[id];
      expect(actual.frames, id).toBe(expected.frames);
      expect(actual.label_interval, id).toEqual(expected.label_interval);
      expect(actual.first_frame_interval, id).toEqual(expected.first_frame_interval);
      expect(actual.last_frame_interval, id).toEqual(expected.last_frame_interval);
      expect(actual.nonfinite_values, id).toBe(expected.nonfinite_values);
      expect(actual.sentiment, id).toBe(expected.sentiment);
      expect(actual.emotions, id).toEqual(expected.emotions);
    }
  });

  it('reproduces the per-feature means after NaN/inf -> 0', async () => {
    const { report } = await alignAll(COVAREP_PATH, LABELS_PATH);
    for (const [id, expected] of Object.entries(reference.segments)) {
      const means = report.segments[id].mean_after_nonfinite_to_zero;
      expect(means).toHaveLength(FEATURE_COUNT);
      expected.mean_after_nonfinite_to_zero.forEach((mean, feature) => {
        expect(Math.abs(means[feature] - mean), `${id} feature ${feature}`).toBeLessThanOrEqual(
          MEAN_RELATIVE_TOLERANCE * Math.max(1, Math.abs(mean)),
        );
      });
    }
    expect(compareReports(report, reference)).toEqual([]);
  });

  it('drops videos found in one file only, skips the zero-length row, and replaces non-finite values', async () => {
    const { alignment, segments } = await alignAll(COVAREP_PATH, LABELS_PATH);
    const inCovarep = new Set(reference.videos_in_covarep);
    const inLabels = new Set(reference.videos_in_labels);
    expect(alignment.droppedVideos.onlyInCovarep).toEqual(reference.videos_in_covarep.filter((v) => !inLabels.has(v)));
    expect(alignment.droppedVideos.onlyInLabels).toEqual(reference.videos_in_labels.filter((v) => !inCovarep.has(v)));
    expect(alignment.droppedVideos).toEqual({ onlyInCovarep: ['OnlyInAudio1'], onlyInLabels: ['OnlyInLabels'] });

    const referenceSegments = Object.values(reference.segments);
    expect(alignment.totals).toEqual({
      videosAligned: 7,
      segments: referenceSegments.length,
      frames: referenceSegments.reduce((sum, s) => sum + s.frames, 0),
      nonFiniteReplaced: referenceSegments.reduce((sum, s) => sum + s.nonfinite_values, 0),
      beyondFloat32Replaced: 0,
      // The reference says which segments held them, and how many each.
      segmentsWithNonFinite: referenceSegments.filter((s) => s.nonfinite_values > 0).length,
      mostNonFinite: Object.entries(reference.segments)
        .filter(([, s]) => s.nonfinite_values > 0)
        .map(([id, s]) => ({ id, values: s.nonfinite_values }))
        .sort((a, b) => b.values - a.values)
        .slice(0, 3),
      labelRows: referenceSegments.length + 1,
      zeroLengthRowsSkipped: 1, // 8qrpnFRGt2A row 0 is [2, 2]; its neighbour keeps the id 8qrpnFRGt2A[1]
      invalidIntervalRows: 0,
      rowsWithoutFrames: [],
      covarepFrames: 5150, // of the seven shared videos; OnlyInAudio1's frames are not read
      covarepFramesWithoutTime: 0,
      segmentsDroppedForLabels: [],
      labelProblems: emptyLabelProblems(),
    });
    expect(alignment.totals.nonFiniteReplaced).toBe(77);
    for (const segment of segments) {
      expect(segment.features.length).toBe(segment.frames * FEATURE_COUNT);
      expect(segment.frameIntervals.length).toBe(segment.frames * 2);
      expect(segment.features.every(Number.isFinite)).toBe(true);
      expect(segment.emotions).toHaveLength(6);
    }
  });

  it('reports progress per video and stops when aborted', async () => {
    const progress: [number, number][] = [];
    await alignAll(COVAREP_PATH, LABELS_PATH, { onProgress: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7].map((done) => [done, 7]));

    const controller = new AbortController();
    const seenVideos = new Set<string>();
    await expect(
      withFiles(COVAREP_PATH, LABELS_PATH, (covarep, labels) => {
        const alignment = alignCovarepToLabels(covarep, labels, { signal: controller.signal, onProgress: () => controller.abort() });
        for (const segment of alignment.segments()) seenVideos.add(segment.video);
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect([...seenVideos]).toEqual(['-3g5yACwYnA']);
  });
});

describe('importMoseiCsd', () => {
  it('writes the dataset cache and a --report file that matches the SDK reference', async () => {
    const dataDir = join(tempDir, 'data');
    const reportPath = join(tempDir, 'report.json');
    const result = await importMoseiCsd({ covarepPath: COVAREP_PATH, labelsPath: LABELS_PATH, dataDir, datasetId: 'mini', reportPath });
    expect(result.written.segments).toBe(Object.keys(reference.segments).length);
    expect(result.totals.nonFiniteReplaced).toBe(77);
    const written = JSON.parse(readFileSync(reportPath, 'utf8')) as AlignmentReport;
    expect(compareReports(written, reference)).toEqual([]);

    const index = readIndex(dataDir, 'mini');
    expect(Object.keys(index.segments[0]).sort()).toEqual(['emotions', 'end', 'frames', 'id', 'nonFinite', 'offset', 'sentiment', 'start', 'video']);
    // Each segment keeps how many of its values were replaced, as the SDK reference counts them.
    for (const entry of index.segments) expect(entry.nonFinite).toBe(reference.segments[entry.id].nonfinite_values);
    const segment = index.segments.find((s) => s.id === '0eTibWQdO6k[1]')!;
    const reader = new FeatureReader(dataDir, 'mini');
    const frames = reader.read(segment);
    reader.close();
    const meanF0 = frames.filter((_, i) => i % FEATURE_COUNT === 0).reduce((sum, v) => sum + v, 0) / segment.frames;
    expect(meanF0).toBeCloseTo(reference.segments['0eTibWQdO6k[1]'].mean_after_nonfinite_to_zero[0], 9);
  });
});

describe('the SDK rules beyond the fixture', () => {
  it('merges "<video>[k]" COVAREP entries in time order, keeps overlaps > 1e-5 s clipped, drops the rest', async () => {
    const covarepPath = writeCsd('rules-covarep.csd', 'COVAREP', {
      'vid[0]': {
        features: [covarepFrame(100, { 3: Number.NaN, 4: Number.NEGATIVE_INFINITY }), covarepFrame(101)],
        intervals: [[1.0, 1.01], [1.01, 1.02]],
      },
      'vid[1]': {
        features: [covarepFrame(99, { 5: Number.POSITIVE_INFINITY }), covarepFrame(50)],
        intervals: [[0.99, 1.0], [0.5, 0.51]],
      },
    });
    const label = (sentiment: number) => [sentiment, 1, 0, 0, 0, 0, 0];
    const labelsPath = writeCsd('rules-labels.csd', 'All Labels', {
      vid: {
        features: [label(0), label(1), label(2), label(3), label(-1)],
        intervals: [
          [0.995, 1.015], // three frames, the outer two clipped
          [1.019995, 1.05], // only [1.01, 1.02] reaches in, by 5e-6 s: not enough
          [1.01998, 1.05], // [1.01, 1.02] reaches in by 2e-5 s: kept
          [2, 2], // zero length: skipped, index not reused
          [-1, 0.505], // negative start
        ],
      },
    });
    const { alignment, segments } = await alignAll(covarepPath, labelsPath);
    expect(segments.map((s) => s.id)).toEqual(['vid[0]', 'vid[2]', 'vid[4]']);
    const [first, second, third] = segments;
    expect(Array.from(first.frameIntervals)).toEqual([0.995, 1.0, 1.0, 1.01, 1.01, 1.015]);
    expect([0, 1, 2].map((k) => first.features[k * FEATURE_COUNT])).toEqual([99, 100, 101]);
    expect(first.nonFinite).toBe(3);
    expect(first.features[FEATURE_COUNT + 3]).toBe(0);
    expect(Array.from(second.frameIntervals)).toEqual([1.01998, 1.02]);
    expect(second.sentiment).toBe(2);
    expect(Array.from(third.frameIntervals)).toEqual([0.5, 0.505]);
    expect(third.start).toBe(-1);
    expect(alignment.totals.rowsWithoutFrames).toEqual(['vid[1]']);
    expect(alignment.totals.zeroLengthRowsSkipped).toBe(1);
  });
});

describe('bad inputs give a CsdError naming the file', () => {
  it('refuses a file that is not HDF5', async () => {
    const path = join(tempDir, 'notes.csd');
    writeFileSync(path, 'video,start,end\nabc,0,1\n');
    await expectCsdError(() => openCsd(path), path, /not an HDF5 file/, /text file/);
  });

  it('refuses a truncated download (first half of the COVAREP fixture)', async () => {
    const path = join(tempDir, 'half.csd');
    const full = readFileSync(COVAREP_PATH);
    writeFileSync(path, full.subarray(0, Math.floor(full.length / 2)));
    await expectCsdError(() => openCsd(path), path, /truncated/, /download/);
  });

  it('fails loudly on a corrupt chunk instead of returning garbage', async () => {
    const path = join(tempDir, 'corrupt.csd');
    copyFileSync(COVAREP_PATH, path);
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(20_000), 0, 20_000, Math.floor(statSync(path).size * 0.4));
    closeSync(fd);
    await expectCsdError(() => alignAll(path, LABELS_PATH), path, /Reading video "[^"]+" failed/, /corrupt/);
  });

  it('refuses the real MOSI word-timing file: its features are strings', async () => {
    const strings = /features of "CMU_MOSI_ModifiedTimestampedWords" are text \(strings\), not numbers/;
    await expectCsdError(() => alignAll(MOSI_WORDS_PATH, LABELS_PATH), MOSI_WORDS_PATH, strings);
    await expectCsdError(() => alignAll(COVAREP_PATH, MOSI_WORDS_PATH), MOSI_WORDS_PATH, strings);
    const words = await openCsd(MOSI_WORDS_PATH);
    try {
      await expectCsdError(() => words.readVideo(words.videoIds()[0]), MOSI_WORDS_PATH, strings, /word or phoneme timings/);
    } finally {
      words.close();
    }
  });

  it('refuses a COVAREP file that is not 74-dimensional (the labels file in its place)', async () => {
    await expectCsdError(() => alignAll(LABELS_PATH, LABELS_PATH), LABELS_PATH, /74 columns/, /has 7/);
  });

  it('refuses labels with the wrong column count (the COVAREP file in their place)', async () => {
    await expectCsdError(() => alignAll(COVAREP_PATH, COVAREP_PATH), COVAREP_PATH, /7 columns \[sentiment, happy/, /has 74/);
  });

  it('refuses features and intervals with different row counts', async () => {
    const path = writeCsd('mismatch.csd', 'COVAREP', {
      vid: { features: Array.from({ length: 10 }, (_, i) => covarepFrame(i)), intervals: Array.from({ length: 9 }, (_, i) => [i / 100, (i + 1) / 100]) },
    });
    const file = await openCsd(path);
    try {
      await expectCsdError(() => file.readVideo('vid'), path, /features have 10 rows but intervals have 9/);
    } finally {
      file.close();
    }
  });

  it('refuses intervals that are not N x 2', async () => {
    const path = writeCsd('intervals-shape.csd', 'COVAREP', {
      vid: { features: [covarepFrame(0), covarepFrame(1)], intervals: [[0, 0.01, 0.02], [0.01, 0.02, 0.03]], intervalShape: [2, 3] },
    });
    const file = await openCsd(path);
    try {
      await expectCsdError(() => file.inspectVideo('vid'), path, /intervals must be N × 2/, /\[2, 3\]/);
    } finally {
      file.close();
    }
  });

  it('refuses an HDF5 file without a data group', async () => {
    const path = writeCsd('no-data.csd', 'COVAREP', {}, { withData: false });
    await expectCsdError(() => openCsd(path), path, /no "data" group under "COVAREP"/);
  });
});
