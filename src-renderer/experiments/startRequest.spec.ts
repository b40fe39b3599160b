import { describe, expect, it } from 'vitest';
import { startRequest, type StartForm } from './startRequest';

const form = (over: Partial<StartForm> = {}): StartForm => ({
  datasetId: 'builtin-small', preset: 'quick', name: '', labelCounts: '20, 50, 100, 200', repeats: '2', testFraction: '0', selection: 'last-epoch', patience: '', learningRate: '0.001', factors: [], ...over,
});

describe('the Experiments form as a request', () => {
  it('sends only what differs from the preset', () => {
    expect(startRequest(form({ labelCounts: '4, 2, 2', repeats: '3' }))).toEqual({ request: { datasetId: 'builtin-small', preset: 'quick', labelCounts: [2, 4], repeats: 3 } });
  });

  it('sends an ablation\'s factors read as the command line reads them, leaving out rows without a setting', () => {
    const out = startRequest(form({ factors: [{ field: 'mask.spanLength', values: '5, 15 30' }, { field: '', values: '' }] }));
    expect(out).toMatchObject({ request: { factors: [{ field: 'mask.spanLength', values: [5, 15, 30] }] } });
  });

  it('says what is wrong with a factor\'s values, naming the setting', () => {
    expect(startRequest(form({ factors: [{ field: 'mask.spanLength', values: '5, 0' }] }))).toEqual({ error: 'Mask span length (steps): "0" is not allowed; use whole numbers from 1 to 10000.' });
    expect(startRequest(form({ repeats: '0' }))).toEqual({ error: 'Repeats must be a whole number from 1 to 50.' });
    expect(startRequest(form({ labelCounts: '20, x' }))).toEqual({ error: 'Not a whole number of labels: x' });
  });
});
