import { describe, expect, it } from 'vitest';
import { parsePatience, presetDefaults, startRequest, type StartForm } from './startRequest';

const quick = presetDefaults('quick');

const form = (over: Partial<StartForm> = {}): StartForm => ({
  datasetId: 'builtin-small', preset: 'quick', name: '', labelCounts: '20, 50, 100, 200', repeats: '2', testFraction: String(quick.testFraction), selection: quick.selection, patience: String(quick.patience ?? ''), learningRate: String(quick.learningRate), factors: [], ...over,
});

describe('the Experiments form as a request', () => {
  it('sends only what differs from the preset', () => {
    expect(startRequest(form({ labelCounts: '4, 2, 2', repeats: '3' }))).toEqual({ request: { datasetId: 'builtin-small', preset: 'quick', labelCounts: [2, 4], repeats: 3 } });
    // The Quick preset keeps each run's best epoch with early stopping: the paper's choices are overrides.
    expect(startRequest(form({ selection: 'last-epoch', patience: '' }))).toMatchObject({ request: { overrides: { selection: 'last-epoch', earlyStopping: null } } });
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

describe('early stopping as typed (this form and the Train view)', () => {
  it('reads empty as none, a whole number from 1 to 1000 as a patience, and anything else as the same error', () => {
    expect(parsePatience('')).toEqual({ earlyStopping: null });
    expect(parsePatience(null)).toEqual({ earlyStopping: null });
    expect(parsePatience(' 5 ')).toEqual({ earlyStopping: { patience: 5 } });
    expect(parsePatience(7)).toEqual({ earlyStopping: { patience: 7 } });
    for (const bad of ['0', '2.5', '1001', 'x']) expect(parsePatience(bad)).toEqual({ error: 'Early stopping patience must be a whole number of epochs from 1 to 1000, or empty for none.' });
  });
});
