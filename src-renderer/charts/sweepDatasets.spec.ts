import { describe, expect, it } from 'vitest';
import { sweepPanel } from '@shared/figures/sweepSeries';
import { armPoints, referenceArms } from '../../test/builders/resultsFixtures';
import { PRINT_COLOURS, seriesIndices, sweepDatasets } from './sweepDatasets';

const counts = [20, 50, 200];

describe('the datasets of a sweep chart', () => {
  it('give each series two band edges and a mean, then the reference lines, with a role per index', () => {
    const panel = sweepPanel({ title: 't', ssl: armPoints(counts, 0.05), baseline: armPoints(counts, 0), metric: 'acc4', scope: 'overall', references: referenceArms(counts) });
    const { datasets, roles } = sweepDatasets(panel, false, PRINT_COLOURS);
    expect(roles.map((r) => r.kind)).toEqual(['band', 'band', 'mean', 'band', 'band', 'mean', 'reference', 'reference']);
    expect(datasets).toHaveLength(roles.length);
    expect(seriesIndices(roles, 1)).toEqual([3, 4, 5]);
    expect(datasets[2].borderColor).toBe('#2f6fdf');
  });

  it('draw an ablation\'s values in one colour each beside the one shared baseline, dashed', () => {
    const variants = [5, 15, 30].map((span) => ({ key: `{"s":${span}}`, label: `span = ${span}`, ssl: armPoints(counts, 0.05), baselineKey: '{}', baselineLabel: 'all runs', baseline: armPoints(counts, 0), references: null }));
    const panel = sweepPanel({ title: 't', ssl: [], baseline: [], variants, metric: 'acc4', scope: 'overall' });
    expect(panel.series.map((s) => s.label)).toEqual(['SSL, span = 5', 'SSL, span = 15', 'SSL, span = 30', 'Baseline (shared by every value)']);
    expect(new Set(panel.series.map((s) => s.colour)).size).toBe(4);
    const { datasets, roles } = sweepDatasets(panel, false, PRINT_COLOURS);
    const means = roles.flatMap((r, i) => (r.kind === 'mean' ? [datasets[i]] : []));
    expect(means.map((d) => d.borderDash)).toEqual([undefined, undefined, undefined, [6, 3]]);
  });
});
