import { KERAS_ADAM, type TrainConfig } from '../api/entities';
import { PAPER_MODEL } from './modelConfig';

/**
 * The paper's protocol (sections 3.2-3.3): 2 x GRU(256), clips of 300 steps, one 30-step mask at -30, Adam 0.001, 30 epochs,
 * a random 80/20 split without a test part, the last epoch's weights; Keras's defaults where the paper names nothing
 * (Adam's betas and epsilon, the initialisation).
 */
export function paperTrainConfig(): TrainConfig {
  return {
    epochs: 30,
    batchSize: 32,
    learningRate: 0.001,
    seed: 1,
    mask: { spanLength: 30, spanCount: 1, value: -30, lossScope: 'all-valid' },
    model: { ...PAPER_MODEL },
    labels: { count: 1200, seed: 1 },
    sequence: { maxFrames: 300, keep: 'first', poolFrames: 1, padding: 'right' },
    split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 },
    validation: 'each-epoch',
    adam: { ...KERAS_ADAM },
    initialisation: 'keras',
    // The paper keeps the last epoch's weights and trains every epoch.
    selection: 'last-epoch',
    earlyStopping: null,
  };
}

/** Small enough that a first run finishes in well under a minute on 2 cores; clearly not the paper's. */
export function quickTrainConfig(): TrainConfig {
  const paper = paperTrainConfig();
  return { ...paper, epochs: 3, model: { ...paper.model, hiddenUnits: 32 }, labels: { count: 200, seed: 1 }, sequence: { ...paper.sequence, maxFrames: 60 } };
}
