import type { SegmentRow } from '@shared/api/entities';
import { EMOTIONS, EMOTION_MAX, type Emotion } from '@shared/emotions';

/**
 * The segment table's logic, pure so it can be tested without a DOM: filtering, sorting,
 * the window of rows a virtualised table renders, and the label distribution.
 */

export type SortKey = 'id' | 'video' | 'frames' | 'duration' | 'nonFinite' | 'sentiment' | Emotion;
export type SortDirection = 'asc' | 'desc';
export interface SortState {
  key: SortKey;
  direction: SortDirection;
}

export interface SegmentFilter {
  /** Null: any emotion (no emotion filter). */
  emotion: Emotion | null;
  /** With an emotion: keep segments where it is present (> 0) at least this strongly. */
  minIntensity: number;
  /** Case-insensitive substring of the video id; empty keeps every video. */
  videoQuery: string;
}

export const NO_FILTER: SegmentFilter = { emotion: null, minIntensity: 0, videoQuery: '' };

/** Seconds the segment's label interval covers. */
export function segmentDuration(row: SegmentRow): number {
  return row.end - row.start;
}

export function filterRows(rows: readonly SegmentRow[], filter: SegmentFilter): SegmentRow[] {
  const query = filter.videoQuery.trim().toLowerCase();
  const e = filter.emotion === null ? -1 : EMOTIONS.indexOf(filter.emotion);
  const min = Number.isFinite(filter.minIntensity) ? filter.minIntensity : 0;
  // Intensities are thirds stored as floats; a small tolerance keeps 1/3 >= 0.333.
  const threshold = min - 1e-6;
  if (!query && e < 0) return rows.slice();
  return rows.filter((r) => {
    if (e >= 0) {
      const v = r.emotions[e] ?? 0;
      if (!(v > 0) || v < threshold) return false;
    }
    return !query || r.video.toLowerCase().includes(query);
  });
}

function sortValue(row: SegmentRow, key: SortKey): number | string {
  switch (key) {
    case 'id':
      return row.id;
    case 'video':
      return row.video;
    case 'frames':
      return row.frames;
    case 'duration':
      return segmentDuration(row);
    case 'nonFinite':
      return row.nonFinite ?? -1;
    case 'sentiment':
      return row.sentiment;
    default:
      return row.emotions[EMOTIONS.indexOf(key)] ?? 0;
  }
}

/** Stable: equal values keep the dataset's order (by `index`) in both directions. */
export function sortRows(rows: readonly SegmentRow[], sort: SortState | null): SegmentRow[] {
  if (!sort) return rows.slice();
  const sign = sort.direction === 'asc' ? 1 : -1;
  // Decorate once: reading nested fields inside the comparator is slow on 23k rows.
  const decorated = rows.map((row) => ({ row, v: sortValue(row, sort.key) }));
  decorated.sort((a, b) => {
    if (a.v < b.v) return -sign;
    if (a.v > b.v) return sign;
    return a.row.index - b.row.index;
  });
  return decorated.map((d) => d.row);
}

/** Clicking a header: a new column sorts ascending, the same column flips its direction. */
export function toggleSort(current: SortState | null, key: SortKey): SortState {
  if (current?.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { key, direction: 'asc' };
}

export interface WindowInput {
  count: number;
  /** Pixels scrolled into the rows (not counting any header above them). */
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  /** Extra rows rendered above and below the visible ones. */
  buffer: number;
}

export interface RowWindow {
  /** First row rendered (inclusive). */
  start: number;
  /** One past the last row rendered. */
  end: number;
  /** Height of the spacer holding every row, in pixels. */
  totalHeight: number;
  /** Top of the first rendered row, in pixels from the top of the spacer. */
  offsetTop: number;
}

export function visibleWindow({ count, scrollTop, viewportHeight, rowHeight, buffer }: WindowInput): RowWindow {
  const totalHeight = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, totalHeight, offsetTop: 0 };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(viewportHeight, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - buffer);
  const end = Math.min(count, first + visible + buffer);
  return { start, end, totalHeight, offsetTop: start * rowHeight };
}

/** The scrollTop that brings row `index` fully into view, or null if it already is. */
export function scrollToRow(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return null;
}

/** Intensity bands of a present emotion, in thirds of the 0..3 scale. */
export const INTENSITY_BANDS = [
  { label: 'weak (⅓–1)', min: 0, max: 1 },
  { label: 'medium (1⅓–2)', min: 1, max: 2 },
  { label: 'strong (2⅓–3)', min: 2, max: EMOTION_MAX },
] as const;

export interface EmotionDistribution {
  emotion: Emotion;
  /** Segments with the emotion present (intensity > 0). */
  present: number;
  /** Present segments per INTENSITY_BANDS entry (band = (min, max]). */
  bands: number[];
  /** Present segments per third: thirds[k] counts intensity (k+1)/3, k = 0..8. */
  thirds: number[];
}

export interface LabelDistribution {
  segments: number;
  emotions: EmotionDistribution[];
}

/** For each emotion, how many segments have it and how strongly (the paper's Figure 1). */
export function labelDistribution(rows: readonly SegmentRow[]): LabelDistribution {
  const emotions = EMOTIONS.map((emotion) => ({ emotion, present: 0, bands: INTENSITY_BANDS.map(() => 0), thirds: Array<number>(9).fill(0) }));
  for (const row of rows) {
    for (let e = 0; e < EMOTIONS.length; e++) {
      const v = row.emotions[e] ?? 0;
      if (!(v > 0)) continue;
      const d = emotions[e];
      d.present++;
      const third = Math.min(9, Math.max(1, Math.round(v * 3)));
      d.thirds[third - 1]++;
      // Band by thirds, so 1.0 (3/3) is "weak" and 1.33 (4/3) is "medium".
      d.bands[Math.min(INTENSITY_BANDS.length - 1, Math.floor((third - 1) / 3))]++;
    }
  }
  return { segments: rows.length, emotions };
}
