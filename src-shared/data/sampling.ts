import { Rng } from '../random';

/**
 * The labelled sample of a fine-tune or baseline run: `count` segments drawn without
 * replacement from the training split, seeded. The SSL arm and the baseline arm of one
 * repeat use the same seed and so the same sample; nothing outside `trainIndices` (the
 * validation split) can be drawn. Samples of one seed are nested: a larger count extends a
 * smaller one. `count` null or above the split's size takes it all.
 */
export function sampleLabelled(trainIndices: readonly number[], count: number | null, seed: number): number[] {
  const pool = [...trainIndices].sort((a, b) => a - b);
  if (count === null || count >= pool.length) return pool;
  return new Rng(seed).shuffle(pool).slice(0, count).sort((a, b) => a - b);
}
