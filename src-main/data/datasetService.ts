import type { DatasetSummary, SegmentFeatures, SegmentRow } from '@shared/api/entities';
import { WorkbenchError } from '@shared/api/contract';
import { COVAREP_FEATURES, FEATURE_COUNT } from '@shared/emotions';
import type { DatasetRepository } from '../store/datasets';
import type { SplitRepository, SplitSizes, StoredSplit } from '../store/splits';
import { DEFAULT_SPLIT_CONFIG, type SplitConfig } from '@shared/data/splits';
import { datasetDir, datasetExists, FeatureReader, removeDataset, readIndex, writeDataset, type SegmentIndexEntry, type WrittenDataset } from './datasetFiles';
import { SMALL_BUILTIN, type SyntheticParams } from './synthetic';
import { generateSegments, type GeneratorParams } from './generators';
import { CONTROL_NAMES, controlRole, NEGATIVE_CONTROL, NEGATIVE_CONTROL_ID, POSITIVE_CONTROL, POSITIVE_CONTROL_ID, type ControlParams } from '@shared/data/controls';

export const BUILTIN_DATASET_ID = 'builtin-small';
export const BUILTIN_DATASET_NAME = 'Built-in synthetic (small) — not real CMU-MOSEI';
export const FULL_DATASET_ID = 'builtin-full';
export const FULL_DATASET_NAME = 'Built-in synthetic (full size) — not real CMU-MOSEI';

export class DatasetService {
  constructor(
    private readonly dataDir: string,
    private readonly repo: DatasetRepository,
    private readonly splits: SplitRepository,
  ) {}

  /** The split a run asks for, computed once and stored with the dataset. */
  split(id: string, config: SplitConfig): StoredSplit {
    return this.splits.ensure(id, config, () => this.index(id));
  }

  /** Segments per part of a split, from its stored counts: what counting needs, without reading the assignment (computed and stored first when new). */
  splitSizes(id: string, config: SplitConfig): SplitSizes {
    const stored = this.splits.sizes(id, config);
    if (stored) return stored;
    const { assignment } = this.split(id, config);
    return { train: assignment.train.length, validation: assignment.validation.length, test: assignment.test?.length ?? 0 };
  }

  /** The first built-in dataset (400 segments, a weak effect): data directories that have it keep it; a new one no longer gets it. */
  ensureBuiltin(params: SyntheticParams = SMALL_BUILTIN): Promise<DatasetSummary> {
    return this.ensureSynthetic(BUILTIN_DATASET_ID, BUILTIN_DATASET_NAME, params);
  }

  /**
   * What every entry point makes sure of when it opens the data directory: the positive and
   * negative controls exist (created on a first start, regenerated identically if their files
   * went missing), and so do the files of the first built-in dataset where it is recorded.
   * Returns the ids of the datasets created by this call.
   */
  async ensureBuiltins(): Promise<string[]> {
    const created: string[] = [];
    const controls: Array<[string, ControlParams]> = [[POSITIVE_CONTROL_ID, POSITIVE_CONTROL], [NEGATIVE_CONTROL_ID, NEGATIVE_CONTROL]];
    for (const [id, params] of controls) {
      const existed = this.repo.find(id) !== null;
      await this.ensureSynthetic(id, CONTROL_NAMES[controlRole(params)], params);
      if (!existed) created.push(id);
    }
    const legacy = this.repo.find(BUILTIN_DATASET_ID);
    if (legacy?.source === 'synthetic') await this.ensureBuiltin(this.repo.params<SyntheticParams>(BUILTIN_DATASET_ID));
    return created;
  }

  /**
   * A generated dataset, written once; regenerated (identically) if its files went missing, from
   * the parameters recorded with it: a later version's defaults (`params`) may make other data.
   */
  async ensureSynthetic(id: string, name: string, params: GeneratorParams): Promise<DatasetSummary> {
    const existing = this.repo.find(id);
    if (existing && datasetExists(this.dataDir, id)) return existing;
    const recorded = existing ? (existing.control ?? this.repo.params<GeneratorParams>(id)) : params;
    const written = await writeDataset(
      this.dataDir,
      id,
      (function* () {
        for (const { emotions, sentiment, features, id, video, start, end } of generateSegments(recorded)) {
          yield { id, video, start, end, sentiment, emotions, features };
        }
      })(),
    );
    if (existing) {
      if (written.fingerprint === existing.fingerprint) return existing;
      removeDataset(this.dataDir, id);
      throw new WorkbenchError(
        'conflict',
        `The files of dataset "${existing.name}" (${id}) were missing and, regenerated from its recorded parameters, do not match its recorded fingerprint ` +
          `(${written.fingerprint.slice(0, 12)}… instead of ${existing.fingerprint.slice(0, 12)}…). Its runs stay in the history; restore the folder ${datasetDir(this.dataDir, id)} from a backup.`,
      );
    }
    try {
      return this.insertGenerated(id, name, params, written);
    } catch (err) {
      // Another process opening the same new data directory recorded it meanwhile, from the same bytes.
      const meanwhile = this.repo.find(id);
      if (err instanceof WorkbenchError && err.code === 'conflict' && meanwhile?.fingerprint === written.fingerprint) return meanwhile;
      throw err;
    }
  }

  private insertGenerated(id: string, name: string, params: GeneratorParams, written: WrittenDataset): DatasetSummary {
    return this.repo.insert({
      id,
      name,
      source: 'synthetic',
      segments: written.segments,
      videos: written.videos,
      frames: written.frames,
      features: FEATURE_COUNT,
      nonFiniteReplaced: 0,
      fingerprint: written.fingerprint,
      params,
    });
  }

  /** Every dataset, with its default split computed on first listing. */
  list(): DatasetSummary[] {
    const datasets = this.repo.list();
    const missing = datasets.filter((d) => !d.defaultSplit && datasetExists(this.dataDir, d.id));
    for (const d of missing) this.split(d.id, DEFAULT_SPLIT_CONFIG);
    return missing.length ? this.repo.list() : datasets;
  }

  /** Each segment's six emotion intensities (EMOTIONS order), in the dataset's order. */
  emotionLabels(id: string): number[][] {
    return this.index(id).map((s) => s.emotions);
  }

  /** Every segment's id, frames and emotions, in the dataset's order, from one read of its index. */
  segmentIndex(id: string): readonly SegmentIndexEntry[] {
    return this.index(id);
  }

  /** Segment ids, in the dataset's order. */
  segmentIds(id: string): string[] {
    return this.index(id).map((s) => s.id);
  }

  /** Frames of each segment, in the dataset's order. */
  segmentFrames(id: string): number[] {
    return this.index(id).map((s) => s.frames);
  }

  get(id: string): DatasetSummary {
    return this.repo.get(id);
  }

  private index(id: string): SegmentIndexEntry[] {
    this.repo.get(id);
    if (!datasetExists(this.dataDir, id)) {
      throw new WorkbenchError('not_found', `The files of dataset "${id}" are missing from the data directory; import it again.`);
    }
    return readIndex(this.dataDir, id).segments;
  }

  /** Each segment's side of the default split. */
  private sides(id: string, count: number): SegmentRow['split'][] {
    const { assignment } = this.split(id, DEFAULT_SPLIT_CONFIG);
    const side = new Array<SegmentRow['split']>(count).fill('unassigned');
    for (const key of ['train', 'validation', 'test'] as const) for (const i of assignment[key] ?? []) side[i] = key;
    return side;
  }

  segments(id: string): SegmentRow[] {
    const index = this.index(id);
    const side = this.sides(id, index.length);
    return index.map(({ offset: _offset, nonFinite, ...s }, i) => ({ index: i, ...s, nonFinite: nonFinite ?? null, split: side[i] }));
  }

  segment(id: string, index: number, maxFrames: number): SegmentFeatures {
    const segments = this.index(id);
    const entry = segments[index];
    if (!entry) throw new WorkbenchError('not_found', `Dataset "${id}" has ${segments.length} segments; there is no segment ${index}.`);
    const reader = new FeatureReader(this.dataDir, id);
    try {
      const values = reader.read(entry, 0, maxFrames);
      const { offset: _offset, nonFinite, ...row } = entry;
      return { index, ...row, nonFinite: nonFinite ?? null, split: this.sides(id, segments.length)[index], featureNames: [...COVAREP_FEATURES], shownFrames: values.length / FEATURE_COUNT, values: Array.from(values) };
    } finally {
      reader.close();
    }
  }
}
