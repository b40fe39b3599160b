import { get } from 'svelte/store';
import { describe, expect, it, vi } from 'vitest';
import { createImportsStore, isImportRunning } from './imports';
import { fakeApi } from '../../test/builders/fakeApi';
import { UploadCancelled, type Uploader } from '../api/upload';

const params = { covarep: 'fh-covarepcovarepcovarepcov', labels: 'fh-labelslabelslabelslabelsl' };
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('imports store', () => {
  it('follows an import through both phases to done, and reloads the datasets once', async () => {
    const onDone = vi.fn();
    const { api, emit, calls } = fakeApi({ 'datasets.import': () => ({ jobId: 'job1' }) });
    const store = createImportsStore(api, { onDone });
    expect(get(store).status).toBe('idle');

    await store.start({ ...params, name: 'mini' });
    expect(calls).toEqual([{ name: 'datasets.import', params: { ...params, name: 'mini' } }]);
    expect(get(store)).toMatchObject({ status: 'running', jobId: 'job1', progress: null });
    expect(isImportRunning(get(store))).toBe(true);

    emit('import.progress', { jobId: 'job1', phase: 'fingerprint', done: 1, total: 2, etaSeconds: null });
    expect(get(store).progress?.phase).toBe('fingerprint');
    emit('import.progress', { jobId: 'job1', phase: 'align', done: 3, total: 8, etaSeconds: 4.5 });
    expect(get(store).progress).toEqual({ jobId: 'job1', phase: 'align', done: 3, total: 8, etaSeconds: 4.5 });
    // Another window's import does not move this one.
    emit('import.progress', { jobId: 'other', phase: 'align', done: 8, total: 8, etaSeconds: 0 });
    expect(get(store).progress?.done).toBe(3);

    const notes = ['77 NaN or infinite COVAREP values were replaced with 0.', '1 video has features but no labels and was dropped.'];
    emit('import.status', { jobId: 'job1', status: 'done', datasetId: 'mosei-x', error: null, notes });
    expect(get(store)).toMatchObject({ status: 'done', datasetId: 'mosei-x', notes, error: null, progress: null });
    expect(isImportRunning(get(store))).toBe(false);
    expect(onDone).toHaveBeenCalledTimes(1);
    expect(onDone).toHaveBeenCalledWith('mosei-x');
    // A repeated status (e.g. a late duplicate event) changes nothing.
    emit('import.status', { jobId: 'job1', status: 'failed', datasetId: null, error: 'late', notes: [] });
    expect(get(store).status).toBe('done');
    expect(onDone).toHaveBeenCalledTimes(1);

    store.dismiss();
    expect(get(store).status).toBe('idle');
  });

  it('keeps events that arrive before the request is answered and replays them', async () => {
    let release!: () => void;
    const answered = new Promise<void>((r) => (release = r));
    const { api, emit } = fakeApi({
      'datasets.import': async () => {
        await answered;
        return { jobId: 'fast' };
      },
    });
    const onDone = vi.fn();
    const store = createImportsStore(api, { onDone });
    const started = store.start(params);
    await tick();
    expect(get(store).status).toBe('starting');
    emit('import.status', { jobId: 'fast', status: 'running', datasetId: null, error: null, notes: [] });
    emit('import.progress', { jobId: 'fast', phase: 'align', done: 17, total: 17, etaSeconds: 0 });
    emit('import.status', { jobId: 'fast', status: 'done', datasetId: 'd1', error: null, notes: ['17 segments'] });
    release();
    await started;
    expect(get(store)).toMatchObject({ status: 'done', jobId: 'fast', datasetId: 'd1', notes: ['17 segments'] });
    expect(onDone).toHaveBeenCalledWith('d1');
  });

  it('shows the error of a refused request and of a failed import, and does not reload', async () => {
    const onDone = vi.fn();
    const { api, emit } = fakeApi({
      'datasets.import': (p) => {
        if ((p as typeof params).covarep === 'fh-spentspentspentspentspent') throw new Error('The COVAREP file is no longer available to this window. Choose it again.');
        return { jobId: 'bad' };
      },
    });
    const store = createImportsStore(api, { onDone });
    await store.start({ ...params, covarep: 'fh-spentspentspentspentspent' });
    expect(get(store)).toMatchObject({ status: 'failed', error: 'The COVAREP file is no longer available to this window. Choose it again.', jobId: null });

    await store.start(params);
    emit('import.status', {
      jobId: 'bad', status: 'failed', datasetId: null, notes: [],
      error: 'The COVAREP file holds text, not numeric features.',
    });
    expect(get(store)).toMatchObject({ status: 'failed', error: 'The COVAREP file holds text, not numeric features.' });
    expect(onDone).not.toHaveBeenCalled();
  });

  it('reports a duplicate with its note and the dataset it matches', async () => {
    const { api, emit } = fakeApi({ 'datasets.import': () => ({ jobId: 'dup' }) });
    const store = createImportsStore(api);
    await store.start(params);
    emit('import.status', { jobId: 'dup', status: 'duplicate', datasetId: 'mosei-old', error: null, notes: ['These files were already imported as "mini".'] });
    expect(get(store)).toMatchObject({ status: 'duplicate', datasetId: 'mosei-old', notes: ['These files were already imported as "mini".'] });
  });

  it('cancels the running import, and refuses to start a second one meanwhile', async () => {
    const { api, emit, calls } = fakeApi({
      'datasets.import': () => ({ jobId: 'long' }),
      'datasets.cancelImport': (p) => {
        emit('import.status', { jobId: (p as { jobId: string }).jobId, status: 'cancelled', datasetId: null, error: null, notes: [] });
        return { cancelled: true };
      },
    });
    const store = createImportsStore(api);
    await store.start(params);
    await expect(store.start(params)).rejects.toThrow(/already running/);
    emit('import.progress', { jobId: 'long', phase: 'fingerprint', done: 1, total: 10, etaSeconds: 9 });
    await store.cancel();
    expect(calls.at(-1)).toEqual({ name: 'datasets.cancelImport', params: { jobId: 'long' } });
    expect(get(store)).toMatchObject({ status: 'cancelled', progress: null });
    // Cancelling again does nothing.
    await store.cancel();
    expect(calls.filter((c) => c.name === 'datasets.cancelImport')).toHaveLength(1);
  });

  it('shows a cancel that main refuses while the job is still running', async () => {
    const { api } = fakeApi({
      'datasets.import': () => ({ jobId: 'j' }),
      'datasets.cancelImport': () => {
        throw new Error('No import j is running.');
      },
    });
    const store = createImportsStore(api);
    await store.start(params);
    await store.cancel();
    expect(get(store)).toMatchObject({ status: 'running', error: 'No import j is running.' });
  });

  describe('in browser mode', () => {
    const file = (name: string, bytes: number) => new File([new Uint8Array(bytes)], name);
    const files = { covarep: file('CMU_MOSEI_COVAREP.csd', 4000), labels: file('CMU_MOSEI_Labels.csd', 100) };

    it('uploads the labels, then the COVAREP file, with progress, and imports them by their handles', async () => {
      const seen: string[] = [];
      const { api, calls } = fakeApi({ 'datasets.import': () => ({ jobId: 'up' }) });
      let store!: ReturnType<typeof createImportsStore>;
      const uploader: Uploader = async (f, purpose, onProgress) => {
        expect(purpose).toBe('csd');
        onProgress({ bytesDone: f.size / 2, bytesTotal: f.size });
        const s = get(store);
        seen.push(`${s.status} ${s.upload?.file} ${s.upload?.bytesDone}/${s.upload?.bytesTotal}`);
        return { handle: f.name.includes('Labels') ? params.labels : params.covarep, name: f.name, location: `${f.name} (uploaded)`, bytes: f.size };
      };
      store = createImportsStore(api, { uploader });
      await store.importFiles(files, 'mine');
      expect(seen).toEqual(['uploading labels 50/100', 'uploading covarep 2000/4000']);
      expect(calls).toEqual([{ name: 'datasets.import', params: { ...params, name: 'mine' } }]);
      expect(get(store)).toMatchObject({ status: 'running', jobId: 'up', upload: null });
    });

    it('uploads only what is not a handle yet (a downloaded file is imported where it is)', async () => {
      const { api, calls } = fakeApi({ 'datasets.import': () => ({ jobId: 'mixed' }) });
      const uploaded: string[] = [];
      const uploader: Uploader = async (f) => {
        uploaded.push(f.name);
        return { handle: params.covarep, name: f.name, location: f.name, bytes: f.size };
      };
      const store = createImportsStore(api, { uploader });
      const downloaded = { handle: params.labels, name: 'CMU_MOSEI_Labels.csd', location: '/data/downloads/CMU_MOSEI_Labels.csd', bytes: 100 };
      await store.importFiles({ covarep: files.covarep, labels: downloaded });
      expect(uploaded).toEqual(['CMU_MOSEI_COVAREP.csd']);
      expect(calls).toEqual([{ name: 'datasets.import', params: { ...params, name: undefined } }]);
    });

    it('cancels an upload under way: nothing is imported', async () => {
      const { api, calls } = fakeApi({});
      let store!: ReturnType<typeof createImportsStore>;
      const uploader: Uploader = (f, _purpose, _onProgress, signal) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new UploadCancelled(f.name))));
      store = createImportsStore(api, { uploader });
      const started = store.importFiles(files);
      await tick();
      expect(get(store).status).toBe('uploading');
      await store.cancel();
      await started;
      expect(get(store)).toMatchObject({ status: 'cancelled', error: null });
      expect(calls).toEqual([]);
    });

    it('shows why an upload was refused, and starts no import', async () => {
      const { api, calls } = fakeApi({});
      const uploader: Uploader = async (f) => {
        throw new Error(`${f.name} is 20.00 GB, more than the 16.00 GB an upload may hold.`);
      };
      const store = createImportsStore(api, { uploader });
      await store.importFiles(files);
      expect(get(store)).toMatchObject({ status: 'failed', error: 'CMU_MOSEI_Labels.csd is 20.00 GB, more than the 16.00 GB an upload may hold.' });
      expect(calls).toEqual([]);
    });
  });
});
