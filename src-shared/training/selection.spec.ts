import { describe, expect, it } from 'vitest';
import { bestValidationEpoch, needsEpochValidation, selectedEpoch, selectionText, stopsEarly } from './selection';

const records = (valLosses: Array<number | null>) => valLosses.map((valLoss, i) => ({ epoch: i + 1, valLoss }));

describe('epoch selection', () => {
  it('finds the lowest validation loss, the earliest on a tie, skipping epochs not validated', () => {
    expect(bestValidationEpoch(records([0.5, 0.3, 0.4, 0.3]))?.epoch).toBe(2);
    expect(bestValidationEpoch(records([null, 0.9, null]))?.epoch).toBe(2);
    expect(bestValidationEpoch(records([null, null]))).toBeNull();
  });

  it('needs the validation loss after every epoch to keep the best epoch or to stop early, not for the last epoch alone', () => {
    expect(needsEpochValidation({ selection: 'last-epoch', earlyStopping: null })).toBe(false);
    expect(needsEpochValidation({ selection: 'best-validation-loss', earlyStopping: null })).toBe(true);
    expect(needsEpochValidation({ selection: 'last-epoch', earlyStopping: { patience: 3 } })).toBe(true);
  });
  it('keeps the last epoch by default (the paper), the best one when asked', () => {
    const r = records([0.5, 0.3, 0.4]);
    expect(selectedEpoch({ selection: 'last-epoch' }, r)).toBe(3);
    expect(selectedEpoch({ selection: 'best-validation-loss' }, r)).toBe(2);
    expect(selectedEpoch({ selection: 'best-validation-loss' }, [])).toBeNull();
  });

  it('stops once the loss has not improved for `patience` epochs in a row', () => {
    expect(stopsEarly(records([0.5, 0.3, 0.4]), { patience: 2 })).toBe(false);
    expect(stopsEarly(records([0.5, 0.3, 0.4, 0.35]), { patience: 2 })).toBe(true);
    expect(stopsEarly(records([0.5, 0.3, 0.4, 0.29]), { patience: 2 })).toBe(false);
    expect(stopsEarly(records([0.5, 0.3, 0.4, 0.35]), null)).toBe(false);
    expect(stopsEarly(records([0.5, 0.3, 0.4, null]), { patience: 1 })).toBe(false);
  });

  it('says which epoch a run was evaluated with, and why it stopped', () => {
    expect(selectionText({ selection: 'best-validation-loss', earlyStopping: { patience: 2 }, epochs: 30 }, records([0.5, 0.3, 0.4, 0.35]))).toBe(
      'Evaluated with the weights of epoch 2 of 30 (lowest validation loss, 0.3000); stopped early after epoch 4: no improvement in 2 epochs.',
    );
    expect(selectionText({ selection: 'last-epoch', earlyStopping: null, epochs: 3 }, records([0.5, 0.3, 0.4]))).toBe('Evaluated with the weights of epoch 3 of 3 (the last epoch trained).');
  });
});
