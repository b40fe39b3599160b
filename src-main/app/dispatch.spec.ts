import { describe, expect, it, vi } from 'vitest';
import { REQUEST_NAMES, EVENT_NAMES } from '@shared/api/channels';
import { events, requests, WorkbenchError } from '@shared/api/contract';
import { createDispatcher, type Handlers } from './dispatch';

const config = {
  epochs: 2, batchSize: 8, learningRate: 0.001, model: { hiddenUnits: 4, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' }, labels: { count: null, seed: 0 }, seed: 1, mask: null,
  sequence: { maxFrames: 20, keep: 'first', poolFrames: 1, padding: 'right' }, split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch',
  adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null,
};

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const fail = () => {
    throw new Error('not expected in this test');
  };
  return {
    'app.info': fail, 'datasets.list': () => [], 'runs.list': fail, 'runs.get': fail, 'runs.start': fail, 'runs.cancel': fail,
    ...overrides,
  } as Handlers;
}

describe('the contract', () => {
  it('lists exactly the requests and events that have schemas', () => {
    expect(Object.keys(requests).sort()).toEqual([...REQUEST_NAMES].sort());
    expect(Object.keys(events).sort()).toEqual([...EVENT_NAMES].sort());
  });
});

describe('dispatch', () => {
  it('refuses an unknown request name', async () => {
    const reply = await createDispatcher(handlers())('runs.delete_everything', {});
    expect(reply).toEqual({ ok: false, error: { code: 'unknown_request', message: 'Unknown request: runs.delete_everything' } });
  });

  it.each([
    ['a string id', 'runs.get', { id: '1' }, 'id'],
    ['a negative id', 'runs.get', { id: -3 }, 'id'],
    ['an unexpected field', 'runs.cancel', { id: 1, sql: 'DROP TABLE runs' }, '(params)'],
    ['an unknown split kind', 'runs.start', { datasetId: 'd', kind: 'baseline', config: { ...config, split: { ...config.split, kind: 'by-mood' } } }, 'config.split.kind'],
    ['a NaN learning rate', 'runs.start', { datasetId: 'd', kind: 'baseline', config: { ...config, learningRate: NaN } }, 'config.learningRate'],
    ['an unknown run kind', 'runs.start', { datasetId: 'd', kind: 'magic', config }, 'kind'],
    ['a missing config', 'runs.start', { datasetId: 'd', kind: 'baseline' }, 'config'],
    ['zero epochs', 'runs.start', { datasetId: 'd', kind: 'baseline', config: { ...config, epochs: 0 } }, 'config.epochs'],
    ["no Adam constants (a request states them; only older records read as defaults)", 'runs.start', { datasetId: 'd', kind: 'baseline', config: { ...config, adam: undefined } }, 'config.adam'],
    ['a beta of 1', 'runs.start', { datasetId: 'd', kind: 'baseline', config: { ...config, adam: { ...config.adam, beta2: 1 } } }, 'config.adam.beta2'],
    ['an unknown initialisation', 'runs.start', { datasetId: 'd', kind: 'baseline', config: { ...config, initialisation: 'he' } }, 'config.initialisation'],
    ['params that are not an object', 'runs.list', 'all', '(params)'],
  ])('refuses %s with invalid_params naming the field, without calling the handler', async (_label, name, params, path) => {
    const handler = vi.fn();
    const reply = await createDispatcher(handlers({ 'runs.get': handler, 'runs.cancel': handler, 'runs.start': handler, 'runs.list': handler }))(name, params);
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('invalid_params');
    expect(reply.error.issues?.map((i) => i.path)).toContain(path);
    expect(handler).not.toHaveBeenCalled();
  });

  it('hands validated params, with defaults filled in, to the handler', async () => {
    const list = vi.fn(() => []);
    const reply = await createDispatcher(handlers({ 'runs.list': list }))('runs.list', {});
    expect(reply).toEqual({ ok: true, result: [] });
    expect(list).toHaveBeenCalledWith({ limit: 500, offset: 0 });
  });

  it('turns service errors into typed replies, and a full disk into a storage error', async () => {
    const dispatch = createDispatcher(
      handlers({
        'runs.get': () => {
          throw new WorkbenchError('not_found', 'Run 9 does not exist.');
        },
        'runs.cancel': () => {
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        },
      }),
    );
    expect(await dispatch('runs.get', { id: 9 })).toEqual({ ok: false, error: { code: 'not_found', message: 'Run 9 does not exist.', issues: undefined } });
    const full = await dispatch('runs.cancel', { id: 1 });
    expect(full.ok).toBe(false);
    if (!full.ok) expect(full.error).toMatchObject({ code: 'storage', message: expect.stringMatching(/disk .* is full/) });
  });
});
