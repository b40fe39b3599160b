/**
 * What the seed paper reports in numbers, for overlaying on the experiment's figures and for
 * the literature rows of the Table 1 export.
 *
 * Copied by hand from literature.json ("figures_reported_in_text", "protocol" and "table1_f1"),
 * which in turn quotes section 4 and Table 1 of the paper; both are test fixtures
 * (test/fixtures/paper/), not shipped, so neither the app nor the CLI reads them: the numbers
 * live here, and literature.spec.ts checks them against both.
 * The paper gives most of them as words ("about 0.85-0.87"), so they are drawn as ranges and
 * always labelled as the paper's, never as the user's data.
 */
import type { Overlay } from './sweepSeries';

export const LITERATURE_SOURCE = 'literature.json (seed paper, section 4)';

/** The paper's label counts ("20, 35, 50, …, 200 and 400, 600, …, and 1200 data points") and repeats ("three times per each number"). */
export const PAPER_PROTOCOL = {
  labelCounts: [20, 35, 50, 65, 80, 95, 110, 125, 140, 155, 170, 185, 200, 400, 600, 800, 1000, 1200] as readonly number[],
  repeats: 3,
} as const;

/** literature.json "figures_reported_in_text", as numbers (ranges as [low, high]). */
export const PAPER_FIGURES = {
  /** "acc4_overall_ssl_at_0_200_labels": "about 0.85-0.87" */
  acc4OverallSslAt0to200: [0.85, 0.87],
  /** "acc4_overall_baseline_at_0_200_labels": "about 0.81-0.82, rising quickly towards 200 labels" (at the start of the sweep). */
  acc4OverallBaselineAtStart: [0.81, 0.82],
  /** "mae_overall_ssl_at_20_labels": 0.26 */
  maeOverallSslAt20: 0.26,
  /** "mae_overall_baseline_at_20_labels": "about 0.29-0.30" */
  maeOverallBaselineAt20: [0.29, 0.3],
  /** "surprise_and_fear": "no gain; baseline slightly better; accuracy about 0.90" */
  acc4SurpriseFear: 0.9,
  /** "mae_nuanced_emotions": "about 0.12-0.16 (surprise, fear) vs up to 0.4-0.5 (happiness, sadness, anger)" */
  maeSurpriseFear: [0.12, 0.16],
  maeHappinessSadnessAnger: [0.4, 0.5],
} as const;

/**
 * The paper's Table 1, "Comparing F1 scores of self-supervised learning model (SSL) to other
 * emotion classification models on acoustic modality" (literature.json "table1_f1"): one F1 per
 * emotion in EMOTIONS order, as printed (two decimals). The paper does not say which F1 it
 * computed; the prior-literature rows ([22]) trained on the CMU-MOSEI natural split, with far
 * more labels than the SSL model's 1200.
 */
export const PAPER_TABLE1_F1: ReadonlyArray<{ label: string; values: readonly number[]; labelCount: number | null }> = [
  { label: 'SSL (paper, 1200 labels)', values: [0.77, 0.93, 0.93, 0.99, 0.96, 0.98], labelCount: 1200 },
  { label: 'BLSTM', values: [0.37, 0.36, 0.16, 0.74, 0.22, 0.77], labelCount: null },
  { label: 'Best-performing prior literature', values: [0.62, 0.66, 0.72, 0.74, 0.76, 0.78], labelCount: null },
];
export const PAPER_TABLE1_SOURCE = "the paper's Table 1 (literature.json \"table1_f1\")";

export const PAPER_TAG = 'paper (not your data)';

/** The paper's numbers that belong on the figure of this metric and scope, or null when it reports none. */
export function literatureOverlay(metric: string, scope: string): Overlay | null {
  const f = PAPER_FIGURES;
  if (metric === 'acc4' && scope === 'overall') {
    return {
      bands: [
        { xMin: 20, xMax: 200, yMin: f.acc4OverallSslAt0to200[0], yMax: f.acc4OverallSslAt0to200[1], label: 'paper: SSL ≈ 0.85–0.87 at ≤200 labels', arm: 'ssl' },
        { xMin: 20, xMax: 35, yMin: f.acc4OverallBaselineAtStart[0], yMax: f.acc4OverallBaselineAtStart[1], label: 'paper: baseline ≈ 0.81–0.82 at the start', arm: 'baseline' },
      ],
      points: [],
    };
  }
  if (metric === 'mae' && scope === 'overall') {
    return {
      bands: [],
      points: [
        { x: 20, y: f.maeOverallSslAt20, label: 'paper: SSL 0.26 at 20 labels', arm: 'ssl' },
        { x: 20, y: (f.maeOverallBaselineAt20[0] + f.maeOverallBaselineAt20[1]) / 2, yLow: f.maeOverallBaselineAt20[0], yHigh: f.maeOverallBaselineAt20[1], label: 'paper: baseline ≈ 0.29–0.30 at 20 labels', arm: 'baseline' },
      ],
    };
  }
  if (metric === 'acc4' && (scope === 'surprise' || scope === 'fear')) {
    return { bands: [{ yMin: f.acc4SurpriseFear - 0.005, yMax: f.acc4SurpriseFear + 0.005, label: 'paper: ≈ 0.90, no SSL gain', arm: null }], points: [] };
  }
  if (metric === 'mae' && (scope === 'surprise' || scope === 'fear')) {
    return { bands: [{ yMin: f.maeSurpriseFear[0], yMax: f.maeSurpriseFear[1], label: 'paper: ≈ 0.12–0.16', arm: null }], points: [] };
  }
  if (metric === 'mae' && (scope === 'happiness' || scope === 'sadness' || scope === 'anger')) {
    return { bands: [{ yMin: f.maeHappinessSadnessAnger[0], yMax: f.maeHappinessSadnessAnger[1], label: 'paper: up to 0.4–0.5', arm: null }], points: [] };
  }
  return null;
}
