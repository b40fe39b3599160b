import type { EpochRecord, TrainConfig } from '../api/entities';

/**
 * Which epoch a run keeps, from its epoch records alone, so the training process, the store and
 * the views all name the same one. Only epochs with a validation loss count.
 */

/** Whether a run needs its validation loss after every epoch: keeping the best epoch and stopping early both read it. */
export function needsEpochValidation(config: Pick<TrainConfig, 'selection' | 'earlyStopping'>): boolean {
  return config.selection !== 'last-epoch' || config.earlyStopping !== null;
}

/** The record with the lowest validation loss; the earliest on a tie; null when no epoch was validated. */
export function bestValidationEpoch(records: readonly Pick<EpochRecord, 'epoch' | 'valLoss'>[]): Pick<EpochRecord, 'epoch' | 'valLoss'> | null {
  let best: Pick<EpochRecord, 'epoch' | 'valLoss'> | null = null;
  for (const r of records) if (r.valLoss !== null && Number.isFinite(r.valLoss) && (best === null || r.valLoss < best.valLoss!)) best = r;
  return best;
}

/**
 * Whether training stops after the last record: the validation loss has not improved on its best
 * for `patience` epochs in a row (the best epoch itself does not count).
 */
export function stopsEarly(records: readonly Pick<EpochRecord, 'epoch' | 'valLoss'>[], earlyStopping: TrainConfig['earlyStopping']): boolean {
  const last = records.at(-1);
  if (!earlyStopping || !last || last.valLoss === null) return false;
  const best = bestValidationEpoch(records);
  return best !== null && last.epoch - best.epoch >= earlyStopping.patience;
}

/** The epoch whose weights a run keeps and is evaluated with; null before any epoch. */
export function selectedEpoch(config: Pick<TrainConfig, 'selection'>, records: readonly Pick<EpochRecord, 'epoch' | 'valLoss'>[]): number | null {
  const last = records.at(-1)?.epoch ?? null;
  if (config.selection === 'last-epoch') return last;
  return bestValidationEpoch(records)?.epoch ?? last;
}

export const SELECTION_LABELS: Record<TrainConfig['selection'], string> = {
  'last-epoch': 'last epoch (paper)',
  'best-validation-loss': 'lowest validation loss',
};

/**
 * What a finished run's evaluation rests on, in words: "Evaluated with epoch 7 of 30 (lowest
 * validation loss, 0.0412); stopped early after epoch 12: no improvement in 5 epochs."
 */
export function selectionText(config: Pick<TrainConfig, 'selection' | 'earlyStopping' | 'epochs'>, records: readonly Pick<EpochRecord, 'epoch' | 'valLoss'>[]): string | null {
  const chosen = selectedEpoch(config, records);
  if (chosen === null) return null;
  const record = records.find((r) => r.epoch === chosen);
  const why = config.selection === 'last-epoch' ? 'the last epoch trained' : `lowest validation loss${record?.valLoss === null || record?.valLoss === undefined ? '' : `, ${record.valLoss.toPrecision(4)}`}`;
  const last = records.at(-1)!.epoch;
  const stopped = config.earlyStopping && last < config.epochs && stopsEarly(records, config.earlyStopping)
    ? `; stopped early after epoch ${last}: no improvement in ${config.earlyStopping.patience} epoch${config.earlyStopping.patience === 1 ? '' : 's'}`
    : '';
  return `Evaluated with the weights of epoch ${chosen} of ${config.epochs} (${why})${stopped}.`;
}
