import { writeFileSync } from 'node:fs';
import { COVAREP_FEATURES, FEATURE_COUNT } from '@shared/emotions';
import type { AlignedSegment, Alignment, AlignmentTotals } from './align';
import type { CsdFile } from './csdFile';

/**
 * An alignment report in the shape of test/fixtures/mosei-mini/aligned_reference.json (what the SDK's
 * align('All Labels') gives), so an import's report can be diffed against any SDK-produced reference.
 * Keys stay snake_case to match that file.
 */
export interface SegmentReportEntry {
  label_interval: [number, number];
  sentiment: number;
  emotions: number[];
  frames: number;
  first_frame_interval: [number, number];
  last_frame_interval: [number, number];
  nonfinite_values: number;
  mean_after_nonfinite_to_zero: number[];
}

export interface AlignmentReport {
  about: string;
  feature_dim: number;
  feature_names: string[];
  videos_in_covarep: string[];
  videos_in_labels: string[];
  /** Keyed `<video>[i]`, in alignment order. */
  segments: Record<string, SegmentReportEntry>;
  /** Not in the SDK reference: what the import dropped, skipped and replaced. */
  import_summary?: {
    covarep_file: string;
    labels_file: string;
    dropped_videos: { only_in_covarep: string[]; only_in_labels: string[] };
    totals: AlignmentTotals;
  };
}

export function segmentReportEntry(segment: AlignedSegment): SegmentReportEntry {
  const { frames, frameIntervals: clipped, features } = segment;
  const sums = new Float64Array(FEATURE_COUNT); // float64 sums: float32 would drift over long segments
  for (let i = 0; i < features.length; i++) sums[i % FEATURE_COUNT] += features[i];
  return {
    label_interval: [segment.start, segment.end],
    sentiment: segment.sentiment,
    emotions: [...segment.emotions],
    frames,
    first_frame_interval: [clipped[0], clipped[1]],
    last_frame_interval: [clipped[2 * frames - 2], clipped[2 * frames - 1]],
    nonfinite_values: segment.nonFinite,
    mean_after_nonfinite_to_zero: Array.from(sums, (sum) => sum / frames),
  };
}

/** Collects entries while segments stream past, then assembles the report. */
export class AlignmentReportBuilder {
  private readonly segments: Record<string, SegmentReportEntry> = {};

  constructor(
    private readonly covarep: CsdFile,
    private readonly labels: CsdFile,
  ) {}

  add(segment: AlignedSegment): void {
    this.segments[segment.id] = segmentReportEntry(segment);
  }

  build(alignment: Alignment): AlignmentReport {
    const names = this.covarep.metadata['dimension names'];
    const featureNames =
      Array.isArray(names) && names.length === FEATURE_COUNT && names.every((n) => typeof n === 'string')
        ? (names as string[])
        : [...COVAREP_FEATURES];
    return {
      about:
        `COVAREP aligned to "${this.labels.rootName}" by the workbench's re-implementation of CMU-MultimodalSDK's ` +
        "mmdataset.align, no collapse function. Segment keys are VIDEO[i], i = row of the labels file. 'mean_after_nonfinite_to_zero' " +
        'is the per-feature mean over the aligned frames after NaN, +/-inf and float64 values beyond float32 range are set to 0.',
      feature_dim: FEATURE_COUNT,
      feature_names: featureNames,
      videos_in_covarep: [...this.covarep.videoIds()],
      videos_in_labels: [...this.labels.videoIds()],
      segments: this.segments,
      import_summary: {
        covarep_file: this.covarep.path,
        labels_file: this.labels.path,
        dropped_videos: {
          only_in_covarep: [...alignment.droppedVideos.onlyInCovarep],
          only_in_labels: [...alignment.droppedVideos.onlyInLabels],
        },
        totals: alignment.totals,
      },
    };
  }
}

export function writeAlignmentReport(path: string, report: AlignmentReport): void {
  writeFileSync(path, `${JSON.stringify(report, null, 1)}\n`);
}

export interface ReportTolerance {
  /** For intervals, sentiment and emotions (float64 on both sides). */
  absolute: number;
  /** For feature means: |a - b| <= relative * max(1, |b|). */
  meanRelative: number;
}

export const DEFAULT_TOLERANCE: ReportTolerance = { absolute: 1e-9, meanRelative: 1e-6 };

/**
 * Differences between a report and a reference (e.g. one the SDK produced), one readable line each;
 * empty when they agree. Segment order counts, since the SDK's order is the labels file's.
 */
export function compareReports(
  actual: Pick<AlignmentReport, 'segments'>,
  reference: Pick<AlignmentReport, 'segments'>,
  tolerance: ReportTolerance = DEFAULT_TOLERANCE,
  maxDifferences = 50,
): string[] {
  const differences: string[] = [];
  const actualIds = Object.keys(actual.segments);
  const referenceIds = Object.keys(reference.segments);
  const missing = referenceIds.filter((id) => !(id in actual.segments));
  const extra = actualIds.filter((id) => !(id in reference.segments));
  if (missing.length) differences.push(`missing segments: ${missing.join(', ')}`);
  if (extra.length) differences.push(`segments not in the reference: ${extra.join(', ')}`);
  const shared = referenceIds.filter((id) => id in actual.segments);
  if (shared.join('\n') !== actualIds.filter((id) => id in reference.segments).join('\n')) {
    differences.push('segments are in a different order than in the reference');
  }
  const close = (a: number, b: number, tol: number) => a === b || Math.abs(a - b) <= tol;
  for (const id of shared) {
    const a = actual.segments[id];
    const r = reference.segments[id];
    if (a.frames !== r.frames) differences.push(`${id}: ${a.frames} frames, reference ${r.frames}`);
    if (a.nonfinite_values !== r.nonfinite_values) {
      differences.push(`${id}: ${a.nonfinite_values} non-finite values, reference ${r.nonfinite_values}`);
    }
    const numbers: [string, number[], number[]][] = [
      ['label_interval', a.label_interval, r.label_interval],
      ['first_frame_interval', a.first_frame_interval, r.first_frame_interval],
      ['last_frame_interval', a.last_frame_interval, r.last_frame_interval],
      ['sentiment', [a.sentiment], [r.sentiment]],
      ['emotions', a.emotions, r.emotions],
    ];
    for (const [key, values, expected] of numbers) {
      if (values.length !== expected.length || values.some((v, i) => !close(v, expected[i], tolerance.absolute))) {
        differences.push(`${id}: ${key} ${JSON.stringify(values)}, reference ${JSON.stringify(expected)}`);
      }
    }
    const means = a.mean_after_nonfinite_to_zero;
    const expectedMeans = r.mean_after_nonfinite_to_zero;
    const off = expectedMeans.findIndex(
      (m, i) => !close(means[i], m, tolerance.meanRelative * Math.max(1, Math.abs(m))),
    );
    if (means.length !== expectedMeans.length || off >= 0) {
      differences.push(`${id}: mean of feature ${off} is ${means[off]}, reference ${expectedMeans[off]}`);
    }
    if (differences.length >= maxDifferences) break;
  }
  return differences.slice(0, maxDifferences);
}
