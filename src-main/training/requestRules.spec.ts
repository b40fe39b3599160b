import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '@shared/api/contract';
import { experimentPlan, withOverrides } from '@shared/experiments/presets';
import { checkTrainingRequest, clipSteps } from './requestRules';

const plan = experimentPlan('quick');
// The quick preset's model and masking with the paper's evaluation (no test share, the last epoch, no early
// stopping), so each rule below is met or broken on its own; the test-share rules set their own share.
const quick = withOverrides(plan, { split: { ...plan.supervised.split, testFraction: 0 }, selection: 'last-epoch', earlyStopping: null });
const facts = (trainSize: number, steps: number[], testSize = 0) => ({ trainSize, testSize, validSteps: () => steps });

describe('the rules of a training request', () => {
  it('refuse more labelled segments than the training split holds, naming how many it has', () => {
    const config = { ...quick.supervised, labels: { count: 5000, seed: 0 } };
    expect(() => checkTrainingRequest('baseline', config, facts(320, []))).toThrow(WorkbenchError);
    expect(() => checkTrainingRequest('finetune', config, facts(320, []))).toThrow('The training split has 320 segments, so a run cannot learn from 5000 labelled ones. Choose at most 320');
    expect(checkTrainingRequest('baseline', { ...config, labels: { count: 320, seed: 0 } }, facts(320, []))).toEqual([]);
    expect(checkTrainingRequest('baseline', { ...config, labels: { count: null, seed: 0 } }, facts(320, []))).toEqual([]);
  });

  it('refuse a mask that covers every real step of most clips, with the share, and warn when it covers some', () => {
    const mask = (spanLength: number) => ({ ...quick.pretrain, mask: { ...quick.pretrain.mask!, spanLength } });
    const steps = [10, 20, 40, 60, 60];
    let error: WorkbenchError | undefined;
    try {
      checkTrainingRequest('pretrain', mask(40), facts(5, steps));
    } catch (e) {
      error = e as WorkbenchError;
    }
    expect(error?.code).toBe('invalid_params');
    expect(error?.issues).toEqual([{ path: 'config.mask.spanLength', message: expect.stringMatching(/^A mask span of 40 steps covers every real step of 60% of the training clips \(3 of 5.*the median clip has 40 real steps\.$/) }]);
    expect(checkTrainingRequest('pretrain', mask(15), facts(5, steps))).toEqual([expect.stringMatching(/covers every real step of 20% of the training clips \(1 of 5/)]);
    expect(checkTrainingRequest('pretrain', mask(5), facts(5, steps))).toEqual([]);
  });

  it('refuse a pre-training with nothing to learn from, and warn about one that learns to copy', () => {
    const none = (lossScope: 'all-valid' | 'masked-only') => ({ ...quick.pretrain, mask: { ...quick.pretrain.mask!, spanCount: 0, lossScope } });
    expect(() => checkTrainingRequest('pretrain', none('masked-only'), facts(5, [60]))).toThrow(/nothing to learn from/);
    expect(checkTrainingRequest('pretrain', none('all-valid'), facts(5, [60]))).toEqual([expect.stringMatching(/learns to copy its input/)]);
  });

  it('refuse choosing an epoch or stopping early without the validation loss of every epoch, saying what to set', () => {
    const final = { ...quick.supervised, validation: 'final' as const, labels: { count: 20, seed: 0 } };
    expect(checkTrainingRequest('baseline', final, facts(320, []))).toEqual([]);
    expect(() => checkTrainingRequest('baseline', { ...final, selection: 'best-validation-loss' }, facts(320, []))).toThrow(
      'Keeping the epoch of the lowest validation loss needs the validation loss after every epoch: set validation to each-epoch (or keep the last epoch without early stopping).',
    );
    expect(() => checkTrainingRequest('finetune', { ...final, earlyStopping: { patience: 3 } }, facts(320, []))).toThrow(/^Early stopping needs the validation loss after every epoch/);
    expect(checkTrainingRequest('baseline', { ...final, validation: 'each-epoch', selection: 'best-validation-loss', earlyStopping: { patience: 3 } }, facts(320, []))).toEqual([]);
    // A patience as long as the run cannot stop it: said, not refused.
    expect(checkTrainingRequest('baseline', { ...final, epochs: 30, validation: 'each-epoch', earlyStopping: { patience: 30 } }, facts(320, []))).toEqual(['Early stopping with a patience of 30 epochs cannot stop a run of 30 epochs.']);
  });

  it('refuse a test share that leaves no segment for test on the dataset', () => {
    const withTest = { ...quick.supervised, labels: { count: 2, seed: 0 }, split: { ...quick.supervised.split, kind: 'by-video' as const, testFraction: 0.05 } };
    expect(() => checkTrainingRequest('baseline', withTest, facts(3, [], 0))).toThrow(/A test share of 0\.05 leaves no segment \(or no whole video\) for test on this dataset/);
    expect(checkTrainingRequest('baseline', withTest, facts(3, [], 2))).toEqual([]);
  });

  it('count a clip\'s real steps after pooling and the window', () => {
    expect(clipSteps(1000, { maxFrames: 300, keep: 'first', poolFrames: 1, padding: 'right' })).toBe(300);
    expect(clipSteps(45, { maxFrames: 300, keep: 'first', poolFrames: 2, padding: 'right' })).toBe(23);
  });
});
