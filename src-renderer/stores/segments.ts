import { get, writable, type Readable } from 'svelte/store';
import type { SegmentFeatures, SegmentRow } from '@shared/api/entities';
import type { Api } from '../api/client';

/** Frames of one segment fetched for the heat map (30 s at 100 Hz); longer segments show their start. */
export const HEATMAP_MAX_FRAMES = 3000;

export interface SegmentsState {
  /** The dataset open in the browser, or null. */
  datasetId: string | null;
  rows: SegmentRow[];
  loading: boolean;
  error: string | null;
  /** The segment open under the table (its index in the dataset), or null. */
  segmentIndex: number | null;
  segment: SegmentFeatures | null;
  segmentLoading: boolean;
  segmentError: string | null;
}

const EMPTY: SegmentsState = {
  datasetId: null, rows: [], loading: false, error: null, segmentIndex: null, segment: null, segmentLoading: false, segmentError: null,
};

/**
 * The dataset browser: the segment rows of the open dataset and the features of the open
 * segment. A newer open wins over an answer still on its way (a fast reader clicking on).
 */
export function createSegmentsStore(api: Api): Readable<SegmentsState> & {
  open(datasetId: string): Promise<void>;
  openSegment(index: number): Promise<void>;
  closeSegment(): void;
  close(): void;
} {
  const state = writable<SegmentsState>(EMPTY);
  let datasetToken = 0;
  let segmentToken = 0;

  return {
    subscribe: state.subscribe,
    async open(datasetId) {
      const token = ++datasetToken;
      segmentToken++;
      state.set({ ...EMPTY, datasetId, loading: true });
      try {
        const rows = await api.request('datasets.segments', { datasetId });
        if (token === datasetToken) state.update((s) => ({ ...s, rows, loading: false }));
      } catch (err) {
        if (token === datasetToken) state.update((s) => ({ ...s, loading: false, error: (err as Error).message }));
      }
    },
    async openSegment(index) {
      const { datasetId } = get(state);
      if (datasetId === null) return;
      const token = ++segmentToken;
      state.update((s) => ({ ...s, segmentIndex: index, segmentLoading: true, segmentError: null }));
      try {
        const segment = await api.request('datasets.segment', { datasetId, index, maxFrames: HEATMAP_MAX_FRAMES });
        if (token === segmentToken) state.update((s) => ({ ...s, segment, segmentLoading: false }));
      } catch (err) {
        if (token === segmentToken) state.update((s) => ({ ...s, segment: null, segmentLoading: false, segmentError: (err as Error).message }));
      }
    },
    closeSegment() {
      segmentToken++;
      state.update((s) => ({ ...s, segmentIndex: null, segment: null, segmentLoading: false, segmentError: null }));
    },
    close() {
      datasetToken++;
      segmentToken++;
      state.set(EMPTY);
    },
  };
}
