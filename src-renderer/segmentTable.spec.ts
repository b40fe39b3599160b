import { describe, expect, it } from 'vitest';
import type { SegmentRow } from '@shared/api/entities';
import {
  filterRows,
  labelDistribution,
  NO_FILTER,
  scrollToRow,
  segmentDuration,
  sortRows,
  toggleSort,
  visibleWindow,
} from './segmentTable';

const row = (index: number, video: string, emotions: number[], extra: Partial<SegmentRow> = {}): SegmentRow => ({
  index,
  id: `${video}[${index}]`,
  video,
  frames: 100 + index,
  start: 0,
  end: 1 + index / 10,
  sentiment: 0,
  emotions,
  nonFinite: null,
  split: 'train',
  ...extra,
});

const rows: SegmentRow[] = [
  row(0, '-3g5yACwYnA', [0, 0, 0, 3, 0, 0], { sentiment: -0.67 }),
  row(1, '-3g5yACwYnA', [1 / 3, 0, 0, 0, 0, 0], { sentiment: 1 }),
  row(2, 'Zz3SjX0SmRs', [2, 0, 0, 0, 0, 0], { sentiment: 2 }),
  row(3, 'zv0Jl4TIQDc', [1, 1 / 3, 0, 0, 0, 0], { sentiment: 0 }),
  row(4, '_aJghSQmxD8', [0, 0, 0, 0, 0, 0], { sentiment: 1 }),
];

describe('segment table: filtering', () => {
  it('keeps every row without a filter, and never returns the input array itself', () => {
    const out = filterRows(rows, NO_FILTER);
    expect(out).toEqual(rows);
    expect(out).not.toBe(rows);
  });

  it('keeps segments where the chosen emotion is present at least as strongly as asked', () => {
    expect(filterRows(rows, { ...NO_FILTER, emotion: 'happiness', minIntensity: 0 }).map((r) => r.index)).toEqual([1, 2, 3]);
    expect(filterRows(rows, { ...NO_FILTER, emotion: 'happiness', minIntensity: 1 }).map((r) => r.index)).toEqual([2, 3]);
    // 1/3 stored as a float still passes a typed-in 0.333 and an exact 1/3.
    expect(filterRows(rows, { ...NO_FILTER, emotion: 'sadness', minIntensity: 0.333 }).map((r) => r.index)).toEqual([3]);
    expect(filterRows(rows, { ...NO_FILTER, emotion: 'sadness', minIntensity: 1 / 3 }).map((r) => r.index)).toEqual([3]);
    expect(filterRows(rows, { ...NO_FILTER, emotion: 'fear', minIntensity: 0 })).toEqual([]);
  });

  it('searches the video id case-insensitively, ignoring surrounding spaces, and combines with the emotion filter', () => {
    expect(filterRows(rows, { ...NO_FILTER, videoQuery: ' zz3sj ' }).map((r) => r.index)).toEqual([2]);
    expect(filterRows(rows, { ...NO_FILTER, videoQuery: '-3g5' }).map((r) => r.index)).toEqual([0, 1]);
    expect(filterRows(rows, { emotion: 'happiness', minIntensity: 0, videoQuery: '-3g5' }).map((r) => r.index)).toEqual([1]);
    expect(filterRows(rows, { ...NO_FILTER, videoQuery: 'nothing like this' })).toEqual([]);
  });

  it('treats an empty minimum (NaN from a cleared number input) as 0', () => {
    expect(filterRows(rows, { ...NO_FILTER, emotion: 'happiness', minIntensity: NaN }).map((r) => r.index)).toEqual([1, 2, 3]);
  });
});

describe('segment table: sorting', () => {
  it('sorts numbers and text both ways, stably by dataset order on ties', () => {
    expect(sortRows(rows, { key: 'sentiment', direction: 'asc' }).map((r) => r.index)).toEqual([0, 3, 1, 4, 2]);
    expect(sortRows(rows, { key: 'sentiment', direction: 'desc' }).map((r) => r.index)).toEqual([2, 1, 4, 3, 0]);
    expect(sortRows(rows, { key: 'video', direction: 'asc' }).map((r) => r.video)).toEqual([
      '-3g5yACwYnA', '-3g5yACwYnA', 'Zz3SjX0SmRs', '_aJghSQmxD8', 'zv0Jl4TIQDc',
    ]);
    expect(sortRows(rows, { key: 'happiness', direction: 'desc' }).map((r) => r.index)).toEqual([2, 3, 1, 0, 4]);
    expect(sortRows(rows, { key: 'duration', direction: 'desc' }).map((r) => r.index)).toEqual([4, 3, 2, 1, 0]);
    expect(sortRows(rows, { key: 'frames', direction: 'asc' }).map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('leaves the order alone without a sort and does not mutate its input', () => {
    const copy = rows.slice();
    sortRows(rows, { key: 'id', direction: 'desc' });
    expect(rows).toEqual(copy);
    expect(sortRows(rows, null)).toEqual(rows);
  });

  it('a header click sorts a new column ascending and flips the current one', () => {
    expect(toggleSort(null, 'frames')).toEqual({ key: 'frames', direction: 'asc' });
    expect(toggleSort({ key: 'frames', direction: 'asc' }, 'frames')).toEqual({ key: 'frames', direction: 'desc' });
    expect(toggleSort({ key: 'frames', direction: 'desc' }, 'frames')).toEqual({ key: 'frames', direction: 'asc' });
    expect(toggleSort({ key: 'frames', direction: 'desc' }, 'anger')).toEqual({ key: 'anger', direction: 'asc' });
  });

  it('duration is the label interval in seconds', () => {
    expect(segmentDuration({ ...rows[0], start: 0.2, end: 3.58 })).toBeCloseTo(3.38);
  });
});

describe('segment table: virtual window', () => {
  it('renders only the visible rows of 23,000 plus a buffer, wherever the view is scrolled', () => {
    const count = 23_000;
    const big: SegmentRow[] = Array.from({ length: count }, (_, i) =>
      row(i, `video${String(i % 3300).padStart(5, '0')}`, [i % 10 === 0 ? 1 : 0, 0, (i % 7) / 3, 0, 0, 0], { sentiment: ((i * 37) % 13) / 2 - 3 }),
    );
    const rowHeight = 30;
    const viewportHeight = 420;
    const buffer = 8;

    const top = visibleWindow({ count, scrollTop: 0, viewportHeight, rowHeight, buffer });
    expect(top.start).toBe(0);
    expect(top.end).toBeLessThanOrEqual(Math.ceil(viewportHeight / rowHeight) + 1 + buffer);
    expect(top.totalHeight).toBe(count * rowHeight);

    const middle = visibleWindow({ count, scrollTop: 12_345 * rowHeight + 7, viewportHeight, rowHeight, buffer });
    expect(middle.start).toBe(12_345 - buffer);
    expect(middle.offsetTop).toBe(middle.start * rowHeight);
    expect(middle.end - middle.start).toBeLessThan(40);
    // The visible rows are all inside the window.
    expect(middle.end * rowHeight).toBeGreaterThanOrEqual(12_345 * rowHeight + 7 + viewportHeight);

    const bottom = visibleWindow({ count, scrollTop: 10 ** 9, viewportHeight, rowHeight, buffer });
    expect(bottom.end).toBe(count);
    expect(bottom.end - bottom.start).toBeLessThan(40);

    // The full pipeline on 23k rows: filter, sort, then slice only the window.
    const t0 = performance.now();
    const shown = sortRows(filterRows(big, { emotion: 'anger', minIntensity: 1, videoQuery: 'video0' }), { key: 'sentiment', direction: 'desc' });
    const elapsed = performance.now() - t0;
    expect(shown.length).toBeGreaterThan(1000);
    expect(shown.every((r) => r.emotions[2] >= 1 && r.video.includes('video0'))).toBe(true);
    for (let i = 1; i < shown.length; i++) expect(shown[i - 1].sentiment).toBeGreaterThanOrEqual(shown[i].sentiment);
    const w = visibleWindow({ count: shown.length, scrollTop: 600, viewportHeight, rowHeight, buffer });
    const rendered = shown.slice(w.start, w.end);
    expect(rendered.length).toBe(w.end - w.start);
    expect(rendered.length).toBeLessThan(40);
    expect(elapsed).toBeLessThan(1000);
  });

  it('handles an empty table and a table shorter than the view', () => {
    expect(visibleWindow({ count: 0, scrollTop: 0, viewportHeight: 400, rowHeight: 30, buffer: 5 })).toEqual({ start: 0, end: 0, totalHeight: 0, offsetTop: 0 });
    expect(visibleWindow({ count: 17, scrollTop: 50, viewportHeight: 600, rowHeight: 30, buffer: 5 })).toEqual({ start: 0, end: 17, totalHeight: 510, offsetTop: 0 });
  });

  it('scrolls just enough to show a row reached with the keyboard', () => {
    expect(scrollToRow(5, 0, 300, 30)).toBeNull();
    expect(scrollToRow(10, 0, 300, 30)).toBe(30);
    expect(scrollToRow(2, 200, 300, 30)).toBe(60);
  });
});

describe('label distribution', () => {
  it('counts the segments where each emotion is present, by band and by third', () => {
    const d = labelDistribution(rows);
    expect(d.segments).toBe(5);
    const happiness = d.emotions.find((e) => e.emotion === 'happiness')!;
    expect(happiness.present).toBe(3);
    // 1/3 and 1 are weak, 2 is medium.
    expect(happiness.bands).toEqual([2, 1, 0]);
    expect(happiness.thirds).toEqual([1, 0, 1, 0, 0, 1, 0, 0, 0]);
    const surprise = d.emotions.find((e) => e.emotion === 'surprise')!;
    expect(surprise.present).toBe(1);
    expect(surprise.bands).toEqual([0, 0, 1]);
    expect(d.emotions.find((e) => e.emotion === 'fear')!.present).toBe(0);
    expect(d.emotions.map((e) => e.emotion)).toEqual(['happiness', 'sadness', 'anger', 'surprise', 'disgust', 'fear']);
  });
});
