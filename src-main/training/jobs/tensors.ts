import * as tf from '@tensorflow/tfjs';
import { FEATURE_COUNT } from '@shared/emotions';
import type { ModelConfig } from '@shared/model/modelConfig';
import { poolingWeights, type PaperModel } from '../model/paperModel';
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

/** The model's emotion predictions for every segment of a source, batch by batch. */
export async function predictEmotions(model: PaperModel, src: SequenceSource, batchSize: number): Promise<Float32Array> {
  const out = new Float32Array(src.length * 6);
  const steps = src.policy.maxFrames;
  for (let start = 0; start < src.length; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, src.length - start) }, (_, i) => start + i);
    const batch = src.batch(rows);
    const p = tf.tidy(() => {
      const { x, mask } = inputTensors(batch, steps);
      return model.head(model.headInput(model.encode(x, mask), poolTensor(batch, steps, model.config.pooling)));
    });
    out.set(await p.data(), start * 6);
    p.dispose();
  }
  return out;
}

/** Head inputs (pooled encoder outputs) of every segment of a source: what a frozen-encoder fine-tune trains on. */
export async function encodeAll(model: PaperModel, src: SequenceSource, batchSize: number, onBatch?: () => Promise<void>): Promise<{ vectors: Float32Array; width: number }> {
  const steps = src.policy.maxFrames;
  let vectors = new Float32Array(0);
  let width = 0;
  for (let start = 0; start < src.length; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, src.length - start) }, (_, i) => start + i);
    const batch = src.batch(rows);
    const pooled = tf.tidy(() => {
      const { x, mask } = inputTensors(batch, steps);
      return model.headInput(model.encode(x, mask), poolTensor(batch, steps, model.config.pooling));
    });
    if (!width) {
      width = pooled.shape[1];
      vectors = new Float32Array(src.length * width);
    }
    vectors.set(await pooled.data(), start * width);
    pooled.dispose();
    await onBatch?.();
  }
  return { vectors, width };
}
