import type { EpochRecord, RunProgress } from '@shared/api/entities';
import { Rng } from '@shared/random';
import { batchesOf } from '../sequences';

export interface JobHooks {
  progress(p: RunProgress): void;
  /**
   * An epoch's record. `fromCheckpoint`: re-reported after a resume from the checkpoint that
   * holds it, because a kill may have come between saving that checkpoint and reporting it.
   */
  epoch(record: EpochRecord, fromCheckpoint?: boolean): void;
  /**
   * The run starts from its checkpoint of this epoch (0: from scratch). A crash or a kill
   * may have come after later epochs were recorded but before they were checkpointed: those
   * are trained again, and their records replaced.
   */
  resumed?(epoch: number): void;
  isCancelled(): boolean;
}

export class JobCancelled extends Error {}

const yieldToMessages = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface EpochLoop {
  runId: number;
  epochs: number;
  /** First epoch to run (after a resume, the one after the checkpoint's). */
  firstEpoch: number;
  /** Records of the epochs before `firstEpoch`, as the checkpoint resumed from holds them. */
  checkpointed?: EpochRecord[];
  rows: number;
  batchSize: number;
  seed: number;
  /** Validate after every epoch, or only after the last one. */
  validateEachEpoch: boolean;
  /** One optimisation step on these rows; resolves to the batch's mean loss. */
  step(rows: number[], epoch: number): Promise<number>;
  /** Loss on the validation data after an epoch (null when there is none). */
  validate(epoch: number): Promise<number | null>;
  /** What the job adds to an epoch's record once it is validated (pre-training: its masked-step errors). */
  recordExtras?(epoch: number): Partial<Pick<EpochRecord, 'maskedLoss' | 'valMaskedLoss'>>;
  /**
   * Called after each epoch, before it is reported: the place to checkpoint. `records` are
   * every epoch's so far, this one last; the checkpoint keeps them (see `runEpochs`).
   */
  afterEpoch?(epoch: number, records: EpochRecord[]): Promise<void>;
  /** Whether to stop after these epochs (early stopping); checked after each, and before training on from a checkpoint. */
  stopAfter?(records: readonly EpochRecord[]): boolean;
}

/**
 * The epoch/batch loop every job shares: a seeded shuffle per epoch (reproducible after a
 * resume), progress with samples/s and ETA after each batch, a cancel check between
 * batches, the epoch record once validation is done, and early stopping (`stopAfter`).
 * Resolves to every epoch's record, the checkpointed ones first.
 *
 * A checkpoint due after an epoch is written before the epoch is reported; a kill between the
 * two leaves a checkpoint whose epoch main never recorded. So each checkpoint carries the
 * records of its epochs, and a resumed run first says which epoch it starts from (main drops
 * the records after it, of epochs it trains again) and re-reports them (main records those it
 * lacks): the history and the weights always end up describing the same epochs.
 */
export async function runEpochs(loop: EpochLoop, hooks: JobHooks): Promise<EpochRecord[]> {
  const records = [...(loop.checkpointed ?? [])];
  hooks.resumed?.(loop.firstEpoch - 1);
  for (const record of records) hooks.epoch(record, true);
  // A run resumed after it had stopped early trains no more.
  if (records.length && loop.stopAfter?.(records)) return records;
  const batchesPerEpoch = Math.ceil(loop.rows / loop.batchSize);
  const started = Date.now();
  let samplesDone = 0;
  const samplesLeftAtStart = loop.rows * (loop.epochs - loop.firstEpoch + 1);
  for (let epoch = loop.firstEpoch; epoch <= loop.epochs; epoch++) {
    const epochStart = Date.now();
    const order = new Rng(loop.seed * 7919 + epoch).shuffle(Array.from({ length: loop.rows }, (_, i) => i));
    let lossSum = 0;
    const batches = batchesOf(order, loop.batchSize);
    for (let b = 0; b < batches.length; b++) {
      if (hooks.isCancelled()) throw new JobCancelled();
      const loss = await loop.step(batches[b], epoch);
      if (!Number.isFinite(loss)) throw new Error(`The loss became ${loss} at epoch ${epoch}, batch ${b + 1}: training diverged. Try a smaller learning rate.`);
      lossSum += loss * batches[b].length;
      samplesDone += batches[b].length;
      const rate = samplesDone / Math.max((Date.now() - started) / 1000, 1e-3);
      hooks.progress({
        runId: loop.runId,
        epoch,
        epochs: loop.epochs,
        batch: b + 1,
        batches: batchesPerEpoch,
        loss,
        samplesPerSecond: rate,
        etaSeconds: (samplesLeftAtStart - samplesDone) / rate,
      });
      await yieldToMessages();
    }
    const valLoss = loop.validateEachEpoch || epoch === loop.epochs ? await loop.validate(epoch) : null;
    const record: EpochRecord = { epoch, loss: lossSum / loop.rows, valLoss, seconds: (Date.now() - epochStart) / 1000, maskedLoss: null, valMaskedLoss: null, ...loop.recordExtras?.(epoch) };
    records.push(record);
    // Any checkpoint due is written before the epoch is reported (see above).
    await loop.afterEpoch?.(epoch, records);
    hooks.epoch(record);
    if (loop.stopAfter?.(records)) break;
  }
  return records;
}
