import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkbenchError } from '@shared/api/contract';
import type { MetricRecord } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { experimentPlan, supervisedConfig } from '@shared/experiments/presets';
import { TABLE1_CSV_HEADER } from '@shared/export/table1Writers';
import { EventSink } from '../platform/events';
import { WORKBENCH_VERSION } from '../platform/version';
import { DatasetService } from '../data/datasetService';
import { ExperimentService } from '../experiments/experimentService';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { ExperimentRepository } from '../store/experiments';
import { RunRepository } from '../store/runs';
import { SplitRepository } from '../store/splits';
import { TrainingService } from '../training/trainingService';
import { packageVersion } from './softwareVersions';
import { Table1Service } from './table1Service';

const HOSTILE_NAME = 'a|b "q",\n =1+1 <script>';
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** F1 of a run: depends on the definition, the emotion and the repeat, so means and sds are known. */
const f1Value = (name: string, emotion: number, repeat: number) => 0.4 + (name === 'f1Binary' ? 0.1 : 0) + emotion / 100 + repeat / 50;

/**
 * A data directory with an experiment whose runs finished: 2 repeats at 2 and 4 labels, SSL and
 * baseline, with every per-emotion F1 recorded (what the trainer stores), trained on "cpu".
 */
async function store(dir: string) {
  const db = openDatabase(dir);
  const runs = new RunRepository(db);
  const datasets = new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db));
  await datasets.ensureBuiltin({ seed: 1, segments: 30, segmentsPerVideo: 5, minFrames: 20, maxFrames: 30 });
  const events = new EventSink();
  const training = new TrainingService(runs, () => {
    throw new Error('no training in this test');
  }, events, dir, datasets, 1);
  const experiments = new ExperimentService(new ExperimentRepository(db), runs, training, datasets, events);
  const plan = experimentPlan('quick', [2, 4], 2);
  const experiment = new ExperimentRepository(db).create(HOSTILE_NAME, 'builtin-small', 'quick', plan);
  const finish = (kind: 'pretrain' | 'finetune' | 'baseline', labelCount: number, repeat: number | null, metrics: MetricRecord[]) => {
    const config = kind === 'pretrain' ? plan.pretrain : supervisedConfig(plan, labelCount, repeat!);
    const run = runs.create({ name: `${kind} ${labelCount} ${repeat}`, kind, datasetId: 'builtin-small', config, splitId: null, experiment: { id: experiment.id, repeat } });
    runs.markRunning(run.id, 'cpu', 'test backend');
    runs.recordMetrics(run.id, metrics);
    runs.finish(run.id, 'done');
    return run.id;
  };
  const pretrain = finish('pretrain', 0, null, []);
  new ExperimentRepository(db).setPretrainRun(experiment.id, pretrain);
  const f1Metrics = (repeat: number, offset: number): MetricRecord[] =>
    EMOTIONS.flatMap((scope, e) => ['f1Weighted', 'f1Binary', 'f1FourClassMacro', 'f1FourClassMicro', 'acc4', 'mae'].map((name) => ({ scope, name, value: f1Value(name, e, repeat) + offset })));
  const overall = (v: number): MetricRecord[] => [{ scope: 'overall', name: 'acc4', value: v }, { scope: 'overall', name: 'mae', value: 1 - v }];
  for (const labelCount of [2, 4]) {
    for (const repeat of [0, 1]) {
      finish('finetune', labelCount, repeat, [...overall(0.8 + repeat / 100), ...f1Metrics(repeat, labelCount === 4 ? 0 : -0.2)]);
      finish('baseline', labelCount, repeat, [...overall(0.7 + repeat / 100), ...f1Metrics(repeat, -0.3)]);
    }
  }
  new ExperimentRepository(db).finish(experiment.id, 'done');
  const service = new Table1Service({ db, experiments, runs, datasets, training, dataDir: dir });
  return { db, service, experimentId: experiment.id, datasets, close: () => db.close() };
}

describe('Table1Service', () => {
  it('builds Table 1 from the SSL runs at the largest label count, per F1 definition', async () => {
    const s = await store(tempDir('wb-t1-'));
    const table = s.service.table1(s.experimentId, 'f1Weighted');
    expect(table.labelCount).toBe(4);
    expect(table.experimentName).toBe(HOSTILE_NAME);
    expect(table.runIds).toHaveLength(2);
    const happiness = table.rows[0].cells[0]!;
    expect(happiness.mean).toBeCloseTo((f1Value('f1Weighted', 0, 0) + f1Value('f1Weighted', 0, 1)) / 2, 12);
    expect(happiness.sd).toBeCloseTo(Math.SQRT1_2 * (1 / 50), 12);
    expect(happiness.n).toBe(2);
    expect(s.service.table1(s.experimentId, 'f1Binary').rows[0].cells[0]!.mean).toBeCloseTo(happiness.mean + 0.1, 12);
    expect(table.notes.join('\n')).toMatch(/synthetic, not CMU-MOSEI/);
    s.close();
  });

  it('writes each format where the user chose, the same bytes as the browser download', async () => {
    const dir = tempDir('wb-t1-');
    const s = await store(dir);
    const out = join(dir, 'exports');
    mkdirSync(out);
    for (const format of ['md', 'csv', 'tex', 'html'] as const) {
      const download = await s.service.exportTable1(s.experimentId, 'f1Weighted', format, undefined);
      expect(download.path).toBeNull();
      expect(download.fileName).toBe(`table1-experiment-${s.experimentId}-a-b-q-1-1-script.${format}`);
      const saved = await s.service.exportTable1(s.experimentId, 'f1Weighted', format, join(out, download.fileName));
      expect(saved).toMatchObject({ path: join(out, download.fileName), content: null });
      expect(readFileSync(saved.path!, 'utf8')).toBe(download.content);
    }
    expect(readdirSync(out)).toHaveLength(4);
    s.close();
  });

  it('puts the store’s means in the CSV and the reproduction details in the HTML report', async () => {
    const s = await store(tempDir('wb-t1-'));
    const csv = (await s.service.exportTable1(s.experimentId, 'f1FourClassMacro', 'csv', undefined)).content!;
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(TABLE1_CSV_HEADER.join(','));
    const table = s.service.table1(s.experimentId, 'f1FourClassMacro');
    const fear = lines.find((l) => l.includes(',runs,4,fear,'))!;
    const cell = table.rows[0].cells[5]!;
    expect(fear.split(',').slice(-7)).toEqual([cell.mean.toFixed(6), cell.sd!.toFixed(6), cell.ci95!.lower.toFixed(6), cell.ci95!.upper.toFixed(6), '2', 'validation', '']);

    const html = (await s.service.exportTable1(s.experimentId, 'f1Weighted', 'html', undefined)).content!;
    const dataset = s.datasets.get('builtin-small');
    expect(html).toContain(dataset.fingerprint);
    expect(html).toContain(`<dt>MOSEI SSL Workbench</dt><dd>${WORKBENCH_VERSION}</dd>`);
    expect(html).toContain(`<dt>better-sqlite3</dt><dd>${packageVersion('better-sqlite3')}</dd>`);
    expect(packageVersion('better-sqlite3')).toMatch(/^12\./);
    expect(html).toContain(`<dt>TensorFlow.js</dt><dd>${packageVersion('@tensorflow/tfjs')}</dd>`);
    expect(html).toContain(`<dt>Node.js</dt><dd>${process.versions.node}</dd>`);
    expect(html).toContain('cpu (9 runs: test backend)');
    expect(html).toContain('&quot;labelCounts&quot;');
    expect(html.match(/<svg /g)).toHaveLength(4);
    // What the results support, as the experiment command and the Experiments view say it.
    expect(html).toMatch(/<h2>What the results support<\/h2>\n<ul id="conclusions"><li>[^<]+<\/li>/);
    expect(html).not.toMatch(/<script/i);
    s.close();
  });

  it('says what is wrong: an unknown experiment, a folder that does not exist', async () => {
    const dir = tempDir('wb-t1-');
    const s = await store(dir);
    expect(() => s.service.table1(999, 'f1Weighted')).toThrow(WorkbenchError);
    await expect(s.service.exportTable1(999, 'f1Weighted', 'md', undefined)).rejects.toThrow(/Experiment 999 does not exist/);
    await expect(s.service.exportTable1(s.experimentId, 'f1Weighted', 'md', join(dir, 'missing', 't.md'))).rejects.toThrow(/does not exist/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    s.close();
  });
});

describe('npm run export', () => {
  const tsx = resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
  const cli = resolve(import.meta.dirname, '../cli/export.ts');
  const run = (args: string[]) =>
    promisify(execFile)(tsx, [cli, ...args], { cwd: resolve(import.meta.dirname, '../..') }).then(
      (r) => ({ code: 0, ...r }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );

  it('writes the file the app would, and fails clearly with a non-zero code', async () => {
    const dir = tempDir('wb-t1-cli-');
    const s = await store(dir);
    const expected = (await s.service.exportTable1(s.experimentId, 'f1Binary', 'csv', undefined)).content;
    s.close();
    const out = tempDir('wb-t1-out-');
    const [ok, unknown, badFormat, noDir] = await Promise.all([
      run(['--experiment', '1', '--format', 'csv', '--f1', 'f1Binary', '--out', out, '--data-dir', dir]),
      run(['--experiment', '7', '--format', 'md', '--out', out, '--data-dir', dir]),
      run(['--experiment', '1', '--format', 'pdf', '--out', out, '--data-dir', dir]),
      run(['--experiment', '1', '--format', 'md', '--out', out, '--data-dir', join(dir, 'nope')]),
    ]);
    expect(ok.code).toBe(0);
    const [file] = readdirSync(out);
    expect(file).toBe('table1-experiment-1-a-b-q-1-1-script-f1-binary.csv');
    expect(readFileSync(join(out, file), 'utf8')).toBe(expected);
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toMatch(/Experiment 7 does not exist .*\n\s+#1 /);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/--format must be one of md, csv, tex, html, not "pdf"[\s\S]*Usage: npm run export/);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toMatch(/does not exist. Pass --data-dir/);
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });
});
