/**
 * What an experiment's results support, in plain words, from its aggregates alone: the same
 * sentences in the Experiments view, `npm run experiment` (text and `conclusions` in --json),
 * the HTML report and the controls bench.
 *
 * The reading rests on overall 4-class accuracy (Figure 4's metric) and follows one order: an
 * arm counts as having learned the emotions at a label count only where its mean beats both
 * reference predictors (which use no audio); SSL minus baseline is read as a win only where
 * the paired test is significant after Holm's correction and the winner has learned there.
 * Without that first step, a difference between the arms is one between two ways of not
 * learning (a model fitting labels that carry nothing falls below the references, and the arm
 * that moves least "wins").
 */
import type { ExperimentPoint, ExperimentResults } from '../api/entities';
import { EMOTIONS, type Emotion } from '../emotions';

export type ConclusionsInput = Pick<ExperimentResults, 'ssl' | 'baseline' | 'references' | 'comparisons'>;

export interface Conclusions {
  /** Label counts at which each arm's mean 4-class accuracy is above both reference predictors'. */
  beatsReferences: { ssl: number[]; baseline: number[] };
  /** Label counts at which the overall 4-class test favours SSL (or the baseline) after Holm, and that arm beats the references there. */
  sslBeatsBaseline: number[];
  baselineBeatsSsl: number[];
  /** False when no reference predictor was scored (the dataset's files are gone): nothing can be said about learning. */
  referencesKnown: boolean;
  /** Whether SSL − baseline differences may be shown as wins: only when some arm beats the references somewhere. */
  differencesCount: boolean;
  sentences: string[];
}

const ALPHA = 0.05;

const acc4 = (p: ExperimentPoint | undefined) => p?.metrics.acc4?.overall?.mean;

/** "20 labels", "20 and 50 labels", "20, 50 and 100 labels". */
export function labelCountsText(counts: readonly number[]): string {
  const list = counts.length <= 1 ? String(counts[0]) : `${counts.slice(0, -1).join(', ')} and ${counts.at(-1)}`;
  return `${list} label${counts.length === 1 && counts[0] === 1 ? '' : 's'}`;
}

/** The better of the two reference predictors' mean 4-class accuracy at a label count (null when neither was scored). */
export function bestReference(references: ExperimentResults['references'], labelCount: number): number | null {
  const values = [references.labelMean, references.majorityClass].map((points) => acc4(points.find((p) => p.labelCount === labelCount))).filter((v): v is number => v !== undefined);
  return values.length ? Math.max(...values) : null;
}

/** SSL minus baseline in mean overall 4-class accuracy at a label count (an arm without a point there counts as 0). */
export function accuracyGap(results: Pick<ConclusionsInput, 'ssl' | 'baseline'>, labelCount: number): number {
  return (acc4(results.ssl.find((p) => p.labelCount === labelCount)) ?? 0) - (acc4(results.baseline.find((p) => p.labelCount === labelCount)) ?? 0);
}

/** Whether SSL's lead in 4-class accuracy is smaller at the largest label count than at the smallest; null with fewer than two. */
export function gapNarrows(results: Pick<ConclusionsInput, 'ssl' | 'baseline'>): boolean | null {
  const counts = [...new Set([...results.ssl, ...results.baseline].map((p) => p.labelCount))].sort((a, b) => a - b);
  return counts.length < 2 ? null : accuracyGap(results, counts.at(-1)!) < accuracyGap(results, counts[0]);
}

/** How many of a point's runs are flagged for each emotion, in EMOTIONS order (Table 1's daggers, its note, the controls bench). */
export function flaggedPerEmotion(point: Pick<ExperimentPoint, 'flagged'>): Array<{ emotion: Emotion; runs: number }> {
  return EMOTIONS.map((emotion) => ({ emotion, runs: point.flagged.filter((f) => f.emotions.includes(emotion)).length }));
}

export function experimentConclusions(results: ConclusionsInput, alpha = ALPHA): Conclusions {
  const counts = [...new Set([...results.ssl, ...results.baseline].map((p) => p.labelCount))].sort((a, b) => a - b);
  const referencesKnown = counts.some((n) => bestReference(results.references, n) !== null);
  const beats = (arm: ExperimentPoint[]) =>
    counts.filter((n) => {
      const value = acc4(arm.find((p) => p.labelCount === n));
      const floor = bestReference(results.references, n);
      return value !== undefined && floor !== null && value > floor;
    });
  const beatsReferences = { ssl: beats(results.ssl), baseline: beats(results.baseline) };
  const overall = results.comparisons.filter((c) => c.metric === 'acc4' && c.scope === 'overall');
  const significant = overall.filter((c) => c.pAdjusted !== null && c.pAdjusted < alpha);
  const sslAhead = significant.filter((c) => c.meanDifference > 0).map((c) => c.labelCount);
  const baselineAhead = significant.filter((c) => c.meanDifference < 0).map((c) => c.labelCount);
  const sslBeatsBaseline = sslAhead.filter((n) => !referencesKnown || beatsReferences.ssl.includes(n));
  const baselineBeatsSsl = baselineAhead.filter((n) => !referencesKnown || beatsReferences.baseline.includes(n));
  const learned = beatsReferences.ssl.length + beatsReferences.baseline.length > 0;
  const differencesCount = !referencesKnown || learned;

  const sentences: string[] = [];
  if (!counts.length) return { beatsReferences, sslBeatsBaseline, baselineBeatsSsl, referencesKnown, differencesCount, sentences: ['No run has finished yet: nothing to conclude.'] };

  if (!referencesKnown) {
    sentences.push("The reference predictors could not be scored (the dataset's files are missing), so whether either arm learned the emotions cannot be said.");
  } else if (!learned) {
    sentences.push(
      'Neither arm beats the reference predictors (label mean, majority class) in 4-class accuracy at any label count: the differences between SSL and the baseline are no evidence that either learned the emotions.',
    );
  } else {
    const where = (arm: number[]) => (arm.length === counts.length ? `at every label count (${labelCountsText(arm)})` : arm.length ? `at ${labelCountsText(arm)}` : 'at no label count');
    sentences.push(`SSL beats both reference predictors in 4-class accuracy ${where(beatsReferences.ssl)}; the baseline ${where(beatsReferences.baseline)}.`);
  }

  if (differencesCount) {
    const test = `paired t-test of 4-class accuracy, Holm-corrected p < ${alpha}`;
    if (!overall.some((c) => c.pValue !== null)) {
      sentences.push('With fewer than two repeats there is no paired test: SSL and the baseline cannot be compared.');
    } else if (sslBeatsBaseline.length) {
      const narrows = gapNarrows(results);
      const trend = narrows === null ? '' : narrows ? '; the gap narrows as labels grow' : '; the gap does not narrow as labels grow';
      sentences.push(`SSL beats the baseline at ${labelCountsText(sslBeatsBaseline)} (${test})${trend}.`);
    } else if (!significant.length) {
      sentences.push(`SSL and the baseline do not differ significantly at any label count (paired t-test of 4-class accuracy, Holm-corrected p ≥ ${alpha} throughout).`);
    }
    if (baselineBeatsSsl.length) sentences.push(`The baseline beats SSL at ${labelCountsText(baselineBeatsSsl)} (${test}).`);
    const hollow = [...sslAhead.filter((n) => !sslBeatsBaseline.includes(n)), ...baselineAhead.filter((n) => !baselineBeatsSsl.includes(n))].sort((a, b) => a - b);
    if (hollow.length) {
      sentences.push(`At ${labelCountsText(hollow)} the significant difference between the arms is no evidence of learning: the arm ahead does not beat the reference predictors there.`);
    }
  }

  const points = [...results.ssl, ...results.baseline];
  const flagged = points.reduce((s, p) => s + p.flagged.length, 0);
  const checked = points.reduce((s, p) => s + p.checked, 0);
  if (flagged) {
    sentences.push(`${flagged} of ${checked} runs are flagged: for some emotion their predictions cannot tell segments apart, so their scores for it are a constant predictor's.`);
  }
  return { beatsReferences, sslBeatsBaseline, baselineBeatsSsl, referencesKnown, differencesCount, sentences };
}

/** Whether SSL's 4-class accuracy at a label count beats both reference predictors (true when they were not scored: nothing to hold it against). */
export function sslLearnedAt(conclusions: Pick<Conclusions, 'referencesKnown' | 'beatsReferences'>, labelCount: number): boolean {
  return !conclusions.referencesKnown || conclusions.beatsReferences.ssl.includes(labelCount);
}
