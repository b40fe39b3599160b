import { get, writable, type Readable } from 'svelte/store';
import type { RunProgress, RunSummary } from '@shared/api/entities';
import type { Params } from '@shared/api/contract';
import type { Api } from '../api/client';

export interface RunsState {
  runs: RunSummary[];
  /** Latest progress of each run still training. */
  progress: Record<number, RunProgress>;
}

/**
 * The run history and the live state of running runs. Status events refresh the list
 * from main (the store is the truth); progress events only update the live map.
 */
export function createRunsStore(api: Api): Readable<RunsState> & {
  load(): Promise<void>;
  start(params: Params<'runs.start'>): Promise<RunSummary>;
  cancel(id: number): Promise<void>;
  resume(id: number): Promise<void>;
} {
  const state = writable<RunsState>({ runs: [], progress: {} });
  const load = async () => {
    const runs = await api.request('runs.list', {});
    state.update((s) => ({ ...s, runs }));
  };
  api.on('run.progress', (p) => state.update((s) => ({ ...s, progress: { ...s.progress, [p.runId]: p } })));
  api.on('run.epoch', () => void load());
  api.on('run.status', (e) => {
    if (e.status !== 'running' && e.status !== 'queued') {
      state.update((s) => {
        const { [e.runId]: _done, ...rest } = s.progress;
        return { ...s, progress: rest };
      });
    }
    void load();
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
  };
}
