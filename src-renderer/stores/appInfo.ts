import { writable, type Readable } from 'svelte/store';
import type { Result } from '@shared/api/contract';
import type { Api } from '../api/client';

export type AppInfo = Result<'app.info'>;

/** Mode, data directory and the training backend (filled in when the training process reports it). */
export function createAppInfoStore(api: Api): Readable<AppInfo | null> & { load(): Promise<void> } {
  const { subscribe, update, set } = writable<AppInfo | null>(null);
  // The pool size follows the backend once it is known, so ask again.
  api.on('backend.ready', (backend) => {
    update((info) => (info ? { ...info, backend } : info));
    void api.request('app.info', {}).then(set, () => undefined);
  });
  // The cluster changes on its own (workers come and go, Redis drops): its status follows as it is sent.
  api.on('cluster.status', (cluster) => update((info) => (info ? { ...info, cluster } : info)));
  return {
    subscribe,
    async load() {
      set(await api.request('app.info', {}));
    },
  };
}
