import * as tf from '@tensorflow/tfjs';
import { FEATURE_COUNT } from '@shared/emotions';
import type { ModelConfig } from '@shared/model/modelConfig';
import { poolingWeights, type Encoder, type PaperModel } from '../model/paperModel';
import type { SequenceBatch, SequenceSource } from '../sequences';

export function inputTensors(batch: SequenceBatch, steps: number, x: Float32Array = batch.x): { x: tf.Tensor3D; mask: tf.Tensor2D } {
  return {
    x: tf.tensor3d(x, [batch.size, steps, FEATURE_COUNT]),
    mask: tf.tensor2d(batch.mask, [batch.size, steps], 'float32'),
  };
}

export function poolTensor(batch: SequenceBatch, steps: number, pooling: ModelConfig['pooling']): tf.Tensor2D {
  return tf.tensor2d(poolingWeights(batch.mask, batch.size, steps, pooling), [batch.size, steps]);
}

/** Rows of `perBatch` over every segment of a source, batch by batch (one batch in memory at a time). */
async function mapBatches(
  src: SequenceSource,
  batchSize: number,
  perBatch: (batch: SequenceBatch, steps: number) => tf.Tensor2D,
  onBatch?: () => Promise<void>,
): Promise<{ vectors: Float32Array; width: number }> {
  const steps = src.policy.maxFrames;
  let vectors = new Float32Array(0);
  let width = 0;
  for (let start = 0; start < src.length; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, src.length - start) }, (_, i) => start + i);
    const batch = src.batch(rows);
    const out = tf.tidy(() => perBatch(batch, steps));
    if (!width) {
      width = out.shape[1];
      vectors = new Float32Array(src.length * width);
    }
    vectors.set(await out.data(), start * width);
    out.dispose();
    await onBatch?.();
  }
  return { vectors, width };
}

/** Pooled encoder outputs of a batch: what the Dense(6) head reads. */
export function headInputs(encoder: Encoder, batch: SequenceBatch, steps: number): tf.Tensor2D {
  const { x, mask } = inputTensors(batch, steps);
  return encoder.headInput(encoder.encode(x, mask), poolTensor(batch, steps, encoder.config.pooling));
}

/** The model's emotion predictions for every segment of a source. */
export async function predictEmotions(model: PaperModel, src: SequenceSource, batchSize: number): Promise<Float32Array> {
  return (await mapBatches(src, batchSize, (batch, steps) => model.head.predict(headInputs(model.encoder, batch, steps)))).vectors;
}

/** Head inputs of every segment of a source: what a frozen-encoder fine-tune trains on. */
export function encodeAll(encoder: Encoder, src: SequenceSource, batchSize: number, onBatch?: () => Promise<void>): Promise<{ vectors: Float32Array; width: number }> {
  return mapBatches(src, batchSize, (batch, steps) => headInputs(encoder, batch, steps), onBatch);
}
