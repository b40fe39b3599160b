import { get, writable, type Readable } from 'svelte/store';
import type { Params } from '@shared/api/contract';
import type { ExperimentResults, ExperimentSummary } from '@shared/api/entities';
import type { Api } from '../api/client';

export interface ExperimentProgress {
  runsDone: number;
  runsTotal: number;
  etaSeconds: number | null;
}

export interface ExperimentsState {
  experiments: ExperimentSummary[];
  /** Latest progress event of each running experiment. */
  progress: Record<number, ExperimentProgress>;
  /** The experiment whose results are shown. */
  selectedId: number | null;
  /** Results of the selected experiment (partial while it runs); null until loaded. */
  results: ExperimentResults | null;
  loadingResults: boolean;
  /** Why the results (or the list) could not be loaded. */
  error: string | null;
}

export const TERMINAL_RUN_STATUSES: readonly string[] = ['done', 'failed', 'cancelled', 'interrupted'];
export const isExperimentActive = (e: Pick<ExperimentSummary, 'status'>) => e.status === 'running';

export interface ExperimentsStoreOptions {
  /** Runs of a sweep finish in bursts: results are reloaded at most once per this window. */
  reloadDelayMs?: number;
}

/**
 * Experiments (sweeps of SSL against baseline over label counts): the list, the live progress
 * of running ones, and the results of the one the user opened, reloaded while it runs each time
 * one of its runs finishes (coalesced, so a burst of finished fine-tunes costs one request).
 */
export function createExperimentsStore(
  api: Api,
  options: ExperimentsStoreOptions = {},
): Readable<ExperimentsState> & {
  load(): Promise<void>;
  start(params: Params<'experiments.start'>): Promise<ExperimentSummary>;
  cancel(id: number): Promise<boolean>;
  select(id: number | null): Promise<void>;
  reloadResults(): Promise<void>;
  dispose(): void;
} {
  const delay = options.reloadDelayMs ?? 400;
  const state = writable<ExperimentsState>({ experiments: [], progress: {}, selectedId: null, results: null, loadingResults: false, error: null });
  let resultsToken = 0;
  let resultsTimer: ReturnType<typeof setTimeout> | null = null;
  let listTimer: ReturnType<typeof setTimeout> | null = null;

  const load = async () => {
    const experiments = await api.request('experiments.list', {});
    state.update((s) => ({ ...s, experiments }));
  };
  const loadQuietly = () => void load().catch((e: Error) => state.update((s) => ({ ...s, error: e.message })));

  const reloadResults = async () => {
    const id = get(state).selectedId;
    if (id === null) return;
    const token = ++resultsToken;
    state.update((s) => ({ ...s, loadingResults: true }));
    try {
      const results = await api.request('experiments.results', { id });
      // A later request (or another selection) wins.
      if (token !== resultsToken || get(state).selectedId !== id) return;
      state.update((s) => ({
        ...s,
        results,
        loadingResults: false,
        error: null,
        // The results carry a fresher summary than the list may have.
        experiments: s.experiments.map((e) => (e.id === id ? results.experiment : e)),
      }));
    } catch (e) {
      if (token !== resultsToken || get(state).selectedId !== id) return;
      state.update((s) => ({ ...s, loadingResults: false, error: (e as Error).message }));
    }
  };

  /** Reload the open experiment's results after `delay`, once, however many events arrive meanwhile. */
  const scheduleResults = () => {
    if (resultsTimer !== null) return;
    resultsTimer = setTimeout(() => {
      resultsTimer = null;
      void reloadResults();
    }, delay);
  };
  const scheduleList = () => {
    if (listTimer !== null) return;
    listTimer = setTimeout(() => {
      listTimer = null;
      loadQuietly();
    }, delay);
  };

  const select = async (id: number | null) => {
    const s = get(state);
    if (id === s.selectedId && (s.results || s.loadingResults)) return;
    resultsToken++;
    state.update((x) => ({ ...x, selectedId: id, results: null, error: null, loadingResults: false }));
    await reloadResults();
  };

  const unsubscribe = [
    api.on('experiment.progress', (p) => {
      const before = get(state);
      const known = before.experiments.some((e) => e.id === p.id);
      const previous = before.progress[p.id]?.runsDone ?? before.experiments.find((e) => e.id === p.id)?.runsDone;
      state.update((s) => ({
        ...s,
        progress: { ...s.progress, [p.id]: { runsDone: p.runsDone, runsTotal: p.runsTotal, etaSeconds: p.etaSeconds } },
        experiments: s.experiments.map((e) => (e.id === p.id ? { ...e, runsDone: p.runsDone, runsTotal: p.runsTotal } : e)),
      }));
      if (!known) scheduleList();
      // More runs done than the open results know of: fetch them (coalesced with the run events).
      if (p.id === before.selectedId && p.runsDone !== previous) scheduleResults();
    }),
    api.on('experiment.status', (e) => {
      state.update((s) => {
        const experiments = s.experiments.map((x) => (x.id === e.id ? { ...x, status: e.status, error: e.error } : x));
        if (e.status === 'running') return { ...s, experiments };
        const { [e.id]: _finished, ...progress } = s.progress;
        return { ...s, experiments, progress };
      });
      loadQuietly();
      if (e.id === get(state).selectedId) {
        // The final results: no need to wait for the coalescing window.
        if (e.status !== 'running') void reloadResults();
        else scheduleResults();
      }
    }),
    api.on('run.status', (e) => {
      if (!TERMINAL_RUN_STATUSES.includes(e.status)) return;
      const s = get(state);
      const open = s.experiments.find((x) => x.id === s.selectedId);
      // A run of an experiment still running: which one is not known before its results name it.
      if (open && isExperimentActive(open)) scheduleResults();
    }),
  ];

  return {
    subscribe: state.subscribe,
    load,
    reloadResults,
    async start(params) {
      const summary = await api.request('experiments.start', params);
      state.update((s) => ({
        ...s,
        experiments: s.experiments.some((e) => e.id === summary.id) ? s.experiments : [summary, ...s.experiments],
      }));
      await select(summary.id);
      return summary;
    },
    async cancel(id) {
      const { cancelled } = await api.request('experiments.cancel', { id });
      loadQuietly();
      return cancelled;
    },
    select,
    dispose() {
      for (const off of unsubscribe) off();
      if (resultsTimer !== null) clearTimeout(resultsTimer);
      if (listTimer !== null) clearTimeout(listTimer);
    },
  };
}
