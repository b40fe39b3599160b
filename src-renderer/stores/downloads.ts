import { writable, type Readable } from 'svelte/store';
import type { DownloadProgress, DownloadStatus } from '@shared/api/entities';
import type { Api } from '../api/client';

export interface DownloadsState {
  jobId: string | null;
  status: DownloadStatus['status'] | 'idle';
  progress: DownloadProgress | null;
  result: DownloadStatus | null;
  error: string | null;
}

const idle: DownloadsState = { jobId: null, status: 'idle', progress: null, result: null, error: null };

/** The download of the official CMU-MOSEI files this window started, followed through its events. */
export function createDownloadsStore(api: Api): Readable<DownloadsState> & {
  /** Into the folder chosen in the desktop's dialog (its handle), or the data directory's downloads folder. */
  start(folder?: string): Promise<void>;
  cancel(): Promise<void>;
} {
  const state = writable<DownloadsState>(idle);
  let current: string | null = null;
  api.on('download.progress', (p) => {
    if (p.jobId === current) state.update((s) => ({ ...s, progress: p }));
  });
  api.on('download.status', (st) => {
    if (st.jobId !== current) return;
    state.update((s) => ({ ...s, status: st.status, result: st, error: st.error }));
  });
  return {
    subscribe: state.subscribe,
    async start(folder) {
      state.set({ ...idle, status: 'running' });
      try {
        const { jobId } = await api.request('datasets.download', folder === undefined ? {} : { folder });
        current = jobId;
        state.update((s) => ({ ...s, jobId }));
      } catch (err) {
        state.set({ ...idle, status: 'failed', error: (err as Error).message });
      }
    },
    async cancel() {
      if (current) await api.request('datasets.cancelDownload', { jobId: current });
    },
  };
}
