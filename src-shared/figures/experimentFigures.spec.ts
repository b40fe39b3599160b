import { describe, expect, it } from 'vitest';
import { experimentResults, experimentSummary, referenceArms } from '../../test/builders/resultsFixtures';
import { planShape } from '../experiments/ablationPlan';
import { variantResults } from '../experiments/ablationResults';
import { experimentPlan } from '../experiments/presets';
import { emotionsRange, experimentFigureSvgs, FIGURES, figureCaption, figureFileName, figurePanels, figureSvg } from './experimentFigures';
import { literatureOverlay } from './literature';

describe('Figures 4–7 from experiment results', () => {
  const results = experimentResults(3, [20, 50, 200]);

  it('draws overall acc4 and MAE as single panels, and six emotion panels for 6 and 7', () => {
    expect(FIGURES.map((f) => [f.n, f.metric, f.perEmotion])).toEqual([[4, 'acc4', false], [5, 'mae', false], [6, 'acc4', true], [7, 'mae', true]]);
    expect(figurePanels(results, FIGURES[0])).toHaveLength(1);
    const emotions = figurePanels(results, FIGURES[3]);
    expect(emotions.map((p) => p.title)).toEqual(['Happiness', 'Sadness', 'Anger', 'Surprise', 'Disgust', 'Fear']);
    expect(emotions.every((p) => p.xCounts.join() === '20,50,200')).toBe(true);
  });

  it('writes four standalone SVG documents with the figure number, caption and one point per arm and label count', () => {
    const svgs = experimentFigureSvgs(results);
    expect(svgs.map((s) => s.n)).toEqual([4, 5, 6, 7]);
    expect(svgs[0].svg).toContain('Figure 4 · 4-class accuracy, overall');
    expect(svgs[0].caption).toBe(figureCaption(FIGURES[0], results.experiment));
    expect(svgs[0].svg.match(/class="point"/g)).toHaveLength(6);
    expect(svgs[2].svg.match(/class="point"/g)).toHaveLength(6 * 6);
  });

  it('shares one y range across the emotions when asked, and draws the paper overlay when given', () => {
    const ranges = figurePanels(results, FIGURES[2], { sharedY: true }).map((p) => JSON.stringify(p.y));
    expect(new Set(ranges).size).toBe(1);
    expect(figureSvg(results, FIGURES[0])).not.toContain('paper-band');
    expect(figureSvg(results, FIGURES[0], { overlay: literatureOverlay })).toContain('paper-band');
  });

  it('draws ±1 sd bands by default, as the paper, and 95% CI bands when asked, saying which in caption and legend', () => {
    expect(figureCaption(FIGURES[0], results.experiment)).toMatch(/mean over 2 repeats; band: ±1 sd; dashed grey: predictors without audio$/);
    expect(figureCaption(FIGURES[0], results.experiment, 'ci95')).toMatch(/mean over 2 repeats; band: 95% CI of the mean \(t, n − 1 df\); dashed grey/);
    const [sd] = figurePanels(results, FIGURES[0]);
    const [ci] = figurePanels(results, FIGURES[0], { band: 'ci95' });
    expect(sd.band).toBe('sd');
    expect(ci.band).toBe('ci95');
    const ssl20 = (p: typeof sd) => p.series[0].points[0];
    expect(ssl20(ci).upper - ssl20(ci).lower).toBeGreaterThan(ssl20(sd).upper - ssl20(sd).lower);
    const svgs = experimentFigureSvgs(results, { band: 'ci95' });
    expect(svgs[0].caption).toContain('95% CI');
    expect(svgs[0].svg).toContain('(mean, 95% CI)');
    expect(svgs[2].svg).toContain('(mean, 95% CI)');
    expect(experimentFigureSvgs(results)[0].svg).toContain('(mean ± 1 sd)');
  });

  it('say which split they show', () => {
    expect(figureCaption(FIGURES[0], results.experiment)).toContain(' · validation split · ');
    const onTest = { ...results, split: 'test' as const };
    expect(experimentFigureSvgs(onTest)[1].caption).toContain(' · test split · ');
    expect(figureSvg(onTest, FIGURES[1])).toContain(' · test split · ');
  });

  it('draw both reference predictors as dashed lines in every panel, named in the legend', () => {
    for (const fig of FIGURES) {
      const svg = figureSvg(results, fig);
      const panels = fig.perEmotion ? 6 : 1;
      expect(svg.match(/<polyline class="reference-line" data-predictor="labelMean"/g)).toHaveLength(panels);
      expect(svg.match(/<polyline class="reference-line" data-predictor="majorityClass"/g)).toHaveLength(panels);
      expect(svg).toContain('Label mean (no audio)</text>');
      expect(svg).toContain('Majority class (no audio)</text>');
    }
    // The panel's y range reaches down to them (fixture: acc4 0.6 and 0.55, well under both arms).
    const [panel] = figurePanels(results, FIGURES[0]);
    expect(panel.y!.min).toBeLessThanOrEqual(0.55);
  });

  it('mark a point whose runs predict degenerately, in its panels only', () => {
    const flagged = experimentResults(3, [20, 50, 200]);
    flagged.baseline[1].flagged = [{ runId: 511, emotions: ['fear'] }];
    const overall = figureSvg(flagged, FIGURES[0]);
    expect(overall.match(/class="point flagged"/g)).toHaveLength(1);
    expect(overall.match(/class="flag-ring"/g)).toHaveLength(1);
    expect(overall).toContain('⚑ degenerate predictions in 1 of 3 runs (#511: fear)');
    expect(overall).toContain('⚑ degenerate predictions</text>');
    // Figure 6: only the fear panel's point.
    const perEmotion = figureSvg(flagged, FIGURES[2]);
    expect(perEmotion.match(/class="point flagged"/g)).toHaveLength(1);
    expect(figureSvg(results, FIGURES[0])).not.toContain('flagged');
  });

  it('share one y range that covers each emotion\'s own, for a plain experiment and an ablation alike', () => {
    const r = experimentResults(1, [20, 200]);
    const shared = emotionsRange(r, 'mae')!;
    for (const own of figurePanels(r, FIGURES[3]).map((p) => p.y!)) {
      expect(shared.min).toBeLessThanOrEqual(own.min);
      expect(shared.max).toBeGreaterThanOrEqual(own.max);
    }
  });

  it('draw an ablation\'s reference lines once when every baseline arm has the same, else each arm\'s own, named by it', () => {
    const ablation = (field: string, values: Array<string | number>, referencesOf: (baselineKey: string) => ReturnType<typeof referenceArms>) => {
      const factors = [{ field, values }];
      const shape = planShape({ ...experimentPlan('quick', [20, 50], 3), factors });
      const variants = variantResults({ variants: shape.variants, runs: [], pretrainRunOf: () => null, referencesOf: (v) => referencesOf(v.baselineKey) });
      return { ...experimentResults(3, [20, 50]), experiment: experimentSummary(3, { labelCounts: [20, 50], repeats: 3, factors }), ssl: [], baseline: [], factors, ...variants };
    };
    // A masking factor: one baseline arm, one set of lines.
    const masking = figurePanels(ablation('mask.spanLength', [5, 15], () => referenceArms([20, 50])), FIGURES[0])[0];
    expect(masking.references.map((r) => r.label)).toEqual(['Label mean (no audio)', 'Majority class (no audio)']);
    // A split factor: each value is evaluated on its own segments, so each arm has its own references.
    const shifted = (baselineKey: string) => {
      const r = referenceArms([20, 50]);
      if (baselineKey.includes('by-video')) for (const p of r.labelMean) p.metrics.acc4.overall.mean = 0.3;
      return r;
    };
    const bySplit = ablation('split.kind', ['random-segment', 'by-video'], shifted);
    const [panel] = figurePanels(bySplit, FIGURES[0]);
    expect(panel.references.map((r) => r.label)).toEqual([
      'Label mean (no audio), split = random-segment',
      'Majority class (no audio), split = random-segment',
      'Label mean (no audio), split = by-video',
      'Majority class (no audio), split = by-video',
    ]);
    expect(panel.references[2].points[0].mean).toBe(0.3);
    expect(panel.y!.min).toBeLessThanOrEqual(0.3);
    // The legend names each predictor once, in its own words.
    const svg = figureSvg(bySplit, FIGURES[0]);
    expect(svg.match(/<polyline class="reference-line"/g)).toHaveLength(4);
    expect(svg.match(/class="legend-reference"/g)).toHaveLength(2);
  });

  it('names figure files plainly', () => {
    expect(figureFileName(3, FIGURES[1], 'svg')).toBe('experiment-3-figure-5-mae-overall.svg');
  });
});
