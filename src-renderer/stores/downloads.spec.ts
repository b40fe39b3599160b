import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import { createDownloadsStore } from './downloads';
import { fakeApi } from '../../test/builders/fakeApi';

describe('downloads store', () => {
  it('follows its own download to the file paths it produced, ignoring others', async () => {
    const { api, emit } = fakeApi({ 'datasets.download': () => ({ jobId: 'j1' }) });
    const store = createDownloadsStore(api);
    await store.start('/data/mosei');
    expect(get(store).status).toBe('running');
    emit('download.progress', { jobId: 'other', file: 'labels', bytesDone: 1, bytesTotal: 2, etaSeconds: 1 });
    expect(get(store).progress).toBeNull();
    emit('download.progress', { jobId: 'j1', file: 'covarep', bytesDone: 50, bytesTotal: 100, etaSeconds: 3 });
    expect(get(store).progress?.bytesDone).toBe(50);
    emit('download.status', { jobId: 'j1', status: 'done', covarepPath: '/data/mosei/C.csd', labelsPath: '/data/mosei/L.csd', error: null });
    expect(get(store)).toMatchObject({ status: 'done', result: { covarepPath: '/data/mosei/C.csd' } });
  });

  it('shows why a download could not start', async () => {
    const { api } = fakeApi({
      'datasets.download': () => {
        throw new Error('A download is already running; wait for it or cancel it.');
      },
    });
    const store = createDownloadsStore(api);
    await store.start('/x');
    expect(get(store)).toMatchObject({ status: 'failed', error: expect.stringMatching(/already running/) });
  });
});
