import { EMOTIONS, FEATURE_COUNT, FRAME_RATE_HZ } from '@shared/emotions';
import { AFFECT_FACTORS, EMOTION_LOADINGS, type ControlParams } from '@shared/data/controls';
import { Rng } from '@shared/random';
import type { SyntheticSegment } from './synthetic';

/**
 * The controls' generator: CMU-MOSEI-shaped segments whose features carry a known,
 * tunable amount of emotion information, in a known place (see src-shared/data/controls.ts
 * for the parameters and what each control shows).
 *
 * Generative story. Every segment draws two latent affect factors, valence and arousal
 * (standard normal). Each emotion's score mixes them (`signal` of its variance) with noise of
 * its own (the rest); an emotion is present when its score passes the threshold that gives it
 * the recorded prevalence, and its intensity rises in thirds with the margin (`intensityStep`). The same
 * factors set a constant level of the segment's features along fixed directions (the
 * imprint): `1 - temporalShare` of it in features 2..25, where frames are nearly noise-free
 * and one frame shows it, `temporalShare` of it in features 26..73, where each frame's own
 * noise (`noise` times the imprint's scale) buries it and only integrating many frames
 * recovers it. F0 and VUV follow a voicing process and a speaker's pitch that say nothing
 * about the labels.
 *
 * A model that fills a masked span from its context must carry the segment's level through
 * time, which is what the labels depend on; a model that reads one frame sees noise. With
 * `signal` 0 the labels come from their own noise only: features and labels are independent.
 * The random draws do not depend on `signal`, so two controls with the same seed have the
 * same features and differ only in their labels.
 */

/** Features that can show the imprint frame by frame, and those that bury it under per-frame noise. */
export const FRAME_FEATURES = { from: 2, to: 26 } as const;
export const TEMPORAL_FEATURES = { from: 26, to: FEATURE_COUNT } as const;
/** Standard deviation of the imprint's loading per feature and factor; the noise is given relative to it. */
export const IMPRINT_SCALE = 0.25;
/** Per-frame noise of the frame features, relative to IMPRINT_SCALE. */
const FRAME_NOISE = 0.1;
/** Probability that a voiced frame stays voiced, and an unvoiced one unvoiced (runs of about 30 and 12 frames). */
const VOICED_STAY = 0.97;
const UNVOICED_STAY = 0.92;

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Per-frame noise: the sum of four uniforms, centred and scaled to unit variance (bell-shaped,
 * bounded at ±3.46). About 3× cheaper than a Gaussian draw (measured 3.2×), which matters at 19 million values.
 */
function bell(rng: Rng): number {
  return (rng.next() + rng.next() + rng.next() + rng.next() - 2) * Math.sqrt(3);
}

/** What a seed fixes besides the segments: the imprint's directions, each feature's noise and units. */
export interface ControlStructure {
  /** [feature][factor]: the affect factors' imprint, already split between frame and temporal features. */
  imprint: Float64Array[];
  /** Standard deviation of each feature's own per-frame noise. */
  frameNoise: Float64Array;
  /** Each feature's offset and scale in its own units (standardisation removes them). */
  offset: Float64Array;
  scale: Float64Array;
}

export function controlStructure(p: ControlParams): ControlStructure {
  const rng = new Rng((p.seed ^ 0x5eedc0de) >>> 0);
  const imprint: Float64Array[] = [];
  const frameNoise = new Float64Array(FEATURE_COUNT);
  const offset = new Float64Array(FEATURE_COUNT);
  const scale = new Float64Array(FEATURE_COUNT);
  for (let f = 0; f < FEATURE_COUNT; f++) {
    const voicing = f < FRAME_FEATURES.from;
    const temporal = f >= TEMPORAL_FEATURES.from;
    const share = voicing ? 0 : Math.sqrt(temporal ? p.temporalShare : 1 - p.temporalShare);
    imprint.push(Float64Array.from({ length: AFFECT_FACTORS.length }, () => rng.normal() * IMPRINT_SCALE * share));
    frameNoise[f] = voicing ? 0 : IMPRINT_SCALE * (temporal ? p.noise : FRAME_NOISE);
    offset[f] = rng.normal() * 0.5;
    scale[f] = 0.2 + 0.8 * rng.next();
  }
  return { imprint, frameNoise, offset, scale };
}

/** Score thresholds that give each emotion its prevalence. */
const thresholds = (p: ControlParams) => EMOTIONS.map((_, e) => normalQuantile(1 - p.prevalence[e]));

/** A segment's six intensities from its affect factors: presence by prevalence, intensity in thirds by the margin. */
export function controlLabels(factors: readonly number[], p: ControlParams, rng: Rng, threshold = thresholds(p)): number[] {
  return EMOTION_LOADINGS.map(({ weights }, e) => {
    const norm = Math.hypot(...weights);
    const mixed = weights.reduce((s, w, k) => s + (w / norm) * factors[k], 0);
    // Drawn whatever the signal, so the features do not depend on it.
    const own = rng.normal();
    const score = Math.sqrt(p.signal) * mixed + Math.sqrt(1 - p.signal) * own;
    if (score < threshold[e]) return 0;
    return Math.min(9, 1 + Math.floor((score - threshold[e]) / p.intensityStep)) / 3;
  });
}

/** A generated segment, with the affect factors behind it (not stored: for checks of the generator). */
export type ControlSegment = SyntheticSegment & { factors: number[] };

export function* generateControl(p: ControlParams): Generator<ControlSegment> {
  const { imprint, frameNoise, offset, scale } = controlStructure(p);
  const threshold = thresholds(p);
  const rng = new Rng(p.seed);
  const level = new Float64Array(FEATURE_COUNT);
  let speakerPitch = 0;
  let clock = 0;
  for (let s = 0; s < p.segments; s++) {
    const videoIndex = Math.floor(s / p.segmentsPerVideo);
    const row = s % p.segmentsPerVideo;
    if (row === 0) {
      speakerPitch = 90 + rng.next() * 140;
      clock = rng.next() * 5;
    }
    const factors = AFFECT_FACTORS.map(() => rng.normal());
    const emotions = controlLabels(factors, p, rng, threshold);
    const [happy, sad, anger, , disgust] = emotions;
    const sentiment = Math.max(-3, Math.min(3, happy - sad - 0.6 * anger - 0.5 * disgust + rng.normal() * 0.5));
    for (let f = 0; f < FEATURE_COUNT; f++) level[f] = imprint[f].reduce((v, w, k) => v + w * factors[k], 0);
    const frames = rng.int(p.minFrames, p.maxFrames);
    const features = new Float32Array(frames * FEATURE_COUNT);
    let voiced = rng.next() < 0.6;
    for (let t = 0; t < frames; t++) {
      if (rng.next() > (voiced ? VOICED_STAY : UNVOICED_STAY)) voiced = !voiced;
      const o = t * FEATURE_COUNT;
      for (let f = FRAME_FEATURES.from; f < FEATURE_COUNT; f++) features[o + f] = offset[f] + scale[f] * (level[f] + frameNoise[f] * bell(rng));
      features[o] = voiced ? speakerPitch * (1 + 0.03 * rng.normal()) : 0; // F0 in Hz, 0 when unvoiced
      features[o + 1] = voiced ? 1 : 0; // VUV
    }
    const start = clock;
    const end = start + frames / FRAME_RATE_HZ;
    clock = end + 0.5 + rng.next() * 2;
    const video = `control_${String(videoIndex).padStart(4, '0')}`;
    yield { id: `${video}[${row}]`, video, start, end, sentiment, emotions, features, factors };
  }
}
