import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import { createAppInfoStore } from './appInfo';
import { fakeApi } from './fakeApi';

describe('app info store', () => {
  it('shows the backend once the training process reports it', async () => {
    const { api, emit } = fakeApi({ 'app.info': () => ({ version: '1', mode: 'browser', dataDir: '/d', backend: null }) });
    const store = createAppInfoStore(api);
    await store.load();
    expect(get(store)?.backend).toBeNull();
    emit('backend.ready', { name: 'wasm', reason: 'fallback: tfjs-node not installed', tfjsVersion: '4.22.0' });
    expect(get(store)?.backend?.name).toBe('wasm');
  });
});
