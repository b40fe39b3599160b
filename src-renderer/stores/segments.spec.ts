import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import type { SegmentFeatures, SegmentRow } from '@shared/api/entities';
import { createSegmentsStore, HEATMAP_MAX_FRAMES } from './segments';
import { fakeApi } from '../../test/builders/fakeApi';

const row = (index: number): SegmentRow => ({
  index, id: `v[${index}]`, video: 'v', frames: 3, start: index, end: index + 0.03, sentiment: 0, emotions: [0, 0, 0, 0, 0, 0], nonFinite: null, split: 'train',
});
const features = (index: number): SegmentFeatures => ({
  ...row(index), featureNames: ['F0'], shownFrames: 3, values: Array(3 * 74).fill(index),
});

describe('segments store', () => {
  it('opens a dataset, then one of its segments, and closes them', async () => {
    const { api, calls } = fakeApi({
      'datasets.segments': () => [row(0), row(1)],
      'datasets.segment': (p) => features((p as { index: number }).index),
    });
    const store = createSegmentsStore(api);
    const opening = store.open('d1');
    expect(get(store)).toMatchObject({ datasetId: 'd1', loading: true, rows: [] });
    await opening;
    expect(get(store)).toMatchObject({ datasetId: 'd1', loading: false, error: null });
    expect(get(store).rows).toHaveLength(2);

    await store.openSegment(1);
    expect(calls.at(-1)).toEqual({ name: 'datasets.segment', params: { datasetId: 'd1', index: 1, maxFrames: HEATMAP_MAX_FRAMES } });
    expect(get(store)).toMatchObject({ segmentIndex: 1, segmentLoading: false, segmentError: null });
    expect(get(store).segment?.index).toBe(1);

    store.closeSegment();
    expect(get(store)).toMatchObject({ segmentIndex: null, segment: null });
    store.close();
    expect(get(store)).toMatchObject({ datasetId: null, rows: [] });
  });

  it('passes the message of main through when a dataset or segment cannot be read', async () => {
    const { api } = fakeApi({
      'datasets.segments': (p) => {
        if ((p as { datasetId: string }).datasetId === 'gone') throw new Error('The files of dataset "gone" are missing from the data directory; import it again.');
        return [row(0)];
      },
      'datasets.segment': () => {
        throw new Error('Dataset "d" has 1 segments; there is no segment 5.');
      },
    });
    const store = createSegmentsStore(api);
    await store.open('gone');
    expect(get(store)).toMatchObject({ loading: false, error: expect.stringMatching(/missing from the data directory/) });
    await store.open('d');
    expect(get(store).error).toBeNull();
    await store.openSegment(5);
    expect(get(store)).toMatchObject({ segment: null, segmentIndex: 5, segmentError: 'Dataset "d" has 1 segments; there is no segment 5.' });
  });

  it('keeps the latest choice when an older answer arrives late', async () => {
    const pending = new Map<string, (rows: SegmentRow[]) => void>();
    const { api } = fakeApi({
      'datasets.segments': (p) => new Promise((resolve) => pending.set((p as { datasetId: string }).datasetId, resolve)),
    });
    const store = createSegmentsStore(api);
    const first = store.open('slow');
    const second = store.open('fast');
    pending.get('fast')!([row(0)]);
    await second;
    pending.get('slow')!([row(0), row(1), row(2)]);
    await first;
    expect(get(store).datasetId).toBe('fast');
    expect(get(store).rows).toHaveLength(1);
  });

  it('does nothing when asked for a segment with no dataset open', async () => {
    const { api, calls } = fakeApi({});
    const store = createSegmentsStore(api);
    await store.openSegment(0);
    expect(calls).toEqual([]);
  });
});
