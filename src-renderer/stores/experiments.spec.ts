import { get } from 'svelte/store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createExperimentsStore } from './experiments';
import { fakeApi } from '../../test/builders/fakeApi';
import { experimentResults, experimentSummary } from '../../test/builders/resultsFixtures';

const flush = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('experiments store', () => {
  it('lists experiments, starts one and opens its results at once', async () => {
    let list = [experimentSummary(1, { status: 'done' })];
    const { api, calls } = fakeApi({
      'experiments.list': () => list,
      'experiments.start': () => experimentSummary(2),
      'experiments.results': (p) => experimentResults((p as { id: number }).id),
    });
    const store = createExperimentsStore(api);
    await store.load();
    expect(get(store).experiments.map((e) => e.id)).toEqual([1]);

    const started = await store.start({ datasetId: 'builtin', preset: 'quick', labelCounts: [20, 50], repeats: 2 });
    expect(started.id).toBe(2);
    expect(calls.find((c) => c.name === 'experiments.start')?.params).toEqual({ datasetId: 'builtin', preset: 'quick', labelCounts: [20, 50], repeats: 2 });
    const s = get(store);
    expect(s.experiments.map((e) => e.id)).toEqual([2, 1]);
    expect(s.selectedId).toBe(2);
    expect(s.results?.experiment.id).toBe(2);
    expect(s.results?.ssl).toHaveLength(3);
    store.dispose();
    list = [];
  });

  it('shows live progress from events and drops the ETA when the experiment ends', async () => {
    let list = [experimentSummary(3)];
    const { api, emit } = fakeApi({ 'experiments.list': () => list });
    const store = createExperimentsStore(api, { reloadDelayMs: 5 });
    await store.load();
    emit('experiment.progress', { id: 3, runsDone: 4, runsTotal: 13, etaSeconds: 90 });
    expect(get(store).progress[3]).toEqual({ runsDone: 4, runsTotal: 13, etaSeconds: 90 });
    expect(get(store).experiments[0].runsDone).toBe(4);

    list = [experimentSummary(3, { status: 'done', runsDone: 13 })];
    emit('experiment.status', { id: 3, status: 'done', error: null });
    expect(get(store).progress[3]).toBeUndefined();
    expect(get(store).experiments[0].status).toBe('done');
    await flush();
    expect(get(store).experiments[0].runsDone).toBe(13);
    store.dispose();
  });

  it('reloads the list when progress arrives for an experiment it does not know (started elsewhere)', async () => {
    let list = [experimentSummary(1, { status: 'done' })];
    const { api, emit } = fakeApi({ 'experiments.list': () => list });
    const store = createExperimentsStore(api, { reloadDelayMs: 5 });
    await store.load();
    list = [experimentSummary(9), ...list];
    emit('experiment.progress', { id: 9, runsDone: 1, runsTotal: 13, etaSeconds: null });
    await new Promise((r) => setTimeout(r, 20));
    expect(get(store).experiments.map((e) => e.id)).toEqual([9, 1]);
    store.dispose();
  });

  it('reloads the open results once per burst of finished runs, and not for runs still going', async () => {
    vi.useFakeTimers();
    let resultsCalls = 0;
    const { api, emit } = fakeApi({
      'experiments.list': () => [experimentSummary(4)],
      'experiments.results': () => {
        resultsCalls++;
        return experimentResults(4, resultsCalls === 1 ? [20] : [20, 50]);
      },
    });
    const store = createExperimentsStore(api, { reloadDelayMs: 300 });
    await store.load();
    await store.select(4);
    expect(resultsCalls).toBe(1);
    expect(get(store).results?.ssl).toHaveLength(1);

    emit('run.status', { runId: 11, status: 'running', error: null });
    await vi.advanceTimersByTimeAsync(1000);
    expect(resultsCalls).toBe(1);

    for (let id = 11; id < 16; id++) emit('run.status', { runId: id, status: 'done', error: null });
    await vi.advanceTimersByTimeAsync(299);
    expect(resultsCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(resultsCalls).toBe(2);
    expect(get(store).results?.ssl).toHaveLength(2);

    // A progress event saying more runs are done is enough on its own.
    emit('experiment.progress', { id: 4, runsDone: 3, runsTotal: 13, etaSeconds: 20 });
    await vi.advanceTimersByTimeAsync(400);
    expect(resultsCalls).toBe(3);
    emit('experiment.progress', { id: 4, runsDone: 3, runsTotal: 13, etaSeconds: 18 });
    await vi.advanceTimersByTimeAsync(400);
    expect(resultsCalls).toBe(3);

    // A failed run counts as finished too.
    emit('run.status', { runId: 16, status: 'failed', error: 'out of memory' });
    await vi.advanceTimersByTimeAsync(400);
    expect(resultsCalls).toBe(4);
    store.dispose();
  });

  it('does not reload results for runs finishing while the open experiment is already done', async () => {
    vi.useFakeTimers();
    let resultsCalls = 0;
    const { api, emit } = fakeApi({
      'experiments.list': () => [experimentSummary(5, { status: 'done' })],
      'experiments.results': () => {
        resultsCalls++;
        return experimentResults(5, [20], { experiment: experimentSummary(5, { status: 'done' }) });
      },
    });
    const store = createExperimentsStore(api, { reloadDelayMs: 50 });
    await store.load();
    await store.select(5);
    emit('run.status', { runId: 40, status: 'done', error: null });
    await vi.advanceTimersByTimeAsync(500);
    expect(resultsCalls).toBe(1);
    store.dispose();
  });

  it('loads the final results as soon as the open experiment finishes', async () => {
    let status: 'running' | 'done' = 'running';
    const { api, emit, calls } = fakeApi({
      'experiments.list': () => [experimentSummary(6, { status })],
      'experiments.results': () => experimentResults(6, [20, 50], { experiment: experimentSummary(6, { status }) }),
    });
    const store = createExperimentsStore(api, { reloadDelayMs: 10_000 });
    await store.load();
    await store.select(6);
    status = 'done';
    emit('experiment.status', { id: 6, status: 'done', error: null });
    await flush();
    expect(calls.filter((c) => c.name === 'experiments.results')).toHaveLength(2);
    expect(get(store).results?.experiment.status).toBe('done');
    store.dispose();
  });

  it('keeps the results of the latest selection when an earlier answer arrives late', async () => {
    const pending: Array<() => void> = [];
    const { api } = fakeApi({
      'experiments.list': () => [experimentSummary(7), experimentSummary(8)],
      'experiments.results': (p) => {
        const id = (p as { id: number }).id;
        // Experiment 7's answer is slow; 8's is immediate.
        if (id === 7) return new Promise((resolve) => pending.push(() => resolve(experimentResults(7))));
        return experimentResults(8);
      },
    });
    const store = createExperimentsStore(api);
    await store.load();
    const first = store.select(7);
    await store.select(8);
    pending.forEach((resolve) => resolve());
    await first;
    expect(get(store).selectedId).toBe(8);
    expect(get(store).results?.experiment.id).toBe(8);
    store.dispose();
  });

  it('passes errors of main through: a refused start, a failed results request, a cancel of a finished experiment', async () => {
    const { api } = fakeApi({
      'experiments.list': () => [experimentSummary(9, { status: 'done' })],
      'experiments.start': () => {
        throw new Error('Label counts must not exceed the 320 training segments.');
      },
      'experiments.results': () => {
        throw new Error('Experiment 9 was not found.');
      },
      'experiments.cancel': () => ({ cancelled: false }),
    });
    const store = createExperimentsStore(api);
    await store.load();
    await expect(store.start({ datasetId: 'builtin', preset: 'paper' })).rejects.toThrow(/must not exceed/);
    await store.select(9);
    expect(get(store).error).toMatch(/not found/);
    expect(get(store).results).toBeNull();
    expect(await store.cancel(9)).toBe(false);
    await store.select(null);
    expect(get(store).selectedId).toBeNull();
    expect(get(store).error).toBeNull();
    store.dispose();
  });
});
