import { LABEL_KINDS, labelRange, type LabelKind } from '../emotions';

/**
 * Which labels of an import could not be used, per kind. A label that is NaN, infinite or
 * outside its documented range takes its segment out of the dataset: it is counted, never
 * clamped, because a clamped label would be a number no annotator gave.
 */
export interface LabelCounts {
  nonFinite: number;
  outOfRange: number;
}
export type LabelProblems = Record<LabelKind, LabelCounts>;

export const emptyLabelProblems = (): LabelProblems =>
  Object.fromEntries(LABEL_KINDS.map((kind) => [kind, { nonFinite: 0, outOfRange: 0 }])) as LabelProblems;

/** What is wrong with one label value, or null when it is usable. */
export function labelProblem(kind: LabelKind, value: number): keyof LabelCounts | null {
  if (!Number.isFinite(value)) return 'nonFinite';
  const [min, max] = labelRange(kind);
  return value < min || value > max ? 'outOfRange' : null;
}

/** "sentiment: 2 NaN or infinite, 1 outside -3..3; fear: 1 outside 0..3", naming only kinds with a problem. */
export function describeLabelProblems(problems: LabelProblems): string {
  return LABEL_KINDS.filter((kind) => problems[kind].nonFinite + problems[kind].outOfRange > 0)
    .map((kind) => {
      const { nonFinite, outOfRange } = problems[kind];
      const [min, max] = labelRange(kind);
      const parts = [nonFinite ? `${nonFinite} NaN or infinite` : '', outOfRange ? `${outOfRange} outside ${min}..${max}` : ''];
      return `${kind}: ${parts.filter(Boolean).join(', ')}`;
    })
    .join('; ');
}
