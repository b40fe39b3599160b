/**
 * The paper's Figures 4–7 from an experiment's results, as the Experiments view draws them:
 * 4 and 5 are overall 4-class accuracy and MAE against the label count, 6 and 7 the same per
 * emotion as small multiples. The view's SVG export and the HTML report (app and CLI) both
 * come from here, so they are the same pictures.
 */
import type { ExperimentResults } from '../api/entities';
import { EMOTIONS } from '../emotions';
import { exportFileName, niceStep, overlayValues, sweepPanel, valueRange, type AxisRange, type Band, type Overlay, type PanelVariant, type SweepPanel } from './sweepSeries';
import { isAblation } from '../experiments/ablationResults';
import { changesBaseline, combinationLabel, restrict } from '../experiments/factors';
import { sweepSvg, sweepSvgGrid } from './sweepSvg';

export interface FigureSpec {
  n: 4 | 5 | 6 | 7;
  metric: 'acc4' | 'mae';
  title: string;
  /** Six small multiples, one per emotion, rather than one overall panel. */
  perEmotion: boolean;
}

export const OVERALL_FIGURES: readonly FigureSpec[] = [
  { n: 4, metric: 'acc4', title: '4-class accuracy, overall', perEmotion: false },
  { n: 5, metric: 'mae', title: 'MAE, overall', perEmotion: false },
];
export const PER_EMOTION_FIGURES: readonly FigureSpec[] = [
  { n: 6, metric: 'acc4', title: '4-class accuracy per emotion', perEmotion: true },
  { n: 7, metric: 'mae', title: 'MAE per emotion', perEmotion: true },
];
export const FIGURES: readonly FigureSpec[] = [...OVERALL_FIGURES, ...PER_EMOTION_FIGURES];

/** What the view lets the user switch: the paper's numbers drawn over the data, one y axis for the six emotions, the bands. */
export interface FigureOptions {
  overlay?: (metric: string, scope: string) => Overlay | null;
  sharedY?: boolean;
  /** ±1 sd (default, as the paper's figures) or the 95% CI of the mean. */
  band?: Band;
}

export const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "mean over 3 repeats; band: ±1 sd" or "…; band: 95% CI of the mean (t, n − 1 df)", or "(no sd)" with one repeat. */
export function repeatsNote(repeats: number, band: Band = 'sd'): string {
  // n is each point's own count of finished repeats, which the planned number may exceed while a sweep runs.
  const what = band === 'sd' ? '±1 sd' : '95% CI of the mean (t, n − 1 df)';
  return `mean over ${repeats} repeat${repeats === 1 ? '' : 's'}${repeats > 1 ? `; band: ${what}` : ' (no sd)'}`;
}

/** "test split" / "validation split": which segments every number of a figure or table was measured on. */
export const splitNote = (split: string) => `${split} split`;

export function figureCaption(fig: FigureSpec, experiment: { id: number; name: string; repeats: number }, band: Band = 'sd', split = 'validation'): string {
  return `Figure ${fig.n} · ${fig.title} · experiment #${experiment.id} "${experiment.name}" · ${splitNote(split)} · ${repeatsNote(experiment.repeats, band)}; dashed grey: predictors without audio`;
}

export function figureFileName(experimentId: number, fig: FigureSpec, extension: string): string {
  return exportFileName(['experiment', experimentId, `figure ${fig.n}`, fig.title], extension);
}

/** The y range the six small multiples share (null: nothing plotted yet). */
export function emotionsRange(results: ExperimentResults, metric: string, options: FigureOptions = {}): AxisRange | null {
  const panels = EMOTIONS.map((emotion) => sweepPanel({ ...figureInput(results), metric, title: emotion, scope: emotion, overlay: options.overlay?.(metric, emotion) ?? null, band: options.band }));
  return valueRange([...panels.flatMap((p) => [...p.series.map((s) => s.points), ...p.references.map((r) => r.points)])], metric, panels.flatMap((p) => overlayValues(p.overlay)));
}

/** An ablation's values as the panels draw them: each value's SSL arm beside the baseline arm it is paired with. */
export function panelVariants(results: ExperimentResults): PanelVariant[] {
  return results.variants.map((v) => ({
    key: v.key,
    label: v.label,
    ssl: v.ssl,
    baselineKey: v.baselineKey,
    baselineLabel: combinationLabel(restrict(v.values, changesBaseline)),
    baseline: v.baseline,
    references: v.references,
  }));
}

/**
 * What every panel of an experiment's figures draws from: its arms and reference predictors, or an
 * ablation's values, each with its baseline arm's references (the on-screen charts read it too).
 */
export function figureInput(results: ExperimentResults): { ssl: ExperimentResults['ssl']; baseline: ExperimentResults['baseline']; variants?: PanelVariant[]; references: ExperimentResults['references'] | null; labelCounts: number[] } {
  if (!isAblation(results)) return { ssl: results.ssl, baseline: results.baseline, references: results.references, labelCounts: results.experiment.labelCounts };
  return { ssl: [], baseline: [], variants: panelVariants(results), references: null, labelCounts: results.experiment.labelCounts };
}

/** A fixed range as the on-screen chart takes it (min and max; the step follows from them). */
const fixedRange = (r: AxisRange | null): AxisRange | null => (r ? { min: r.min, max: r.max, step: niceStep((r.max - r.min) / 5) } : null);

/** The figure's panels: one for Figures 4 and 5, six (EMOTIONS order) for 6 and 7. */
export function figurePanels(results: ExperimentResults, fig: FigureSpec, options: FigureOptions = {}): SweepPanel[] {
  const common = { ...figureInput(results), metric: fig.metric, band: options.band };
  if (!fig.perEmotion) return [sweepPanel({ ...common, title: fig.title, scope: 'overall', overlay: options.overlay?.(fig.metric, 'overall') ?? null })];
  const y = options.sharedY ? fixedRange(emotionsRange(results, fig.metric, options)) : null;
  return EMOTIONS.map((emotion) => sweepPanel({ ...common, title: capital(emotion), scope: emotion, y, overlay: options.overlay?.(fig.metric, emotion) ?? null, compact: true }));
}

/** One figure as a standalone SVG document, built from its panels. */
export function figureSvgFromPanels(fig: FigureSpec, panels: readonly SweepPanel[], experiment: { id: number; name: string; repeats: number }, split = 'validation', withCaption = true): string {
  // The HTML report prints the caption under the figure itself: its SVGs go without, so it shows once.
  const caption = withCaption ? figureCaption(fig, experiment, panels[0]?.band, split) : undefined;
  if (!fig.perEmotion) return sweepSvg({ ...panels[0], title: `Figure ${fig.n} · ${panels[0].title}` }, { caption });
  return sweepSvgGrid(`Figure ${fig.n} · ${fig.title}`, panels, { cols: 3, caption });
}

export function figureSvg(results: ExperimentResults, fig: FigureSpec, options: FigureOptions = {}, withCaption = true): string {
  return figureSvgFromPanels(fig, figurePanels(results, fig, options), results.experiment, results.split, withCaption);
}

/** Figures 4, 5, 6 and 7 of an experiment, in order. */
export function experimentFigureSvgs(results: ExperimentResults, options: FigureOptions = {}): Array<{ n: number; caption: string; svg: string }> {
  return FIGURES.map((fig) => ({ n: fig.n, caption: figureCaption(fig, results.experiment, options.band, results.split), svg: figureSvg(results, fig, options, false) }));
}
