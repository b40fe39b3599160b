import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import { createAppInfoStore } from './appInfo';
import { fakeApi } from '../../test/builders/fakeApi';

describe('app info store', () => {
  it('shows the backend once the training process reports it, and the pool size it implies', async () => {
    const backend = { name: 'wasm', reason: 'fallback: tfjs-node not installed', tfjsVersion: '4.22.0' };
    let known = false;
    const { api, emit } = fakeApi({ 'app.info': () => ({ version: '1', mode: 'browser', dataDir: '/d', backend: known ? backend : null, workers: known ? 2 : 1 }) });
    const store = createAppInfoStore(api);
    await store.load();
    expect(get(store)).toMatchObject({ backend: null, workers: 1 });
    known = true;
    emit('backend.ready', backend);
    expect(get(store)?.backend?.name).toBe('wasm');
    await new Promise((r) => setTimeout(r, 0));
    expect(get(store)?.workers).toBe(2);
  });
});
