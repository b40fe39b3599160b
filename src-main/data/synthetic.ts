import { EMOTIONS, FEATURE_COUNT, FRAME_RATE_HZ } from '@shared/emotions';
import { Rng } from '@shared/random';

/**
 * The built-in dataset: CMU-MOSEI-shaped, deterministic from a seed, and clearly synthetic.
 *
 * Generative story. Each video has a speaker with a base pitch. Each segment draws the
 * six emotion intensities in thirds (0..3) with CMU-MOSEI-like prevalence (happiness
 * commonest, fear rarest). The emotions then shape the *dynamics* of the features, not
 * only their levels: arousal (anger, fear, surprise, some happiness) raises pitch and
 * pitch variability and shortens voiced runs; sadness slows every latent process (higher
 * autocorrelation) and lowers energy; happiness and surprise add a slow pitch oscillation.
 * A model that learns how frames follow each other, without labels, therefore learns
 * something that predicts the emotions.
 */
export interface SyntheticParams {
  seed: number;
  segments: number;
  segmentsPerVideo: number;
  minFrames: number;
  maxFrames: number;
}

export const SMALL_BUILTIN: SyntheticParams = { seed: 20240601, segments: 400, segmentsPerVideo: 7, minFrames: 150, maxFrames: 600 };
/** CMU-MOSEI's size (23,259 segments in 3,293 videos), for benchmarks: about 2.6 GB of features. */
export const FULL_BUILTIN: SyntheticParams = { seed: 20240601, segments: 23_259, segmentsPerVideo: 7, minFrames: 150, maxFrames: 600 };

/** Probability that each emotion is present at all in a segment (CMU-MOSEI-like ordering). */
const PREVALENCE = [0.53, 0.26, 0.21, 0.1, 0.17, 0.08];

export interface SyntheticSegment {
  id: string;
  video: string;
  start: number;
  end: number;
  sentiment: number;
  emotions: number[];
  /** frames x 74, row-major. */
  features: Float32Array;
}

function drawIntensity(rng: Rng, prevalence: number): number {
  if (rng.next() >= prevalence) return 0;
  // Present: 1/3 .. 3 in thirds, weaker intensities more common.
  const thirds = Math.min(9, 1 + Math.floor(-Math.log(1 - rng.next()) * 2.2));
  return thirds / 3;
}

export function* generateSynthetic(p: SyntheticParams): Generator<SyntheticSegment> {
  const rng = new Rng(p.seed);
  let speakerPitch = 0;
  let clock = 0;
  for (let s = 0; s < p.segments; s++) {
    const videoIndex = Math.floor(s / p.segmentsPerVideo);
    const row = s % p.segmentsPerVideo;
    if (row === 0) {
      speakerPitch = 90 + rng.next() * 140;
      clock = rng.next() * 5;
    }
    const emotions = EMOTIONS.map((_, e) => drawIntensity(rng, PREVALENCE[e]));
    const [happy, sad, anger, surprise, disgust, fear] = emotions;
    const sentiment = Math.max(-3, Math.min(3, happy - sad - 0.6 * anger - 0.5 * disgust + rng.normal() * 0.5));
    const frames = rng.int(p.minFrames, p.maxFrames);
    const arousal = (anger + fear + surprise + 0.5 * happy) / 3;
    const slowness = Math.min(0.985, 0.85 + 0.04 * sad);
    const pitchOsc = 0.04 * (happy + surprise);
    const voicedStay = 0.96 - 0.03 * arousal;
    const features = new Float32Array(frames * FEATURE_COUNT);
    const latent = new Float64Array(FEATURE_COUNT);
    let voiced = rng.next() < 0.6;
    for (let t = 0; t < frames; t++) {
      if (rng.next() > (voiced ? voicedStay : 0.9)) voiced = !voiced;
      for (let f = 0; f < FEATURE_COUNT; f++) latent[f] = slowness * latent[f] + Math.sqrt(1 - slowness ** 2) * rng.normal();
      const o = t * FEATURE_COUNT;
      const pitch = speakerPitch * (1 + 0.15 * arousal + pitchOsc * Math.sin((2 * Math.PI * t) / 45) + (0.05 + 0.05 * arousal) * latent[0]);
      features[o] = voiced ? pitch : 0; // F0 in Hz, 0 when unvoiced
      features[o + 1] = voiced ? 1 : 0; // VUV
      for (let f = 2; f <= 10; f++) features[o + f] = voiced ? 0.3 + 0.1 * latent[f] + 0.05 * (anger - sad) : 0; // glottal measures
      for (let f = 11; f < 36; f++) {
        const energy = f === 11 ? -1.5 - 0.4 * sad + 0.3 * arousal : 0;
        features[o + f] = energy + (0.6 / (1 + (f - 11) * 0.15)) * latent[f] + 0.1 * disgust * latent[(f + 7) % FEATURE_COUNT];
      }
      for (let f = 36; f < FEATURE_COUNT; f++) features[o + f] = 0.4 * latent[f] + (f < 61 ? 0.1 * arousal : 0);
    }
    const start = clock;
    const end = start + frames / FRAME_RATE_HZ;
    clock = end + 0.5 + rng.next() * 2;
    yield {
      id: `synthetic_${String(videoIndex).padStart(4, '0')}[${row}]`,
      video: `synthetic_${String(videoIndex).padStart(4, '0')}`,
      start,
      end,
      sentiment,
      emotions,
      features,
    };
  }
}
