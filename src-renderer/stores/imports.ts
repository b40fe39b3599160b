import { get, writable, type Readable } from 'svelte/store';
import type { Params } from '@shared/api/contract';
import type { ChosenFile, ImportProgress, ImportStatus, ImportSummary } from '@shared/api/entities';
import type { Api } from '../api/client';
import { UploadCancelled, type Uploader } from '../api/upload';

export type ImportPhaseState = 'idle' | 'uploading' | 'starting' | ImportStatus['status'];

/** Browser mode: the two files on their way into the data directory, before the import starts. */
export interface UploadState {
  file: 'labels' | 'covarep';
  fileName: string;
  bytesDone: number;
  bytesTotal: number;
  etaSeconds: number | null;
}

export interface ImportState {
  /** idle: nothing started yet; uploading: browser mode sends the files; starting: the request is on its way; then the job's status. */
  status: ImportPhaseState;
  upload: UploadState | null;
  jobId: string | null;
  progress: ImportProgress | null;
  /** The new dataset, or for a duplicate the one already imported from the same files. */
  datasetId: string | null;
  error: string | null;
  notes: string[];
  /** What a finished import kept and left out, in numbers. */
  summary: ImportSummary | null;
}

export const IDLE_IMPORT: ImportState = { status: 'idle', upload: null, jobId: null, progress: null, datasetId: null, error: null, notes: [], summary: null };

export const PHASE_LABELS: Record<ImportProgress['phase'], string> = {
  fingerprint: 'Reading files',
  align: 'Aligning videos',
};

export const isImportRunning = (s: ImportState) => s.status === 'uploading' || s.status === 'starting' || s.status === 'running';

export interface ImportsStoreOptions {
  /** Called once an import has created a dataset (e.g. to reload the datasets list). */
  onDone?: (datasetId: string | null) => void | Promise<void>;
  /** Browser mode: sends a file into the data directory (see api/upload.ts). */
  uploader?: Uploader;
}

/**
 * The import this window started: its progress and outcome, from `import.progress` and
 * `import.status` events. Main emits the first events while the request is still being
 * answered, so events of a job not yet known are kept and replayed once its id arrives.
 */
export function createImportsStore(api: Api, options: ImportsStoreOptions = {}): Readable<ImportState> & {
  start(params: Params<'datasets.import'>): Promise<void>;
  /**
   * Imports two files: each is either already a handle (chosen in the desktop's dialog, or
   * downloaded) or, in browser mode, a File the page uploads first (labels first: small, so a
   * refusal shows at once).
   */
  importFiles(files: { covarep: File | ChosenFile; labels: File | ChosenFile }, name?: string): Promise<void>;
  cancel(): Promise<void>;
  /** Forget a finished import's outcome (back to idle). */
  dismiss(): void;
} {
  const state = writable<ImportState>(IDLE_IMPORT);
  let uploadAbort: AbortController | null = null;
  /** Events of jobs whose id this window does not know (yet): replayed when `start` resolves. */
  const early = new Map<string, Array<{ kind: 'progress'; p: ImportProgress } | { kind: 'status'; s: ImportStatus }>>();

  const applyProgress = (p: ImportProgress) =>
    state.update((s) => (s.jobId === p.jobId && s.status === 'running' ? { ...s, progress: p } : s));

  const applyStatus = (e: ImportStatus) => {
    const s = get(state);
    if (s.jobId !== e.jobId || (s.status !== 'running' && s.status !== 'starting')) return;
    state.set({
      ...s,
      status: e.status,
      datasetId: e.datasetId,
      error: e.status === 'failed' ? (e.error ?? 'The import failed for an unknown reason.') : e.error,
      notes: e.notes,
      summary: e.summary ?? null,
      progress: e.status === 'running' ? s.progress : null,
    });
    if (e.status === 'done') void Promise.resolve(options.onDone?.(e.datasetId)).catch(() => undefined);
  };

  const remember = (jobId: string, item: { kind: 'progress'; p: ImportProgress } | { kind: 'status'; s: ImportStatus }) => {
    const list = early.get(jobId) ?? [];
    list.push(item);
    early.set(jobId, list);
    // Another window's imports would otherwise pile up here.
    if (early.size > 20) early.delete(early.keys().next().value as string);
  };

  api.on('import.progress', (p) => {
    const s = get(state);
    if (s.jobId === p.jobId) applyProgress(p);
    else if (s.status === 'starting') remember(p.jobId, { kind: 'progress', p });
  });
  api.on('import.status', (e) => {
    const s = get(state);
    if (s.jobId === e.jobId) applyStatus(e);
    else if (s.status === 'starting') remember(e.jobId, { kind: 'status', s: e });
  });

  /** Sends the import request and follows the job it starts. */
  async function requestImport(params: Params<'datasets.import'>): Promise<void> {
    early.clear();
    state.set({ ...IDLE_IMPORT, status: 'starting' });
    let jobId: string;
    try {
      ({ jobId } = await api.request('datasets.import', params));
    } catch (err) {
      state.set({ ...IDLE_IMPORT, status: 'failed', error: (err as Error).message });
      return;
    }
    state.set({ ...IDLE_IMPORT, status: 'running', jobId });
    for (const item of early.get(jobId) ?? []) {
      if (item.kind === 'progress') applyProgress(item.p);
      else applyStatus(item.s);
    }
    early.clear();
  }

  return {
    subscribe: state.subscribe,
    async start(params) {
      if (isImportRunning(get(state))) throw new Error('An import is already running; wait for it or cancel it first.');
      await requestImport(params);
    },
    async importFiles(files, name) {
      if (isImportRunning(get(state))) throw new Error('An import is already running; wait for it or cancel it first.');
      const abort = (uploadAbort = new AbortController());
      const handles: Partial<Record<'labels' | 'covarep', string>> = {};
      try {
        for (const file of ['labels', 'covarep'] as const) {
          const given = files[file];
          if (!(given instanceof File)) {
            handles[file] = given.handle;
            continue;
          }
          if (!options.uploader) throw new Error('Files are uploaded in browser mode only.');
          const started = Date.now();
          const fileName = given.name;
          state.set({ ...IDLE_IMPORT, status: 'uploading', upload: { file, fileName, bytesDone: 0, bytesTotal: given.size, etaSeconds: null } });
          const chosen = await options.uploader(
            given,
            'csd',
            ({ bytesDone, bytesTotal }) => {
              const seconds = (Date.now() - started) / 1000;
              const etaSeconds = bytesDone > 0 && seconds > 0.5 ? ((bytesTotal - bytesDone) * seconds) / bytesDone : null;
              state.update((s) => (s.status === 'uploading' ? { ...s, upload: { file, fileName, bytesDone, bytesTotal, etaSeconds } } : s));
            },
            abort.signal,
          );
          handles[file] = chosen.handle;
        }
      } catch (err) {
        state.set(err instanceof UploadCancelled ? { ...IDLE_IMPORT, status: 'cancelled' } : { ...IDLE_IMPORT, status: 'failed', error: (err as Error).message });
        return;
      } finally {
        uploadAbort = null;
      }
      await requestImport({ covarep: handles.covarep!, labels: handles.labels!, name });
    },
    async cancel() {
      if (uploadAbort) {
        uploadAbort.abort();
        return;
      }
      const s = get(state);
      if (!s.jobId || s.status !== 'running') return;
      try {
        await api.request('datasets.cancelImport', { jobId: s.jobId });
      } catch (err) {
        // The job may have finished in the meantime; its status event says how.
        if (get(state).status === 'running') state.set({ ...get(state), error: (err as Error).message });
      }
    },
    dismiss() {
      if (!isImportRunning(get(state))) state.set(IDLE_IMPORT);
    },
  };
}
