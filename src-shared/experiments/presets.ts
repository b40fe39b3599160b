import { PAPER_MASK, type TrainConfig } from '../api/entities';
import { paperTrainConfig } from '../model/presets';
import { PAPER_PROTOCOL } from '../figures/literature';
import type { Factor } from './factors';
import { needsEpochValidation } from '../training/selection';

export type ExperimentPreset = 'quick' | 'paper';

/**
 * How the labelled samples of one repeat relate across label counts. 'nested': one seed per
 * repeat, so a larger sample extends a smaller one (the default; differences between label
 * counts then reflect the extra labels, not a new draw). 'independent': a fresh draw per label
 * count and repeat. Either way, draws are without replacement from the training split, and
 * both arms of a repeat share theirs. (The paper calls its three samples "bootstrapped" without
 * saying more.)
 */
export const LABEL_SAMPLINGS = ['nested', 'independent'] as const;
export type LabelSampling = (typeof LABEL_SAMPLINGS)[number];

/**
 * The seed of the supervised runs' initialisation and shuffling. 'per-repeat': each repeat has
 * its own, so the spread over repeats covers initialisation and shuffling as well as the
 * labelled sample; 'shared': every repeat uses the preset's seed (experiments planned before
 * repeats varied their seeds, kept so they resume as they began).
 */
export type RepeatSeeds = 'per-repeat' | 'shared';

/**
 * What one experiment runs: one pre-training, then per label count and repeat an SSL fine-tune and
 * a baseline. An ablation adds one or two factors (settings with a list of values, see factors.ts):
 * then every combination of their values has its own pre-training and fine-tunes, and its
 * baseline is shared with every combination that trains the same baseline (see ablationPlan.ts).
 */
export interface ExperimentPlan {
  labelCounts: number[];
  repeats: number;
  pretrain: TrainConfig;
  /** Fine-tunes and baselines; `labels` and `seed` are filled in per label count and repeat. */
  supervised: TrainConfig;
  sampling: LabelSampling;
  repeatSeeds: RepeatSeeds;
  /** The settings an ablation varies (none: a plain experiment). */
  factors: Factor[];
}

/** A stored plan as it is used now: plans stored before a field existed read as they ran (no factor: a plain experiment). */
export function normalisePlan(stored: Omit<ExperimentPlan, 'sampling' | 'repeatSeeds' | 'factors'> & Partial<ExperimentPlan>): ExperimentPlan {
  return { ...stored, sampling: stored.sampling ?? 'nested', repeatSeeds: stored.repeatSeeds ?? 'shared', factors: stored.factors ?? [] };
}

/** The paper's label counts: 20 to 200 in steps of 15, then 400 to 1200 in steps of 200 (one constant, in literature.ts). */
export const PAPER_LABEL_COUNTS: readonly number[] = PAPER_PROTOCOL.labelCounts;

/** The Quick preset's test share: 60% train, 20% validation (model selection), 20% test (the results). */
export const QUICK_TEST_FRACTION = 0.2;

export function experimentPlan(preset: ExperimentPreset, labelCounts?: number[], repeats?: number, sampling: LabelSampling = 'nested'): ExperimentPlan {
  const paper = paperTrainConfig();
  const chosen = { sampling, repeatSeeds: 'per-repeat' as const, factors: [] };
  if (preset === 'paper') {
    // The sweep reports final metrics only: validating 54 baselines after every epoch would cost most of its time.
    return { labelCounts: labelCounts ?? [...PAPER_LABEL_COUNTS], repeats: repeats ?? PAPER_PROTOCOL.repeats, pretrain: paper, supervised: { ...paper, mask: null, validation: 'final' }, ...chosen };
  }
  // Quick: a smaller model on shorter clips and four label counts, so a sweep takes minutes, not hours, on 2 cores
  // (npm run bench -- controls times it on the positive control).
  // Every other difference from the paper is a recorded field, chosen on the built-in positive control
  // (npm run bench -- controls measures it):
  // - pre-training: 5 epochs at Adam 0.003, and the loss on masked steps only. With the loss on every
  //   step, a 32-unit GRU spends its capacity copying each unmasked frame, noise included, so its
  //   output at the last step carries little that the clip's context adds; on masked steps only,
  //   it learns to carry what the context says about the frames it cannot see.
  // - fine-tunes and baselines: batches of 8, so that 20 labels still make 3 Adam steps an epoch
  //   (batches of 32 make one, which barely moves a fresh head).
  // - a test share (60/20/20): each fine-tune and baseline keeps the epoch of lowest validation
  //   loss and stops after 10 epochs without improvement, and the results are the test split's,
  //   which neither training nor that choice saw. The paper's last epoch rewards whichever arm
  //   fits its few labels hardest: on labels that carry nothing (the negative control) a
  //   baseline trained end to end drifts further below predicting the labels' mean the more
  //   labels it fits, so SSL "beat" it there with small p-values. Kept at its best validation
  //   loss, an arm that learns nothing stays near the labels' mean; one that learns keeps learning.
  // - Adam 0.003 and up to 300 epochs, so that early stopping, not a cap, ends each run: a head on
  //   a frozen encoder learns slowly at the paper's 0.001 (with 30 epochs every fine-tune was still
  //   improving at the last, and some at 20 labels predicted an emotion absent for every segment;
  //   with 100, half of them still ran to the cap). Baselines stop by themselves, after 12-100 epochs.
  // - six repeats, so that a paired test over repeats has 5 degrees of freedom instead of 1.
  const quick: TrainConfig = {
    ...paper,
    model: { ...paper.model, hiddenUnits: 32 },
    sequence: { ...paper.sequence, maxFrames: 60 },
    split: { ...paper.split, testFraction: QUICK_TEST_FRACTION },
  };
  return {
    labelCounts: labelCounts ?? [20, 50, 100, 200],
    repeats: repeats ?? 6,
    pretrain: { ...quick, epochs: 5, learningRate: 0.003, mask: { ...PAPER_MASK, lossScope: 'masked-only' } },
    supervised: { ...quick, epochs: 300, learningRate: 0.003, batchSize: 8, mask: null, validation: 'each-epoch', selection: 'best-validation-loss', earlyStopping: { patience: 10 } },
    ...chosen,
  };
}

/**
 * What an experiment may change from its preset: the masking (pre-training), the split (its test
 * share included) and the sequence policy (every run), and for the fine-tunes and baselines their
 * learning rate, which epoch they keep and early stopping.
 */
export interface PlanOverrides {
  mask?: TrainConfig['mask'];
  split?: TrainConfig['split'];
  sequence?: TrainConfig['sequence'];
  learningRate?: TrainConfig['learningRate'];
  selection?: TrainConfig['selection'];
  earlyStopping?: TrainConfig['earlyStopping'];
}

export function withOverrides(plan: ExperimentPlan, o: PlanOverrides = {}): ExperimentPlan {
  const shared = { ...(o.split ? { split: o.split } : {}), ...(o.sequence ? { sequence: o.sequence } : {}) };
  const supervised: TrainConfig = {
    ...plan.supervised,
    ...shared,
    ...(o.learningRate !== undefined ? { learningRate: o.learningRate } : {}),
    ...(o.selection !== undefined ? { selection: o.selection } : {}),
    ...(o.earlyStopping !== undefined ? { earlyStopping: o.earlyStopping } : {}),
  };
  if (needsEpochValidation(supervised)) supervised.validation = 'each-epoch';
  return { ...plan, pretrain: { ...plan.pretrain, ...shared, ...(o.mask ? { mask: o.mask } : {}) }, supervised };
}

/**
 * A supervised run of the plan. Both arms of one repeat draw the same labelled sample (nested:
 * the repeat's index as its seed; independent: a seed of its own per label count and repeat)
 * and, with per-repeat seeds, start from the same seed of initialisation and shuffling.
 */
export function supervisedConfig(plan: ExperimentPlan, labelCount: number, repeat: number): TrainConfig {
  const labelSeed = plan.sampling === 'independent' ? (repeat + 1) * 100_003 + labelCount : repeat;
  const seed = plan.repeatSeeds === 'per-repeat' ? plan.supervised.seed + repeat : plan.supervised.seed;
  return { ...plan.supervised, seed, labels: { count: labelCount, seed: labelSeed } };
}
