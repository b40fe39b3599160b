import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfig } from '@shared/api/entities';
import { computeAllMetrics } from '@shared/metrics';
import { emotionRows, metricRecords } from '@shared/metrics/records';
import { PREDICTIONS_CSV_HEADER } from '@shared/export/predictionsCsv';
import { experimentPlan } from '@shared/experiments/presets';
import { DatasetService } from '../data/datasetService';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { RunRepository } from '../store/runs';
import { SplitRepository } from '../store/splits';
import { parseCsv } from '@shared/csv';

/** `npm run predictions` writes a run's stored predictions; `npm run metrics` reads them back and scores them as the run was. */

const ROOT = resolve(import.meta.dirname, '..', '..');
let dir: string;
let dataDir: string;
let runId: number;
let pretrainId: number;
const split: TrainConfig['split'] = { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0.25 };

function cli(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', `src-main/cli/${script}.ts`, ...args], { cwd: ROOT, env: { ...process.env, INIT_CWD: dir }, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wb-predictions-cli-'));
  dataDir = join(dir, 'data');
  const db = openDatabase(dataDir);
  const datasets = new DatasetService(dataDir, new DatasetRepository(db), new SplitRepository(db));
  await datasets.ensureSynthetic('tiny', 'Tiny synthetic', { seed: 3, segments: 40, segmentsPerVideo: 4, minFrames: 20, maxFrames: 30 });
  const runs = new RunRepository(db);
  const stored = datasets.split('tiny', split);
  const config = { ...experimentPlan('quick').supervised, split, labels: { count: 10, seed: 0 } };
  runId = runs.create({ name: 'baseline, 10 labels', kind: 'baseline', datasetId: 'tiny', config, splitId: stored.id }).id;
  pretrainId = runs.create({ name: 'pre-training', kind: 'pretrain', datasetId: 'tiny', config: experimentPlan('quick').pretrain, splitId: null }).id;
  // What the training process reports for a finished baseline: float32 predictions per split, scored as stored.
  const labels = datasets.emotionLabels('tiny');
  for (const side of ['validation', 'test'] as const) {
    const indices = stored.assignment[side]!;
    const values = Float32Array.from({ length: indices.length * 6 }, (_, k) => ((k * 0.37) % 3.3) - 0.15);
    runs.recordMetrics(runId, metricRecords(indices.map((i) => labels[i]), emotionRows(values)), side);
    runs.recordPredictions(runId, side, indices, values);
  }
  runs.finish(runId, 'done');
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run predictions, read back by npm run metrics', () => {
  it('writes one row per segment and split, and scores each split exactly as the run was scored', async () => {
    const written = await cli('predictions', ['--run', String(runId), '--out', 'out.csv', '--data-dir', dataDir]);
    expect(written.stderr).toBe('');
    expect(written.code).toBe(0);
    expect(written.stdout).toContain(`Saved the predictions of run #${runId} to ${join(dir, 'out.csv')}`);
    const rows = parseCsv(readFileSync(join(dir, 'out.csv'), 'utf8'), { strict: true });
    expect(rows[0]).toEqual([...PREDICTIONS_CSV_HEADER]);
    expect(rows[0].slice(0, 4)).toEqual(['segment_id', 'split', 'label_happiness', 'label_sadness']);
    expect(rows.slice(1).filter((r) => r[1] === 'validation')).toHaveLength(8);
    expect(rows.slice(1).filter((r) => r[1] === 'test')).toHaveLength(10);
    expect(rows[1][0]).toMatch(/^synthetic_\d{4}\[\d\]$/);

    const db = openDatabase(dataDir);
    const runs = new RunRepository(db);
    const detail = runs.detail(runId);
    const stored = runs.predictionsOf(runId);
    db.close();
    for (const side of ['validation', 'test'] as const) {
      const scored = await cli('metrics', [join(dir, 'out.csv'), '--split', side]);
      expect(scored.stderr).toBe('');
      const metrics = JSON.parse(scored.stdout);
      const recorded = side === 'validation' ? detail.metrics : detail.testMetrics;
      const value = (scope: string, name: string) => recorded.find((m) => m.scope === scope && m.name === name)!.value;
      // Exactly the store's numbers: the CSV carries the float32 predictions in full.
      expect(metrics.mae_overall).toBe(value('overall', 'mae'));
      expect(metrics.acc4_overall).toBe(value('overall', 'acc4'));
      expect(metrics.per_emotion.f1_weighted[5]).toBe(value('fear', 'f1Weighted'));
      const predictions = stored.find((p) => p.split === side)!;
      expect(metrics.acc4_per_emotion).toEqual(computeAllMetrics(rows.slice(1).filter((r) => r[1] === side).map((r) => r.slice(2, 8).map(Number)), emotionRows(predictions.values)).acc4_per_emotion);
    }
  });

  it('says which split to choose for a file of two, and what is wrong with a damaged one, naming the line', async () => {
    await cli('predictions', ['--run', String(runId), '--out', '.', '--data-dir', dataDir]);
    const file = join(dir, `run-${runId}-baseline-10-labels-predictions.csv`);
    const both = await cli('metrics', [file]);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe(`metrics: ${file} holds the validation and test splits; choose one with --split validation|test\n`);
    const lines = readFileSync(file, 'utf8').split('\r\n');
    lines[3] = lines[3].replace(/,[^,]*$/, ',high');
    writeFileSync(join(dir, 'damaged.csv'), lines.join('\n'));
    const damaged = await cli('metrics', [join(dir, 'damaged.csv'), '--split', 'validation']);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toBe(`metrics: ${join(dir, 'damaged.csv')}, line 4: "pred_fear" is "high", not a finite number\n`);
    expect((await cli('metrics', [file, '--split', 'train'])).stderr).toMatch(/--split must be validation or test, not "train"\./);
  });

  it('refuses a run without predictions, saying why', async () => {
    const result = await cli('predictions', ['--run', String(pretrainId), '--out', 'x.csv', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Run #${pretrainId} "pre-training" has no stored predictions: it is a pre-training run, which predicts no emotion.\n`);
    expect((await cli('predictions', ['--run', '999', '--out', 'x.csv', '--data-dir', dataDir])).stderr).toBe('Run 999 does not exist.\n');
  });
});
