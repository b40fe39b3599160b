import { writable, type Readable } from 'svelte/store';
import type { DatasetSummary } from '@shared/api/entities';
import type { Api } from '../api/client';

export function createDatasetsStore(api: Api): Readable<DatasetSummary[]> & { load(): Promise<void> } {
  const { subscribe, set } = writable<DatasetSummary[]>([]);
  return {
    subscribe,
    async load() {
      set(await api.request('datasets.list', {}));
    },
  };
}
