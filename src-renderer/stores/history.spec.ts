import { get } from 'svelte/store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunSummary } from '@shared/api/entities';
import { createHistoryStore, HISTORY_PAGE, MAX_COMPARED } from './history';
import { fakeApi } from '../../test/builders/fakeApi';

const run = (id: number, extra: Partial<RunSummary> = {}): RunSummary => ({
  id, name: `r${id}`, kind: 'baseline', status: 'done', datasetId: 'd', parentRunId: null,
  config: { epochs: 1, batchSize: 1, learningRate: 0.001, model: { hiddenUnits: 1, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' }, labels: { count: null, seed: 0 }, seed: 0, mask: null, sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' }, split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null },
  seed: 0, backend: null, backendReason: null, createdAt: '', startedAt: null, finishedAt: null, error: null, lastLoss: null, maeOverall: null, acc4Overall: null,
  labelCount: null, experimentId: null, tags: [], notes: '', archived: false, origin: null, pretrainMask: null, maeTest: null, acc4Test: null, flags: null, ...extra,
});

/** A store of `n` runs answering queries by offset and limit, newest first. */
function storeOf(n: number) {
  const all = Array.from({ length: n }, (_, i) => run(n - i));
  return fakeApi({
    'runs.query': (p) => {
      const { offset, limit } = p as { offset: number; limit: number };
      return { rows: all.slice(offset, offset + limit), total: all.length };
    },
    'runs.facets': () => ({ total: n, tags: [], configFields: [], values: {} }),
    'runs.update': (p) => ({ ...all.find((r) => r.id === (p as { id: number }).id)!, ...(p as object) }),
    'runs.delete': (p) => ({ id: (p as { id: number }).id, filesRemoved: true }),
  });
}
const queries = (calls: Array<{ name: string; params: unknown }>) => calls.filter((c) => c.name === 'runs.query').map((c) => c.params as Record<string, unknown>);

afterEach(() => vi.useRealTimers());

describe('history store', () => {
  it('loads the first page and only the pages a scrolled window needs, each once', async () => {
    const { api, calls } = storeOf(1000);
    const history = createHistoryStore(api);
    await history.reload();
    expect(get(history).total).toBe(1000);
    expect(get(history).rows.filter(Boolean)).toHaveLength(HISTORY_PAGE);
    await Promise.all([history.ensureRange(250, 330), history.ensureRange(260, 320)]);
    expect(queries(calls).map((q) => q.offset)).toEqual([0, 200, 300]);
    expect(get(history).rows[250]?.id).toBe(750);
    expect(get(history).rows[150]).toBeUndefined();
  });

  it('keeps one filter per field, sorts on a header click and flips on a second', async () => {
    const { api, calls } = storeOf(5);
    const history = createHistoryStore(api);
    await history.setFilter('maskSpan', { op: 'eq', value: 30 });
    await history.setFilter('maskSpan', { op: 'eq', value: 10 });
    await history.setFilter('kind', { op: 'eq', value: 'pretrain' });
    expect(get(history).query.filters).toEqual([{ field: 'maskSpan', op: 'eq', value: 10 }, { field: 'kind', op: 'eq', value: 'pretrain' }]);
    await history.setFilter('maskSpan', null);
    expect(get(history).query.filters).toEqual([{ field: 'kind', op: 'eq', value: 'pretrain' }]);
    await history.sortBy('mae');
    expect(get(history).query.sort).toEqual({ field: 'mae', direction: 'asc' });
    await history.sortBy('mae');
    expect(get(history).query.sort).toEqual({ field: 'mae', direction: 'desc' });
    expect(queries(calls).at(-1)).toMatchObject({ sort: { field: 'mae', direction: 'desc' }, filters: [{ field: 'kind' }], offset: 0 });
  });

  it('drops the answer to a query the user has already replaced', async () => {
    let release: () => void = () => {};
    const { api } = fakeApi({
      'runs.query': (p) => {
        const search = (p as { search: string }).search;
        if (search === 'slow') return new Promise((resolve) => (release = () => resolve({ rows: [run(1)], total: 1 })));
        return { rows: [run(2), run(3)], total: 2 };
      },
    });
    const history = createHistoryStore(api);
    const slow = history.setSearch('slow');
    await history.setSearch('fast');
    release();
    await slow;
    expect(get(history).rows.map((r) => r?.id)).toEqual([2, 3]);
    expect(get(history).query.search).toBe('fast');
  });

  it('refreshes once after a burst of training events, re-reading only the pages in view, and the filter menus after a status change', async () => {
    vi.useFakeTimers();
    const { api, calls, emit } = storeOf(300);
    const history = createHistoryStore(api);
    await history.reload();
    await history.ensureRange(250, 300);
    await history.ensureRange(50, 150);
    const before = calls.length;
    for (let i = 0; i < 5; i++) emit('run.epoch', { runId: 1, epoch: i + 1, loss: 1, valLoss: null, seconds: 1 });
    emit('run.status', { runId: 1, status: 'done', error: null });
    await vi.advanceTimersByTimeAsync(1000);
    const after = calls.slice(before);
    expect(queries(after).map((q) => q.offset).sort()).toEqual([0, 100]);
    expect(after.filter((c) => c.name === 'runs.facets')).toHaveLength(1);
    // The page scrolled past is fetched again when it comes back into view.
    await history.ensureRange(250, 300);
    expect(queries(calls.slice(before)).map((q) => q.offset)).toContain(200);
  });

  it('lets a refresh that lands while a new query loads wait for it, never mixing the two results', async () => {
    let release: () => void = () => {};
    const filtered = [run(7)];
    const all = Array.from({ length: 250 }, (_, i) => run(250 - i));
    const { api } = fakeApi({
      'runs.query': (p) => {
        const { filters, offset, limit } = p as { filters: unknown[]; offset: number; limit: number };
        if (filters.length) return new Promise((resolve) => (release = () => resolve({ rows: filtered, total: 1 })));
        return { rows: all.slice(offset, offset + limit), total: all.length };
      },
    });
    const history = createHistoryStore(api);
    await history.reload();
    await history.ensureRange(100, 200);
    const filtering = history.setFilter('kind', { op: 'eq', value: 'pretrain' });
    const refreshing = history.refresh();
    release();
    await Promise.all([filtering, refreshing]);
    expect(get(history).rows.map((r) => r?.id)).toEqual([7]);
    expect(get(history).total).toBe(1);
    expect(get(history).loading).toBe(false);
  });

  it('caps the comparison at what one request loads', async () => {
    const { api } = storeOf(3);
    const history = createHistoryStore(api);
    history.selectAll(Array.from({ length: MAX_COMPARED + 20 }, (_, i) => i + 1));
    expect(get(history).selected).toHaveLength(MAX_COMPARED);
    expect(history.toggleSelected(9999)).toBe(false);
    expect(history.toggleSelected(1)).toBe(true);
    expect(get(history).selected).toHaveLength(MAX_COMPARED - 1);
  });

  it('applies edits in place, and removing a run drops it from the comparison', async () => {
    const { api } = storeOf(3);
    const history = createHistoryStore(api);
    await history.reload();
    history.toggleSelected(3);
    history.toggleSelected(2);
    history.toggleSelected(3);
    history.toggleSelected(3);
    expect(get(history).selected).toEqual([2, 3]);
    await history.update({ id: 2, notes: 'good seed', tags: ['keep'] });
    expect(get(history).rows.find((r) => r?.id === 2)).toMatchObject({ notes: 'good seed', tags: ['keep'] });
    expect(await history.remove(3)).toEqual({ id: 3, filesRemoved: true });
    expect(get(history).selected).toEqual([2]);
  });
});
