import type { DegenerateFlag } from '../api/entities';
import { EMOTIONS } from '../emotions';
import { predictionIsPresent } from './classification';
import { FOUR_CLASSES, toFourClass } from './rounding';

/**
 * Degenerate predictions: the one rule every view, table and export shows. For each emotion,
 * predictions (n segments x 6, EMOTIONS order) that put every segment in one four-class bin, or
 * that call the emotion present (or absent) for every segment, cannot tell segments apart: the
 * run's scores for that emotion are a constant's (on CMU-MOSEI, "absent for every segment"
 * already earns a high weighted F1). Such an emotion is flagged; the rest are not.
 */
export function degenerateFlags(predictions: ArrayLike<number>): DegenerateFlag[] {
  const n = Math.floor(predictions.length / EMOTIONS.length);
  if (n === 0) return [];
  const flags: DegenerateFlag[] = [];
  EMOTIONS.forEach((emotion, j) => {
    const bins = FOUR_CLASSES.map(() => 0);
    let present = 0;
    for (let i = 0; i < n; i++) {
      const p = predictions[i * EMOTIONS.length + j];
      bins[toFourClass(p)]++;
      if (predictionIsPresent(p)) present++;
    }
    const bin = bins.findIndex((count) => count === n);
    if (bin >= 0) flags.push({ emotion, kind: 'single-bin', bin, present: bin > 0 });
    else if (present === 0 || present === n) flags.push({ emotion, kind: 'constant-presence', bin: null, present: present === n });
  });
  return flags;
}

/** "anger: every segment in four-class bin 0 (absent)" or "fear: predicted present for every segment". */
export function flagText(flag: DegenerateFlag): string {
  if (flag.kind === 'single-bin') return `${flag.emotion}: every segment in four-class bin ${flag.bin}${flag.bin === 0 ? ' (absent)' : ''}`;
  return `${flag.emotion}: predicted ${flag.present ? 'present' : 'absent'} for every segment`;
}

/** What the flag means, for notes and footnotes. */
export const DEGENERATE_RULE =
  'Flagged: on every segment evaluated, the predictions of that emotion fall in one four-class bin, or are all "present" or all "absent" (from 0.5 up); its scores are then those of a constant predictor.';
