import { get, writable, type Readable } from 'svelte/store';
import type { EpochRecord, RunProgress, RunSummary } from '@shared/api/entities';
import type { Params } from '@shared/api/contract';
import type { Api } from '../api/client';

/** Epoch and status events come in bursts (a sweep finishes many short runs): one reload per burst. */
const RELOAD_DELAY_MS = 300;
/** Warnings kept per run (the latest). */
const NOTICES_PER_RUN = 5;

export interface RunNotice {
  level: 'warn' | 'error';
  message: string;
}

export interface RunsState {
  runs: RunSummary[];
  /** Latest progress of each run still training. */
  progress: Record<number, RunProgress>;
  /** What main warned about a run (its settings, a retried process…). */
  notices: Record<number, RunNotice[]>;
  /** Epoch records of the runs being followed (see `follow`), kept current from epoch events. */
  epochs: Record<number, EpochRecord[]>;
}

/** A run's records with one more epoch (a re-reported epoch replaces its earlier record). */
function withEpoch(records: readonly EpochRecord[], record: EpochRecord): EpochRecord[] {
  return [...records.filter((r) => r.epoch !== record.epoch), record].sort((a, b) => a.epoch - b.epoch);
}

/**
 * The recent runs and the live state of running runs. Status and epoch events reload the
 * list from main (the store is the truth), once per burst; progress events only update the
 * live map; warnings about a run are kept with it.
 */
export function createRunsStore(api: Api, reloadDelayMs = RELOAD_DELAY_MS): Readable<RunsState> & {
  load(): Promise<void>;
  start(params: Params<'runs.start'>): Promise<RunSummary>;
  cancel(id: number): Promise<void>;
  resume(id: number): Promise<void>;
  /** Keeps a run's epoch records in `epochs`: those recorded so far, then each new one as it comes. */
  follow(id: number): Promise<void>;
} {
  const state = writable<RunsState>({ runs: [], progress: {}, notices: {}, epochs: {} });
  const followed = new Set<number>();
  const load = async () => {
    const runs = await api.request('runs.list', {});
    state.update((s) => ({ ...s, runs }));
  };
  let reloadTimer: ReturnType<typeof setTimeout> | null = null;
  const reloadSoon = () => {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      void load().catch(() => undefined);
    }, reloadDelayMs);
  };
  api.on('run.progress', (p) => state.update((s) => ({ ...s, progress: { ...s.progress, [p.runId]: p } })));
  api.on('run.epoch', ({ runId, ...record }) => {
    if (followed.has(runId)) state.update((s) => ({ ...s, epochs: { ...s.epochs, [runId]: withEpoch(s.epochs[runId] ?? [], record) } }));
    reloadSoon();
  });
  api.on('run.status', (e) => {
    if (e.status !== 'running' && e.status !== 'queued') {
      state.update((s) => {
        const { [e.runId]: _done, ...rest } = s.progress;
        return { ...s, progress: rest };
      });
    }
    reloadSoon();
  });
  api.on('log', ({ level, message, runId }) => {
    if (runId === null || level === 'info') return;
    state.update((s) => ({ ...s, notices: { ...s.notices, [runId]: [...(s.notices[runId] ?? []), { level, message }].slice(-NOTICES_PER_RUN) } }));
  });
  return {
    subscribe: state.subscribe,
    load,
    async start(params) {
      const run = await api.request('runs.start', params);
      if (!get(state).runs.some((r) => r.id === run.id)) state.update((s) => ({ ...s, runs: [run, ...s.runs] }));
      return run;
    },
    async cancel(id) {
      await api.request('runs.cancel', { id });
    },
    async resume(id) {
      await api.request('runs.resume', { id });
    },
    async follow(id) {
      if (followed.has(id)) return;
      followed.add(id);
      const detail = await api.request('runs.get', { id });
      // Epochs that arrived while the request was out are kept.
      state.update((s) => ({ ...s, epochs: { ...s.epochs, [id]: detail.epochs.reduce(withEpoch, s.epochs[id] ?? []) } }));
    },
  };
}
