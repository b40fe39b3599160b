import type { RunKind } from '../api/entities';
import { EMOTIONS, FEATURE_COUNT } from '../emotions';
import { headInputWidth, type ModelConfig } from './modelConfig';

/** One tensor of a checkpoint: its Keras-style name and shape. */
export interface WeightShape {
  name: string;
  shape: number[];
}

/** GRU(H) x L in Keras' reset_after layout, then Dense(74): what pre-training trains, in the model's variable order. */
export function encoderWeightShapes(model: ModelConfig): WeightShape[] {
  const h = model.hiddenUnits;
  const shapes: WeightShape[] = [];
  for (let l = 1, input = FEATURE_COUNT; l <= model.gruLayers; l++, input = h) {
    shapes.push({ name: `gru_${l}/kernel`, shape: [input, 3 * h] }, { name: `gru_${l}/recurrent_kernel`, shape: [h, 3 * h] }, { name: `gru_${l}/bias`, shape: [2, 3 * h] });
  }
  shapes.push({ name: 'dense_74/kernel', shape: [h, FEATURE_COUNT] }, { name: 'dense_74/bias', shape: [FEATURE_COUNT] });
  return shapes;
}

/** The Dense(6) emotion head, on the Dense(74) outputs or the last GRU's states (`headInput`). */
export function headWeightShapes(model: ModelConfig): WeightShape[] {
  return [
    { name: 'dense_6/kernel', shape: [headInputWidth(model, FEATURE_COUNT), EMOTIONS.length] },
    { name: 'dense_6/bias', shape: [EMOTIONS.length] },
  ];
}

/**
 * The tensors a run's checkpoint holds, in the order its optimizer keeps their moments:
 * pre-training the encoder, a fine-tune only its head (the encoder is its pre-training
 * run's), a baseline both.
 */
export function checkpointWeightShapes(kind: RunKind, model: ModelConfig): WeightShape[] {
  if (kind === 'pretrain') return encoderWeightShapes(model);
  if (kind === 'finetune') return headWeightShapes(model);
  return [...encoderWeightShapes(model), ...headWeightShapes(model)];
}
