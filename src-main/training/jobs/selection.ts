import * as tf from '@tensorflow/tfjs';
import type { EpochRecord, TrainConfig } from '@shared/api/entities';
import { bestValidationEpoch, selectedEpoch } from '@shared/training/selection';
import { assignWeights } from '../model/checkpoint';

/**
 * Model selection inside a job: with `selection: 'best-validation-loss'`, a copy of the weights
 * of the epoch with the lowest validation loss so far, taken right after that epoch is validated
 * (so they are the weights that loss was measured with), saved with each checkpoint and put back
 * into the model before it is evaluated and saved for good. With 'last-epoch' it keeps nothing.
 */
export class BestWeights {
  private kept: { epoch: number; weights: tf.NamedTensorMap } | null = null;

  constructor(
    private readonly config: Pick<TrainConfig, 'selection'>,
    /** What a resumed run's checkpoint kept, with the records it holds; owned from here on. */
    restored: { weights: tf.NamedTensorMap | null; records: readonly EpochRecord[] } = { weights: null, records: [] },
  ) {
    const epoch = bestValidationEpoch(restored.records)?.epoch;
    if (this.active && restored.weights && epoch !== undefined) this.kept = { epoch, weights: restored.weights };
    else if (restored.weights) tf.dispose(Object.values(restored.weights));
  }

  get active(): boolean {
    return this.config.selection === 'best-validation-loss';
  }

  /** The epoch whose weights are kept (null: none yet, or not selecting). */
  get epoch(): number | null {
    return this.kept?.epoch ?? null;
  }

  /** After an epoch is validated: keeps a copy of the weights if it is now the best. */
  observe(records: readonly EpochRecord[], variables: Record<string, tf.Variable>): void {
    if (!this.active) return;
    const best = bestValidationEpoch(records);
    const last = records.at(-1);
    if (!best || !last || best.epoch !== last.epoch || this.kept?.epoch === best.epoch) return;
    this.release();
    this.kept = { epoch: best.epoch, weights: Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, tf.clone(v)])) };
  }

  /** The kept weights, for the checkpoint (null when nothing is kept). */
  weights(): tf.NamedTensorMap | null {
    return this.kept?.weights ?? null;
  }

  /**
   * Puts the selected epoch's weights into the model (when it is not the last one trained) and
   * returns that epoch. Throws if selection needs weights it does not have, rather than
   * evaluating the wrong epoch.
   */
  restore(records: readonly EpochRecord[], variables: Record<string, tf.Variable>): number | null {
    const chosen = selectedEpoch(this.config, records);
    const last = records.at(-1)?.epoch ?? null;
    if (chosen === null || chosen === last) return chosen;
    if (this.kept?.epoch !== chosen) throw new Error(`The weights of epoch ${chosen}, the lowest validation loss, were not kept; the run cannot be evaluated with them.`);
    assignWeights(variables, this.kept.weights);
    return chosen;
  }

  dispose(): void {
    this.release();
  }

  private release(): void {
    if (this.kept) tf.dispose(Object.values(this.kept.weights));
    this.kept = null;
  }
}
