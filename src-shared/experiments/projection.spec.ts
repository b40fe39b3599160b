import { describe, expect, it } from 'vitest';
import { measuredSpeeds, projectExperiment, stepCost, trainingWork, type Speeds } from './projection';
import { experimentPlan } from './presets';

const speeds: Speeds = { pretrain: 1, baseline: 1, encoding: 1, finetune: 1 };

describe('the projected time of an experiment', () => {
  it('counts the GRUs\' and Dense(74)\'s multiply-adds per step, and three passes per trained sequence', () => {
    expect(stepCost({ hiddenUnits: 2, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' })).toBe(3 * 2 * (74 + 2) + 2 * 74);
    const { pretrain } = experimentPlan('quick');
    const sizes = { train: 10, validation: 4, test: 0 };
    const per = pretrain.sequence.maxFrames * stepCost(pretrain.model);
    expect(trainingWork('pretrain', pretrain, sizes)).toBe(per * (pretrain.epochs * 10 * 3 + (pretrain.validation === 'each-epoch' ? pretrain.epochs : 1) * 4));
  });

  it('takes the median seconds per unit of work of each kind measured', () => {
    const s = measuredSpeeds([
      { kind: 'pretrain', work: 100, seconds: 10 }, { kind: 'pretrain', work: 100, seconds: 30 }, { kind: 'pretrain', work: 100, seconds: 20 },
      { kind: 'finetune', encodingWork: 50, seconds: 5 }, { kind: 'finetune', encodingWork: null, seconds: 2 },
    ]);
    expect(s).toEqual({ pretrain: 0.2, baseline: null, encoding: 0.1, finetune: 2 });
  });

  it('plays the runs through the pool: fine-tunes wait for their pre-training, and one encodes before the others of it start', () => {
    const jobs = { pretrainings: [{ work: 10, done: false, finetunes: 3, encodingWork: 2, encoded: false }], baselines: [4, 4] };
    // One process: everything in a row: 10 + 4 + 4 + (2 + 1) + 1 + 1.
    expect(projectExperiment(jobs, speeds, 1)).toEqual({ seconds: 23, unknown: null });
    // Two: pre-training on one (0-10) while the baselines run on the other (0-8); then the encoding fine-tune (10-13), then two fine-tunes side by side (13-14).
    expect(projectExperiment(jobs, speeds, 2)).toEqual({ seconds: 14, unknown: null });
  });

  it('skips a reused pre-training, and says which kind is unmeasured instead of inventing a number', () => {
    const reused = { pretrainings: [{ work: 10, done: true, finetunes: 2, encodingWork: 2, encoded: true }], baselines: [] };
    expect(projectExperiment(reused, { pretrain: null, baseline: null, encoding: null, finetune: 1 }, 2)).toEqual({ seconds: 1, unknown: null });
    const fresh = { pretrainings: [{ work: 10, done: false, finetunes: 2, encodingWork: 2, encoded: false }], baselines: [3] };
    expect(projectExperiment(fresh, { ...speeds, pretrain: null, baseline: null }, 2)).toEqual({ seconds: null, unknown: 'unknown until a run has trained on this backend (no pre-training, no baseline measured yet)' });
  });
});
