import { z } from 'zod';
import type { Emotion } from '../emotions';

/**
 * The built-in positive and negative controls: generated datasets with a known effect (or a
 * known absence of one), to check that a sweep finds an effect where there is one and none
 * where there is none. The generator is src-main/data/controlGenerator.ts; what it does with
 * each parameter is said here, once, for the window and the command line.
 */

/** What the controls' generator used before prevalence and intensity steps were recorded: CMU-MOSEI's shares down to disgust, surprise and fear raised to 17%. */
const LEGACY_PREVALENCE = [0.5, 0.25, 0.2, 0.17, 0.17, 0.17] as const;
const LEGACY_INTENSITY_STEP = 0.3;

export const ControlParams = z.object({
  /** Which generator wrote the dataset, recorded with it. */
  generator: z.literal('affect-factors'),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  segments: z.number().int().min(1),
  segmentsPerVideo: z.number().int().min(1),
  minFrames: z.number().int().min(1),
  maxFrames: z.number().int().min(1),
  /** 0..1: share of each emotion score's variance that comes from the affect factors the features carry; 0 makes labels independent of features. */
  signal: z.number().min(0).max(1),
  /** 0..1: share of the factors' imprint that lies in features whose frames bury it under noise, so that only many frames together show it. */
  temporalShare: z.number().min(0).max(1),
  /** Standard deviation of each frame's own noise in those features, in units of the imprint's loading. */
  noise: z.number().min(0),
  /**
   * Per emotion (EMOTIONS order), the share of segments where it is present. Controls recorded
   * before this field existed were made with LEGACY_PREVALENCE.
   */
  prevalence: z.array(z.number().gt(0).lt(1)).length(6).default(() => [...LEGACY_PREVALENCE]),
  /**
   * How far past its presence threshold an emotion's score must go for each further third of
   * intensity, in standard deviations of the score (controls recorded before this field: 0.3).
   */
  intensityStep: z.number().positive().max(10).default(LEGACY_INTENSITY_STEP),
});
export type ControlParams = z.infer<typeof ControlParams>;

/** The hidden factors behind every segment of a control (Russell's circumplex). */
export const AFFECT_FACTORS = ['valence', 'arousal'] as const;

/** Per emotion: its mix of the affect factors (valence, arousal), on Russell's circumplex. */
export const EMOTION_LOADINGS: ReadonlyArray<{ emotion: Emotion; weights: readonly number[] }> = [
  { emotion: 'happiness', weights: [1, 0.3] },
  { emotion: 'sadness', weights: [-0.8, -0.6] },
  { emotion: 'anger', weights: [-0.6, 0.8] },
  { emotion: 'surprise', weights: [0.3, 0.95] },
  { emotion: 'disgust', weights: [-0.9, 0.3] },
  { emotion: 'fear', weights: [-0.5, 0.85] },
];

export const POSITIVE_CONTROL_ID = 'positive-control';
export const NEGATIVE_CONTROL_ID = 'negative-control';

/**
 * The positive control as a first start creates it: 2,400 segments of 0.6-1.6 s, the whole signal
 * in the features' temporal structure. Prevalence: CMU-MOSEI's for happiness and anger; sadness,
 * surprise, disgust and fear (about 25%, 10%, 17% and 8% in CMU-MOSEI) raised to 30%. With fewer,
 * a sample of 20 labels often holds only one to three segments where an emotion is present, and a
 * model fitted to it, however good its features, predicts that emotion absent for every segment:
 * the control would show flags, not the effect. Measured with the Quick preset (npm run bench --
 * controls): at 17%, with its earlier 30 epochs at Adam 0.001, 5 of its 6 SSL fine-tunes at 20
 * labels were flagged; at 25% with its settings now, one; at 30%, none.
 */
export const POSITIVE_CONTROL: ControlParams = {
  generator: 'affect-factors',
  seed: 20240611,
  segments: 2400,
  segmentsPerVideo: 6,
  minFrames: 60,
  maxFrames: 160,
  signal: 1,
  temporalShare: 1,
  noise: 5,
  prevalence: [0.5, 0.3, 0.2, 0.3, 0.3, 0.3],
  intensityStep: 0.3,
};
/** The same features (same seed), labels drawn independently of them. */
export const NEGATIVE_CONTROL: ControlParams = { ...POSITIVE_CONTROL, signal: 0 };

export type ControlRole = 'positive' | 'negative';

/** A control's role from its recorded parameters: any signal makes it a positive control. */
export function controlRole(params: ControlParams): ControlRole {
  return params.signal > 0 ? 'positive' : 'negative';
}

export const CONTROL_NAMES: Record<ControlRole, string> = {
  positive: 'Positive control (synthetic, known effect)',
  negative: 'Negative control (synthetic, no effect)',
};

/** What each control demonstrates, as the Datasets view says it. */
export const CONTROL_DESCRIPTIONS: Record<ControlRole, string> = {
  positive:
    'A generated dataset with a known effect, to check that a sweep finds one. Two hidden factors per segment, valence and arousal, set its six emotion ' +
    'intensities (in thirds from 0 to 3; sadness, surprise, disgust and fear present in 30% of segments, more often than in CMU-MOSEI, so that 20 labels hold enough of each) and a constant level of its features that each frame\'s own noise buries: one frame ' +
    'says little about the emotions, many frames together nearly everything. Pre-training that fills masked spans from their context learns to carry that ' +
    'level through a clip; a network trained from scratch on a few labels has to find it from those labels alone. On it, the Quick preset\'s SSL arm beats ' +
    'both reference predictors at every label count and the baseline at 20, 50 and 100 labels, and the gap narrows by 200 (npm run bench -- controls prints the numbers).',
  negative:
    'The positive control\'s features with labels drawn independently of them: the same generator with the effect switched off. Nothing here predicts the ' +
    'emotions, so no arm should beat the reference predictors (predicting absent, or the labelled sample\'s mean): with the Quick preset none does, and no paired ' +
    'test of 4-class accuracy survives Holm\'s correction. Read an SSL-versus-baseline difference on real data against this one, and each arm against the ' +
    'reference predictors first: two arms that learned nothing can still differ (in how far their predictions stray from the labels\' mean, which MAE shows), ' +
    'and such a difference is no evidence for either.',
};

/** The recorded parameters a control's description shows, in order, with what each means. */
export const CONTROL_PARAM_LABELS: ReadonlyArray<{ key: keyof ControlParams; label: string; describe: (p: ControlParams) => string }> = [
  { key: 'signal', label: 'Signal strength', describe: (p) => `${p.signal} of each emotion score's variance comes from factors the features carry` },
  { key: 'temporalShare', label: 'Visible only over time', describe: (p) => `${p.temporalShare} of the features' imprint lies where one frame's noise hides it` },
  { key: 'noise', label: 'Per-frame noise', describe: (p) => `${p.noise} × the imprint's scale, in those features` },
  { key: 'prevalence', label: 'Present in', describe: (p) => EMOTION_LOADINGS.map(({ emotion }, e) => `${emotion} ${Math.round(p.prevalence[e] * 100)}%`).join(', ') },
  { key: 'intensityStep', label: 'Intensity', describe: (p) => `in thirds from 0 to 3, one third more per ${p.intensityStep} standard deviations of an emotion's score past its presence threshold` },
  { key: 'segments', label: 'Size', describe: (p) => `${p.segments.toLocaleString('en-US')} segments, ${p.segmentsPerVideo} per video, ${p.minFrames}-${p.maxFrames} frames each` },
  { key: 'seed', label: 'Seed', describe: (p) => String(p.seed) },
];

/** How a dataset is labelled where it appears: "synthetic", or which control it is. */
export function syntheticLabel(control: ControlParams | null): string {
  return control ? `synthetic — ${controlRole(control)} control` : 'synthetic';
}

/** The dataset a form starts on: the positive control when there is one, else the first listed. */
export function defaultDatasetId(datasets: ReadonlyArray<{ id: string }>): string | undefined {
  return (datasets.find((d) => d.id === POSITIVE_CONTROL_ID) ?? datasets[0])?.id;
}
