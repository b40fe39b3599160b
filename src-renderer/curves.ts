import type { ExperimentResults, RunDetail } from '@shared/api/entities';
import type { CurvePoint, RunGroup } from '@shared/history/compare';

/** One line of a chart; with `band`, a shaded ±1 sd area around it. */
export interface Curve {
  label: string;
  colour: string;
  dashed?: boolean;
  /** Line pattern (canvas dash lengths); overrides `dashed`. */
  dash?: number[];
  /** The legend entry the line belongs to (a run's training and validation curves share one): toggled and highlighted together. */
  group?: string;
  points: Array<{ x: number; y: number }>;
  band?: Array<{ x: number; low: number; high: number }>;
}

/** Distinguishable on white and for common colour-vision deficiencies (Okabe-Ito, then darker tones). */
export const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#d55e00', '#56b4e9', '#7a6a00', '#444444', '#8c3b8c', '#2f6f4f'];
export const colourOf = (i: number) => PALETTE[i % PALETTE.length]!;

/**
 * Line patterns of the i-th run: training and validation. Past the palette's ten colours the
 * patterns change, so no two runs draw alike (solid/dashed, then dotted/dash-dot, then long/short).
 */
const RUN_PATTERNS: Array<[number[], number[]]> = [
  [[], [6, 4]],
  [[2, 3], [9, 3, 2, 3]],
  [[12, 4], [3, 6]],
];
export const runPattern = (i: number) => RUN_PATTERNS[Math.floor(i / PALETTE.length) % RUN_PATTERNS.length]!;

/** Each run's training loss and validation loss, one colour (and, past ten runs, one pattern pair) per run. */
export function runCurves(runs: readonly RunDetail[]): Curve[] {
  return runs.flatMap((run, i) => {
    const colour = colourOf(i);
    const [trainingDash, validationDash] = runPattern(i);
    const group = `#${run.id}`;
    const training: Curve = { label: `#${run.id} training`, colour, dash: trainingDash, group, points: run.epochs.map((e) => ({ x: e.epoch, y: e.loss })) };
    const validation = run.epochs.filter((e) => e.valLoss !== null).map((e) => ({ x: e.epoch, y: e.valLoss! }));
    return validation.length ? [training, { label: `#${run.id} validation`, colour, dashed: true, dash: validationDash, group, points: validation }] : [training];
  });
}

function meanCurve(label: string, colour: string, points: readonly CurvePoint[], group: string, dashed = false): Curve {
  return {
    label,
    colour,
    dashed,
    group,
    points: points.map((p) => ({ x: p.epoch, y: p.mean })),
    band: points.every((p) => p.sd === null) ? undefined : points.map((p) => ({ x: p.epoch, low: p.mean - (p.sd ?? 0), high: p.mean + (p.sd ?? 0) })),
  };
}

/** Each group's mean training loss with a ±1 sd band across its runs (and validation, dashed, when recorded). */
export function groupCurves(groups: readonly RunGroup[], fieldLabel: string): Curve[] {
  return groups.flatMap((g, i) => {
    const name = `${fieldLabel} = ${g.label} (n=${g.runIds.length})`;
    const curves = [meanCurve(`${name} training`, colourOf(i), g.loss, name)];
    if (g.valLoss.length) curves.push(meanCurve(`${name} validation`, colourOf(i), g.valLoss, name, true));
    return curves;
  });
}

/** One experiment's results under the name the comparison shows. */
export interface LabelledResults {
  label: string;
  results: ExperimentResults;
}

/**
 * Experiments side by side: per experiment its SSL arm (solid) and baseline (dashed) against
 * the number of labels, mean with a ±1 sd band over repeats, for one metric and scope.
 */
export function experimentCurves(experiments: readonly LabelledResults[], metric: string, scope: string): Curve[] {
  return experiments.flatMap((e, i) =>
    (['ssl', 'baseline'] as const).map((arm) => {
      const points = e.results[arm].flatMap((p) => {
        const m = p.metrics[metric]?.[scope];
        return m ? [{ x: p.labelCount, mean: m.mean, sd: m.sd }] : [];
      });
      return {
        label: `${e.label} ${arm === 'ssl' ? 'SSL' : 'baseline'}`,
        colour: colourOf(i),
        dashed: arm === 'baseline',
        group: e.label,
        points: points.map((p) => ({ x: p.x, y: p.mean })),
        band: points.some((p) => p.sd !== null) ? points.map((p) => ({ x: p.x, low: p.mean - (p.sd ?? 0), high: p.mean + (p.sd ?? 0) })) : undefined,
      };
    }),
  );
}
