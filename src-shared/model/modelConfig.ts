import { z } from 'zod';

/**
 * The paper's model and the choices it leaves open, as recorded fields.
 *
 * Encoder: GRU(H, sequences) -> GRU(H, sequences) -> Dense(74) per timestep; pre-training
 * reconstructs the unmasked clip with it. Fine-tuning puts Dense(6) "on top of the
 * pre-trained model" with every pre-trained layer frozen; the baseline is the same stack
 * trained from scratch. The paper does not say how a sequence becomes the one vector the
 * Dense(6) head reads, so two fields say it:
 * - `headInput`: 'reconstruction' reads the Dense(74) outputs (the paper's wording: the head
 *   sits on top of the whole pre-trained model, and its baseline lists GRU, GRU, Dense(74),
 *   Dense(6)); 'encoder' reads the second GRU's 256-unit states.
 * - `pooling`: 'last-valid' takes the last real (unpadded) step, what a Keras GRU without
 *   return_sequences hands on; 'mean-valid' averages the real steps.
 * Defaults: 'reconstruction' and 'last-valid'.
 */
export const ModelConfigSchema = z.object({
  hiddenUnits: z.number().int().min(1).max(4096),
  gruLayers: z.number().int().min(1).max(4),
  headInput: z.enum(['reconstruction', 'encoder']),
  pooling: z.enum(['last-valid', 'mean-valid']),
});
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export const PAPER_MODEL: ModelConfig = { hiddenUnits: 256, gruLayers: 2, headInput: 'reconstruction', pooling: 'last-valid' };

/** Width of the vector the Dense(6) head reads. */
export function headInputWidth(model: ModelConfig, features: number): number {
  return model.headInput === 'reconstruction' ? features : model.hiddenUnits;
}
