/**
 * Pure helpers of the segment heat map: per-feature standardisation, the colour scale,
 * the pixels of a (frames x features) image, axis ticks and the masked ranges as text.
 */

export interface FeatureStats {
  mean: Float64Array;
  /** Standard deviation per feature; 0 for a constant feature (shown as 0 everywhere). */
  std: Float64Array;
}

/** Mean and standard deviation of each feature (column) over the frames of a row-major matrix. */
export function featureStats(values: ArrayLike<number>, frames: number, features: number): FeatureStats {
  const mean = new Float64Array(features);
  const std = new Float64Array(features);
  if (frames === 0) return { mean, std };
  for (let t = 0; t < frames; t++) for (let f = 0; f < features; f++) mean[f] += values[t * features + f];
  for (let f = 0; f < features; f++) mean[f] /= frames;
  for (let t = 0; t < frames; t++) {
    for (let f = 0; f < features; f++) {
      const d = values[t * features + f] - mean[f];
      std[f] += d * d;
    }
  }
  for (let f = 0; f < features; f++) std[f] = Math.sqrt(std[f] / frames);
  return { mean, std };
}

/**
 * z-scores per feature, with the given statistics (the masked clip is shown with the
 * original's, so unmasked frames look the same in both). Non-finite values become 0.
 */
export function standardise(values: ArrayLike<number>, frames: number, features: number, stats = featureStats(values, frames, features)): Float32Array {
  const z = new Float32Array(frames * features);
  for (let t = 0; t < frames; t++) {
    for (let f = 0; f < features; f++) {
      const i = t * features + f;
      const s = stats.std[f];
      const v = s > 1e-12 ? (values[i] - stats.mean[f]) / s : 0;
      z[i] = Number.isFinite(v) ? v : 0;
    }
  }
  return z;
}

export type Rgb = readonly [number, number, number];

/** Diverging blue - white - red (ColorBrewer RdBu, ends kept light enough to read). */
const STOPS: ReadonlyArray<readonly [number, Rgb]> = [
  [-1, [33, 102, 172]],
  [-0.5, [103, 169, 207]],
  [-0.15, [209, 229, 240]],
  [0, [247, 247, 247]],
  [0.15, [253, 219, 199]],
  [0.5, [239, 138, 98]],
  [1, [178, 24, 43]],
];

/** Colour of a z-score, clipped at +/- `clip` standard deviations. */
export function divergingColour(z: number, clip = 3): Rgb {
  const x = Number.isFinite(z) ? Math.max(-1, Math.min(1, z / clip)) : 0;
  for (let i = 1; i < STOPS.length; i++) {
    const [x1, c1] = STOPS[i];
    if (x <= x1) {
      const [x0, c0] = STOPS[i - 1];
      const u = (x - x0) / (x1 - x0);
      return [0, 1, 2].map((k) => Math.round(c0[k] + u * (c1[k] - c0[k]))) as unknown as Rgb;
    }
  }
  return STOPS[STOPS.length - 1][1];
}

/** Masked steps: a green no value of the blue-white-red scale can take. */
export const MASK_RGB: Rgb = [20, 160, 80];
export const rgbCss = (c: Rgb) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

/** CSS gradient of the colour scale from -clip (left) to +clip (right), for the legend. */
export function legendGradient(): string {
  return `linear-gradient(to right, ${STOPS.map(([x, c]) => `${rgbCss(c)} ${((x + 1) * 50).toFixed(1)}%`).join(', ')})`;
}

/**
 * RGBA pixels of an image `frames` wide and `features` tall: x is time, y is the feature
 * (feature 0 on the top row). Masked steps are painted MASK_RGB whatever their value.
 */
export function heatmapPixels(z: Float32Array, frames: number, features: number, maskedSteps?: ArrayLike<number>, clip = 3): Uint8ClampedArray<ArrayBuffer> {
  const px = new Uint8ClampedArray(frames * features * 4);
  for (let t = 0; t < frames; t++) {
    const masked = maskedSteps ? maskedSteps[t] === 1 : false;
    for (let f = 0; f < features; f++) {
      const c = masked ? MASK_RGB : divergingColour(z[t * features + f], clip);
      const o = (f * frames + t) * 4;
      px[o] = c[0];
      px[o + 1] = c[1];
      px[o + 2] = c[2];
      px[o + 3] = 255;
    }
  }
  return px;
}

export interface StepRange {
  /** First masked step (inclusive). */
  start: number;
  /** Last masked step (inclusive). */
  end: number;
}

/** Runs of consecutive masked steps. */
export function maskedRanges(maskedSteps: ArrayLike<number>): StepRange[] {
  const ranges: StepRange[] = [];
  let start = -1;
  for (let t = 0; t <= maskedSteps.length; t++) {
    const on = t < maskedSteps.length && maskedSteps[t] === 1;
    if (on && start < 0) start = t;
    if (!on && start >= 0) {
      ranges.push({ start, end: t - 1 });
      start = -1;
    }
  }
  return ranges;
}

/** "masked frames 120-149 (1.20-1.50 s)"; the seconds cover the frames' full 10 ms. */
export function describeRange(r: StepRange, frameRateHz: number): string {
  const frames = r.start === r.end ? `frame ${r.start}` : `frames ${r.start}-${r.end}`;
  return `masked ${frames} (${(r.start / frameRateHz).toFixed(2)}-${((r.end + 1) / frameRateHz).toFixed(2)} s)`;
}

/** Round tick positions (in seconds) for a time axis of `seconds`, about `target` of them. */
export function timeTicks(seconds: number, target = 8): number[] {
  if (!(seconds > 0)) return [0];
  const raw = seconds / Math.max(1, target);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let i = 0; i * step <= seconds + 1e-9; i++) ticks.push(Number((i * step).toFixed(6)));
  return ticks;
}

/** Every how many feature rows a name is drawn, so labels `fontPx` tall do not overlap. */
export function labelEvery(rowHeight: number, fontPx: number): number {
  return Math.max(1, Math.ceil((fontPx + 1) / rowHeight));
}
