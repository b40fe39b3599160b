/** The six Ekman emotions CMU-MOSEI annotates, in the column order of its labels file (after sentiment). */
export const EMOTIONS = ['happiness', 'sadness', 'anger', 'surprise', 'disgust', 'fear'] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** Intensities are averages of three annotators on 0..3, so thirds occur. */
export const EMOTION_MAX = 3;

/** Every label of a CMU-MOSEI segment, in the labels file's column order. */
export const LABEL_KINDS = ['sentiment', ...EMOTIONS] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];

/** The documented range of each label: sentiment -3..3, emotion intensities 0..3. */
export const labelRange = (kind: LabelKind): readonly [number, number] => (kind === 'sentiment' ? [-3, 3] : [0, EMOTION_MAX]);

/** COVAREP's 74 columns as CMU-MOSEI ships them, in order. */
export const COVAREP_FEATURES: readonly string[] = [
  'F0', 'VUV', 'NAQ', 'QOQ', 'H1H2', 'PSP', 'MDQ', 'peakSlope', 'Rd', 'Rd_conf', 'creak',
  ...Array.from({ length: 25 }, (_, i) => `MCEP_${i}`),
  ...Array.from({ length: 25 }, (_, i) => `HMPDM_${i}`),
  ...Array.from({ length: 13 }, (_, i) => `HMPDD_${i}`),
];
export const FEATURE_COUNT = 74;
/** COVAREP frames are 10 ms apart. */
export const FRAME_RATE_HZ = 100;
