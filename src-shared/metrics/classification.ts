import { f1FromCounts } from './f1';
import { FOUR_CLASSES, toFourClass } from './rounding';

// ---------------------------------------------------------------------------
// Binary presence: is the emotion there at all?
// ---------------------------------------------------------------------------

/** Any non-zero label means at least one annotator heard the emotion. */
export function labelIsPresent(y: number): boolean {
  return y > 0;
}

/** A prediction counts as present from 0.5 up, i.e. exactly when its four-class value is at least 1. */
export const PRESENCE_THRESHOLD = 0.5;
export function predictionIsPresent(p: number): boolean {
  return p >= PRESENCE_THRESHOLD;
}

/** Confusion counts of presence (positive class) against absence for one emotion. */
export interface BinaryConfusion {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  /** Samples whose label is present (tp + fn). */
  nPos: number;
  /** Samples whose label is absent (tn + fp). */
  nNeg: number;
}

export function binaryConfusion(y: readonly number[], p: readonly number[]): BinaryConfusion {
  let tp = 0, tn = 0, fp = 0, fn = 0;
  for (let i = 0; i < y.length; i++) {
    const truth = labelIsPresent(y[i]);
    const guess = predictionIsPresent(p[i]);
    if (truth && guess) tp++;
    else if (truth) fn++;
    else if (guess) fp++;
    else tn++;
  }
  return { tp, tn, fp, fn, nPos: tp + fn, nNeg: tn + fp };
}

/** F1 of the presence class (sklearn average='binary', pos_label=1, zero_division=0). */
export function f1Binary(c: BinaryConfusion): number {
  return f1FromCounts(c.tp, c.fp, c.fn);
}

/**
 * Support-weighted mean of the F1 of absence and of presence (sklearn average='weighted').
 * sklearn only averages over classes seen in labels or predictions, but a class it would
 * leave out has zero true support here, so weighting by support gives the same number.
 */
export function f1Weighted(c: BinaryConfusion): number {
  const f1Present = f1FromCounts(c.tp, c.fp, c.fn);
  const f1Absent = f1FromCounts(c.tn, c.fn, c.fp);
  return (f1Present * c.nPos + f1Absent * c.nNeg) / (c.nPos + c.nNeg);
}

/**
 * Weighted accuracy as Multimodal-Transformer computes it:
 * (tp * nNeg/nPos + tn) / (2 nNeg), which is balanced accuracy (mean recall of the two classes).
 * That formula is 0/0 when the labels hold only one class; there we follow sklearn's
 * balanced_accuracy_score and average the recall of the classes the labels do hold.
 */
export function weightedAccuracy(c: BinaryConfusion): number {
  if (c.nPos === 0) return c.tn / c.nNeg;
  if (c.nNeg === 0) return c.tp / c.nPos;
  return (c.tp * (c.nNeg / c.nPos) + c.tn) / (2 * c.nNeg);
}

/** Fraction of samples whose predicted presence matches the label's. */
export function binaryAccuracy(c: BinaryConfusion): number {
  return (c.tp + c.tn) / (c.tp + c.tn + c.fp + c.fn);
}

// ---------------------------------------------------------------------------
// Four classes: rounded intensity 0..3.
// ---------------------------------------------------------------------------

/** Fraction of pairs whose four-class values agree. */
export function fourClassAccuracy(y: readonly number[], p: readonly number[]): number {
  let hits = 0;
  for (let i = 0; i < y.length; i++) if (toFourClass(y[i]) === toFourClass(p[i])) hits++;
  return hits / y.length;
}

interface ClassCounts {
  tp: number;
  fp: number;
  fn: number;
}

/** One-vs-rest counts for each of the four classes, in class order 0..3. */
function fourClassCounts(y: readonly number[], p: readonly number[]): ClassCounts[] {
  const counts = FOUR_CLASSES.map(() => ({ tp: 0, fp: 0, fn: 0 }));
  for (let i = 0; i < y.length; i++) {
    const truth = toFourClass(y[i]);
    const guess = toFourClass(p[i]);
    if (truth === guess) counts[truth].tp++;
    else {
      counts[guess].fp++;
      counts[truth].fn++;
    }
  }
  return counts;
}

/**
 * Micro F1 over labels 0..3 (sklearn average='micro'). With every class included each
 * miss is one fp and one fn, so this equals four-class accuracy.
 */
export function f1FourClassMicro(y: readonly number[], p: readonly number[]): number {
  const total = fourClassCounts(y, p).reduce((s, c) => ({ tp: s.tp + c.tp, fp: s.fp + c.fp, fn: s.fn + c.fn }));
  return f1FromCounts(total.tp, total.fp, total.fn);
}

/**
 * Unweighted mean of the four per-class F1 scores (sklearn labels=[0,1,2,3], average='macro').
 * A class absent from both labels and predictions still counts, with F1 0 (zero_division=0).
 */
export function f1FourClassMacro(y: readonly number[], p: readonly number[]): number {
  const scores = fourClassCounts(y, p).map((c) => f1FromCounts(c.tp, c.fp, c.fn));
  return scores.reduce((s, f) => s + f, 0) / scores.length;
}
