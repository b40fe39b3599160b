import type { MaskConfig } from '../api/entities';
import { FEATURE_COUNT } from '../emotions';
import type { Rng } from '../random';

/**
 * The paper's pre-training corruption: spans of consecutive valid timesteps with all 74
 * features replaced by a constant (PAPER_MASK: one span of 30 steps set to -30). The config
 * schema lives in api/entities (MaskConfig, PAPER_MASK) because runs record it.
 */
export { MaskConfig, PAPER_MASK } from '../api/entities';

export interface MaskSpan {
  start: number;
  length: number;
}

/** The valid steps of a window: one contiguous run anywhere (right- or left-padded, or full). */
export interface ValidRun {
  start: number;
  count: number;
}

export function findValidRun(validMask: Uint8Array): ValidRun {
  const start = validMask.indexOf(1);
  if (start < 0) return { start: 0, count: 0 };
  let end = start;
  while (end < validMask.length && validMask[end] === 1) end++;
  for (let t = end; t < validMask.length; t++) {
    if (validMask[t] !== 0) throw new Error(`validMask must be one contiguous run of valid steps; step ${t} is valid after a gap`);
  }
  return { start, count: end - start };
}

/**
 * Spans, as offsets into the valid part of a clip (0 = its first valid step). Each start is
 * uniform over the positions where the whole span fits, as the paper describes. With
 * spanCount > 1 the spans are drawn independently and may overlap: each stays exactly uniform and
 * a draw never fails on short clips (the paper uses one span). A clip no longer than a span gets
 * one span over its whole valid part, drawing nothing; such a clip is then fully masked.
 */
export function drawMaskSpans(validCount: number, config: MaskConfig, rng: Rng): MaskSpan[] {
  const { spanLength, spanCount } = config;
  if (!Number.isInteger(spanLength) || spanLength < 1) throw new Error(`spanLength must be an integer >= 1, got ${spanLength}`);
  if (!Number.isInteger(spanCount) || spanCount < 0) throw new Error(`spanCount must be an integer >= 0, got ${spanCount}`);
  if (!Number.isInteger(validCount) || validCount < 0) throw new Error(`validCount must be an integer >= 0, got ${validCount}`);
  if (spanCount === 0 || validCount === 0) return [];
  if (validCount <= spanLength) return [{ start: 0, length: validCount }];
  return Array.from({ length: spanCount }, () => ({ start: rng.int(0, validCount - spanLength), length: spanLength }));
}

export interface MaskedClip {
  /** A copy of the values with every feature of the masked steps set to config.value. */
  masked: Float32Array;
  /** 1 where a step was masked; padded steps are never masked. */
  maskedSteps: Uint8Array;
}

/** Masks one fixed-length clip (T steps x FEATURE_COUNT values) inside its valid run, at spans drawn from `rng`. */
export function applyMask(values: Float32Array, validMask: Uint8Array, config: MaskConfig, rng: Rng): MaskedClip {
  return maskSpans(values, validMask, drawMaskSpans(findValidRun(validMask).count, config, rng), config.value);
}

/**
 * Masks one fixed-length clip at given spans (offsets into its valid run, as drawMaskSpans
 * gives them): every feature of their steps set to `value`. A span must lie inside the valid run.
 */
export function maskSpans(values: Float32Array, validMask: Uint8Array, spans: readonly MaskSpan[], value: number): MaskedClip {
  const steps = validMask.length;
  if (values.length !== steps * FEATURE_COUNT) {
    throw new Error(`values holds ${values.length} numbers, expected ${steps} steps x ${FEATURE_COUNT} features`);
  }
  const run = findValidRun(validMask);
  const masked = values.slice();
  const maskedSteps = new Uint8Array(steps);
  for (const span of spans) {
    if (!Number.isInteger(span.start) || !Number.isInteger(span.length) || span.start < 0 || span.length < 1 || span.start + span.length > run.count) {
      throw new Error(`a mask span [start ${span.start}, length ${span.length}] must lie inside the clip's ${run.count} valid steps`);
    }
    const first = run.start + span.start;
    maskedSteps.fill(1, first, first + span.length);
    masked.fill(value, first * FEATURE_COUNT, (first + span.length) * FEATURE_COUNT);
  }
  return { masked, maskedSteps };
}

/**
 * Per-step weight of the reconstruction loss. 'all-valid' (the paper: the target is the whole
 * original clip) weighs every real step; 'masked-only' only the masked ones. Padded steps are
 * always 0. With 'masked-only' a clip can weigh nothing at all (no valid steps): the caller must
 * not divide by a zero weight sum.
 */
export function lossWeights(validMask: Uint8Array, maskedSteps: Uint8Array, lossScope: MaskConfig['lossScope']): Float32Array {
  if (maskedSteps.length !== validMask.length) {
    throw new Error(`maskedSteps has ${maskedSteps.length} steps, validMask ${validMask.length}`);
  }
  const weights = new Float32Array(validMask.length);
  for (let t = 0; t < validMask.length; t++) {
    const valid = validMask[t] === 1;
    weights[t] = valid && (lossScope === 'all-valid' || maskedSteps[t] === 1) ? 1 : 0;
  }
  return weights;
}
