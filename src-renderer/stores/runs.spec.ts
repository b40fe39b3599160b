import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '@shared/api/entities';
import { createRunsStore } from './runs';
import { fakeApi } from '../../test/builders/fakeApi';

const run = (id: number, status: RunSummary['status']): RunSummary => ({
  id, name: `r${id}`, kind: 'baseline', status, datasetId: 'd', parentRunId: null,
  config: { epochs: 1, batchSize: 1, learningRate: 0.001, model: { hiddenUnits: 1, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' }, labels: { count: null, seed: 0 }, seed: 0, mask: null, sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' }, split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null },
  seed: 0, backend: null, backendReason: null, createdAt: '', startedAt: null, finishedAt: null, error: null, lastLoss: null, maeOverall: null, acc4Overall: null,
  labelCount: null, experimentId: null, tags: [], notes: '', archived: false, origin: null, pretrainMask: null, maeTest: null, acc4Test: null, flags: null,
});

describe('runs store', () => {
  it('loads the history, shows live progress and drops it when the run ends', async () => {
    let history = [run(1, 'running')];
    const { api, emit } = fakeApi({ 'runs.list': () => history });
    const store = createRunsStore(api, 0);
    await store.load();
    expect(get(store).runs).toEqual(history);
    const progress = { runId: 1, epoch: 1, epochs: 2, batch: 1, batches: 4, loss: 0.5, samplesPerSecond: 10, etaSeconds: 3 };
    emit('run.progress', progress);
    expect(get(store).progress[1]).toEqual(progress);
    history = [run(1, 'done')];
    emit('run.status', { runId: 1, status: 'done', error: null });
    await new Promise((r) => setTimeout(r, 5));
    expect(get(store).progress[1]).toBeUndefined();
    expect(get(store).runs[0].status).toBe('done');
  });

  it('adds a started run at once and passes errors of main through', async () => {
    const { api } = fakeApi({
      'runs.list': () => [],
      'runs.start': () => run(7, 'queued'),
      'runs.cancel': () => {
        throw new Error('Run 7 is done; only queued or running runs can be cancelled.');
      },
    });
    const store = createRunsStore(api);
    await store.start({ datasetId: 'd', kind: 'baseline', config: run(7, 'queued').config });
    expect(get(store).runs.map((r) => r.id)).toEqual([7]);
    await expect(store.cancel(7)).rejects.toThrow(/only queued or running/);
  });

  it('reloads the list once for a burst of epoch and status events, not once per event', async () => {
    const { api, emit, calls } = fakeApi({ 'runs.list': () => [run(1, 'running')] });
    const store = createRunsStore(api, 50);
    for (let i = 1; i <= 1000; i++) emit('run.epoch', { runId: 1 + (i % 7), epoch: i, loss: 1, valLoss: null, seconds: 0.01 });
    emit('run.status', { runId: 3, status: 'done', error: null });
    await new Promise((r) => setTimeout(r, 120));
    expect(calls.filter((c) => c.name === 'runs.list')).toHaveLength(1);
    expect(get(store).runs).toHaveLength(1);
  });

  it('keeps what main warned about a run with it', () => {
    const { api, emit } = fakeApi({});
    const store = createRunsStore(api);
    emit('log', { level: 'warn', message: 'Run #4: A mask span of 30 steps covers every real step of 12% of the training clips.', runId: 4 });
    emit('log', { level: 'info', message: 'Backend ready', runId: null });
    expect(get(store).notices).toEqual({ 4: [{ level: 'warn', message: 'Run #4: A mask span of 30 steps covers every real step of 12% of the training clips.' }] });
  });
});
