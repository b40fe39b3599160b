import { describe, expect, it } from 'vitest';
import type { ExperimentResults, RunDetail } from '@shared/api/entities';
import { groupRuns } from '@shared/history/compare';
import { experimentCurves, groupCurves, runCurves } from './curves';

const point = (labelCount: number, mean: number, sd: number | null) => ({ labelCount, runIds: [1], metrics: { acc4: { overall: { mean, sd, n: sd === null ? 1 : 2 } } } });
const results = (ssl: Array<[number, number, number | null]>, baseline: Array<[number, number, number | null]>) =>
  ({ ssl: ssl.map(([x, m, s]) => point(x, m, s)), baseline: baseline.map(([x, m, s]) => point(x, m, s)) }) as unknown as ExperimentResults;

describe('chart curves', () => {
  it('draws each run training solid and validation dashed in one colour', () => {
    const run = { id: 4, epochs: [{ epoch: 1, loss: 2, valLoss: 3, seconds: 1 }, { epoch: 2, loss: 1, valLoss: null, seconds: 1 }] } as RunDetail;
    const [training, validation] = runCurves([run]);
    expect(training).toMatchObject({ label: '#4 training', points: [{ x: 1, y: 2 }, { x: 2, y: 1 }] });
    expect(validation).toMatchObject({ label: '#4 validation', dashed: true, colour: training!.colour, points: [{ x: 1, y: 3 }] });
    expect(runCurves([{ ...run, epochs: run.epochs.map((e) => ({ ...e, valLoss: null })) }])).toHaveLength(1);
  });

  it('bands a group mean by ±1 sd, and draws no band for single runs', () => {
    const run = (id: number, seed: number, losses: number[]) => ({ id, seed, config: { seed }, metrics: [], epochs: losses.map((loss, i) => ({ epoch: i + 1, loss, valLoss: null, seconds: 1 })) }) as unknown as RunDetail;
    const [pair, single] = groupRuns([run(1, 1, [1, 3]), run(2, 1, [3, 5]), run(3, 2, [4])], 'config.seed');
    const [c] = groupCurves([pair!], 'seed');
    expect(c).toMatchObject({ label: 'seed = 1 (n=2) training', points: [{ x: 1, y: 2 }, { x: 2, y: 4 }] });
    const sd = Math.SQRT2;
    expect(c!.band).toEqual([{ x: 1, low: 2 - sd, high: 2 + sd }, { x: 2, low: 4 - sd, high: 4 + sd }]);
    expect(groupCurves([single!], 'seed')[0]!.band).toBeUndefined();
  });

  it('puts experiments side by side against the label count, SSL solid and baseline dashed', () => {
    const curves = experimentCurves(
      [
        { label: '#1', results: results([[20, 0.8, 0.01], [200, 0.85, 0.02]], [[20, 0.7, null]]) },
        { label: '#2', results: results([[20, 0.75, null]], []) },
      ],
      'acc4',
      'overall',
    );
    expect(curves.map((c) => [c.label, c.dashed])).toEqual([['#1 SSL', false], ['#1 baseline', true], ['#2 SSL', false], ['#2 baseline', true]]);
    expect(curves[0]!.points).toEqual([{ x: 20, y: 0.8 }, { x: 200, y: 0.85 }]);
    expect(curves[0]!.band![1]).toEqual({ x: 200, low: 0.83, high: 0.87 });
    expect(curves[1]!.band).toBeUndefined();
    expect(curves[3]!.points).toEqual([]);
    expect(curves[0]!.colour).not.toBe(curves[2]!.colour);
    expect(experimentCurves([{ label: '#1', results: results([[20, 0.8, 0.01]], []) }], 'mae', 'fear')[0]!.points).toEqual([]);
  });

  it('gives each run one legend entry for both its lines, and past ten runs new line patterns instead of repeated colours', () => {
    const runs = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, epochs: [{ epoch: 1, loss: 1, valLoss: 2, seconds: 1 }] }) as RunDetail);
    const curves = runCurves(runs);
    expect(new Set(curves.map((c) => c.group))).toEqual(new Set(runs.map((r) => `#${r.id}`)));
    const style = (c: (typeof curves)[number]) => `${c.colour} ${JSON.stringify(c.dash)}`;
    expect(new Set(curves.map(style)).size).toBe(curves.length);
    expect(curves[0]!.colour).toBe(curves[20]!.colour);
    expect(curves[0]!.dash).not.toEqual(curves[20]!.dash);
  });
});
