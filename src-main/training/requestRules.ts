import { WorkbenchError, type WorkbenchErrorShape } from '@shared/api/contract';
import type { RunKind, TrainConfig } from '@shared/api/entities';
import { needsEpochValidation, SELECTION_LABELS } from '@shared/training/selection';

/** What the rules need to know of the dataset a run would train on. */
export interface TrainingFacts {
  /** Segments in the run's training split. */
  trainSize: number;
  /** Segments in its test part (0 without one). */
  testSize: number;
  /** Real (unpadded) steps of each training clip after the run's sequence policy. */
  validSteps: () => number[];
}

/** Above this share of training clips masked whole, a pre-training is refused. */
const MOSTLY = 0.5;

const percent = (share: number) => `${(100 * share).toFixed(share < 0.1 ? 1 : 0)}%`;

/** Real steps a clip of `frames` frames has after pooling and the window (see sequencePolicy.toFixedLength). */
export function clipSteps(frames: number, sequence: TrainConfig['sequence']): number {
  return Math.min(sequence.maxFrames, Math.ceil(frames / sequence.poolFrames));
}

/**
 * The rules every training request meets before anything is recorded or queued, whichever
 * way it came in (the window, the browser bridge, `npm run train`, an experiment's plan):
 * settings that cannot give a meaningful result are refused with what to do instead; ones
 * that weaken it are returned as warnings. Field ranges themselves are the contract's.
 */
export function checkTrainingRequest(kind: RunKind, config: TrainConfig, facts: TrainingFacts): string[] {
  const issues: NonNullable<WorkbenchErrorShape['issues']> = [];
  const warnings: string[] = [];

  const labels = config.labels.count;
  if (kind !== 'pretrain' && labels !== null && labels > facts.trainSize) {
    issues.push({
      path: 'config.labels.count',
      message: `The training split has ${facts.trainSize} segments, so a run cannot learn from ${labels} labelled ones. Choose at most ${facts.trainSize} (or a larger dataset, or another split).`,
    });
  }

  if (config.validation !== 'each-epoch' && needsEpochValidation(config)) {
    const what = [config.selection !== 'last-epoch' ? `keeping the epoch of the ${SELECTION_LABELS[config.selection]}` : null, config.earlyStopping ? 'early stopping' : null].filter(Boolean).join(' and ');
    issues.push({ path: 'config.validation', message: `${what.charAt(0).toUpperCase()}${what.slice(1)} needs the validation loss after every epoch: set validation to each-epoch (or keep the last epoch without early stopping).` });
  }
  if (config.earlyStopping && config.earlyStopping.patience >= config.epochs) {
    warnings.push(`Early stopping with a patience of ${config.earlyStopping.patience} epochs cannot stop a run of ${config.epochs} epochs.`);
  }
  if (config.split.kind !== 'sdk-standard' && config.split.testFraction > 0 && facts.testSize === 0) {
    issues.push({ path: 'config.split.testFraction', message: `A test share of ${config.split.testFraction} leaves no segment (or no whole video) for test on this dataset. Use a larger test share, or a larger dataset.` });
  }

  const mask = config.mask;
  if (kind === 'pretrain' && mask) {
    const masked = mask.spanLength * mask.spanCount;
    if (mask.spanCount === 0 && mask.lossScope === 'masked-only') {
      issues.push({ path: 'config.mask', message: 'With no masked span and the loss on masked steps only, pre-training has nothing to learn from. Mask at least one span, or put the loss on every real step.' });
    } else if (mask.spanCount === 0) {
      warnings.push('No step is masked: pre-training learns to copy its input, which the paper\'s method does not do.');
    } else {
      const steps = facts.validSteps();
      const whole = steps.filter((n) => n <= mask.spanLength).length;
      const share = steps.length ? whole / steps.length : 0;
      const median = steps.length ? [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)] : 0;
      const what = `A mask span of ${mask.spanLength} steps covers every real step of ${percent(share)} of the training clips (${whole} of ${steps.length}: clips of at most ${mask.spanLength} steps after the sequence policy), which are then reconstructed from nothing`;
      if (share > MOSTLY) issues.push({ path: 'config.mask.spanLength', message: `${what}. Use a shorter span: the median clip has ${median} real steps.` });
      else if (whole > 0) warnings.push(`${what}.`);
      else if (masked >= median && median > 0) warnings.push(`${mask.spanCount} spans of ${mask.spanLength} steps mask at least as many steps as the median clip has (${median}); overlapping spans leave some real steps, but little context.`);
    }
  }

  if (issues.length) throw new WorkbenchError('invalid_params', issues.map((i) => i.message).join(' '), issues);
  return warnings;
}
