import { PAPER_MASK, type TrainConfig } from '../api/entities';
import { paperTrainConfig } from '../model/presets';

export type ExperimentPreset = 'quick' | 'paper';

/** What one experiment runs: one pre-training, then per label count and repeat an SSL fine-tune and a baseline. */
export interface ExperimentPlan {
  labelCounts: number[];
  repeats: number;
  pretrain: TrainConfig;
  /** Fine-tunes and baselines; `labels` is filled in per label count and repeat. */
  supervised: TrainConfig;
}

/** The paper's label counts: 20 to 200 in steps of 15, then 400 to 1200 in steps of 200. */
export const PAPER_LABEL_COUNTS = [20, 35, 50, 65, 80, 95, 110, 125, 140, 155, 170, 185, 200, 400, 600, 800, 1000, 1200];

export function experimentPlan(preset: ExperimentPreset, labelCounts?: number[], repeats?: number): ExperimentPlan {
  const paper = paperTrainConfig();
  if (preset === 'paper') {
    // The sweep reports final metrics only: validating 54 baselines after every epoch would cost most of its time.
    return { labelCounts: labelCounts ?? PAPER_LABEL_COUNTS, repeats: repeats ?? 3, pretrain: paper, supervised: { ...paper, mask: null, validation: 'final' } };
  }
  // Quick: a smaller model on shorter clips and four label counts, so a sweep ends in minutes on 2 cores.
  // Every other difference from the paper is a recorded field, chosen on the built-in positive control
  // (npm run bench -- controls measures it):
  // - pre-training: 5 epochs at Adam 0.003, and the loss on masked steps only. With the loss on every
  //   step, a 32-unit GRU spends its capacity copying each unmasked frame, noise included, so its
  //   output at the last step carries little that the clip's context adds; on masked steps only,
  //   it learns to carry what the context says about the frames it cannot see.
  // - fine-tunes and baselines: batches of 8, so that 20 labels still make 90 Adam steps in 30
  //   epochs (batches of 32 make 30, which barely move a fresh head), and validation once at the end
  //   (a baseline's per-epoch validation would cost more than its training).
  // - six repeats, so that a paired test over repeats has 5 degrees of freedom instead of 1.
  const quick: TrainConfig = { ...paper, model: { ...paper.model, hiddenUnits: 32 }, sequence: { ...paper.sequence, maxFrames: 60 } };
  return {
    labelCounts: labelCounts ?? [20, 50, 100, 200],
    repeats: repeats ?? 6,
    pretrain: { ...quick, epochs: 5, learningRate: 0.003, mask: { ...PAPER_MASK, lossScope: 'masked-only' } },
    supervised: { ...quick, epochs: 30, batchSize: 8, mask: null, validation: 'final' },
  };
}

/** What an experiment may change from its preset: the masking (pre-training), the split and the sequence policy (both arms). */
export interface PlanOverrides {
  mask?: TrainConfig['mask'];
  split?: TrainConfig['split'];
  sequence?: TrainConfig['sequence'];
}

export function withOverrides(plan: ExperimentPlan, o: PlanOverrides = {}): ExperimentPlan {
  const shared = { ...(o.split ? { split: o.split } : {}), ...(o.sequence ? { sequence: o.sequence } : {}) };
  return {
    ...plan,
    pretrain: { ...plan.pretrain, ...shared, ...(o.mask ? { mask: o.mask } : {}) },
    supervised: { ...plan.supervised, ...shared },
  };
}

/** Both arms of one repeat draw the same labelled sample: its seed is the repeat's index. */
export function supervisedConfig(plan: ExperimentPlan, labelCount: number, repeat: number): TrainConfig {
  return { ...plan.supervised, labels: { count: labelCount, seed: repeat } };
}
