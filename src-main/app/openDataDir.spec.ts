import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrainConfig } from '@shared/api/entities';
import { openHeadless } from '../cli/headless';
import { importMoseiCsd } from '../data/csd/importCsd';
import { DatasetService } from '../data/datasetService';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { RunRepository } from '../store/runs';
import { SplitRepository } from '../store/splits';
import { fixture } from '../../test/fixturePaths';
import { openDataDir } from './openDataDir';
import type { ProcessChannel } from '../platform/workerProcesses';
import { createWorkbench } from './workbench';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-reconcile-'));
  dirs.push(dir);
  return dir;
};

/** A pid no process has any more: a child that has already exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;
/** A pid that is alive and is not this process: the test runner that started it. */
const livePid = process.ppid;

const TINY = { seed: 5, segments: 12, segmentsPerVideo: 4, minFrames: 10, maxFrames: 20 };
const config: TrainConfig = {
  epochs: 1, batchSize: 4, learningRate: 0.001, seed: 0, mask: null,
  model: { hiddenUnits: 2, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' },
  labels: { count: 4, seed: 0 },
  sequence: { maxFrames: 10, keep: 'first', poolFrames: 1, padding: 'right' },
  split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null,
};

/** A data directory with a store, a small built-in dataset (so entry points need not generate one) and one run. */
async function dataDirWithRun(): Promise<{ dir: string; runId: number }> {
  const dir = tempDir();
  const db = openDatabase(dir);
  const datasets = new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db));
  await datasets.ensureBuiltin(TINY);
  const split = datasets.split('builtin-small', config.split);
  const run = new RunRepository(db).create({ name: 'kept', kind: 'baseline', datasetId: 'builtin-small', config, splitId: split.id });
  db.prepare(`UPDATE runs SET status = 'done' WHERE id = ?`).run(run.id);
  db.close();
  mkdirSync(join(dir, 'runs', String(run.id)), { recursive: true });
  return { dir, runId: run.id };
}

/** What crashes leave: a partial import, a dataset folder never recorded, a run folder whose run is gone, a bundle import's staging folder, a dead workbench's uploads. */
function leaveCrashDebris(dir: string): string[] {
  const dead = deadPid();
  const debris = [`datasets/mosei-x.partial-${dead}`, 'datasets/mosei-y', 'runs/77', 'runs/77.old', `runs/.import-${dead}-abc`, `uploads/${dead}`];
  for (const path of debris) mkdirSync(join(dir, path, 'inner'), { recursive: true });
  writeFileSync(join(dir, 'datasets/mosei-y/recorder.pid'), String(dead));
  return debris;
}

const present = (dir: string, paths: string[]) => paths.filter((p) => existsSync(join(dir, p)));

describe('opening a data directory', () => {
  it('removes the dataset folder a kill left between the import renaming it into place and recording it', async () => {
    const dir = tempDir();
    openDatabase(dir).close();
    // The import process's own code path, run to the rename; its main process (the recorder) is then gone.
    const imported = await importMoseiCsd({ covarepPath: fixture('mosei-mini/CMU_MOSEI_COVAREP.csd'), labelsPath: fixture('mosei-mini/CMU_MOSEI_Labels.csd'), dataDir: dir, datasetId: 'mosei-killed', recorderPid: deadPid() });
    expect(imported.written.segments).toBe(17);
    expect(readdirSync(join(dir, 'datasets'))).toEqual(['mosei-killed']);
    const logged: string[] = [];
    const opened = openDataDir(dir, (line) => logged.push(line));
    opened.db.close();
    expect(readdirSync(join(dir, 'datasets'))).toEqual([]);
    expect(logged).toEqual([
      `Removed datasets/mosei-killed from ${dir}: the store has no dataset "mosei-killed": the process that wrote it stopped before recording it. Import or generate it again if you need it.`,
    ]);
  });

  it('removes every folder without a row, one line each, and keeps what the store knows', async () => {
    const { dir, runId } = await dataDirWithRun();
    const debris = leaveCrashDebris(dir);
    const logged: string[] = [];
    openDataDir(dir, (line) => logged.push(line)).db.close();
    expect(present(dir, debris)).toEqual([]);
    expect(logged).toHaveLength(debris.length);
    expect(logged.find((l) => l.includes('runs/77 '))).toMatch(/the store has no run 77/);
    expect(logged.find((l) => l.includes('.partial-'))).toMatch(/import or generation of dataset "mosei-x" \(process \d+\) stopped before it finished/);
    expect(logged.find((l) => l.includes('.import-'))).toMatch(/a run bundle import \(process \d+\) stopped before it finished/);
    expect(logged.find((l) => l.includes('uploads/'))).toMatch(/files uploaded to a browser-mode workbench \(process \d+\) that is no longer running/);
    expect(present(dir, ['datasets/builtin-small', `runs/${runId}`])).toHaveLength(2);
  });

  it('leaves alone what another live workbench or command is writing or recording right now', async () => {
    const { dir } = await dataDirWithRun();
    const live = [`datasets/mosei-z.partial-${livePid}`, 'datasets/mosei-w', `runs/.import-${livePid}-def`, `uploads/${livePid}`];
    for (const path of live) mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, 'datasets/mosei-w/recorder.pid'), String(livePid));
    // This process's own pid is one an earlier, dead process had: it is not writing anything yet.
    const ownStale = [`datasets/mosei-v.partial-${process.pid}`];
    mkdirSync(join(dir, ownStale[0]), { recursive: true });
    const logged: string[] = [];
    openDataDir(dir, (line) => logged.push(line)).db.close();
    expect(present(dir, live)).toEqual(live);
    expect(present(dir, ownStale)).toEqual([]);
    expect(logged).toHaveLength(1);
  });

  it('is done by the app and browser mode (createWorkbench) and the commands\' shared services (openHeadless)', async () => {
    const silent = (): ProcessChannel => ({ send: () => undefined, onMessage: () => undefined, onExit: () => undefined, kill: () => undefined });
    const app = await dataDirWithRun();
    const debris = leaveCrashDebris(app.dir);
    const wb = await createWorkbench({ dataDir: app.dir, mode: 'browser', spawnProcess: silent });
    wb.close();
    expect(present(app.dir, debris)).toEqual([]);
    const cli = await dataDirWithRun();
    const cliDebris = leaveCrashDebris(cli.dir);
    const headless = await openHeadless(cli.dir);
    headless.close();
    expect(present(cli.dir, cliDebris)).toEqual([]);
  });
});

describe('every command reconciles the data directory it opens', () => {
  const root = resolve(import.meta.dirname, '../..');
  const tsx = resolve(root, 'node_modules/.bin/tsx');
  const run = (cli: string, args: string[]) =>
    promisify(execFile)(tsx, [resolve(root, 'src-main/cli', cli), ...args], { cwd: root }).then(
      (r) => ({ code: 0, ...r }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );
  // Each ends early (an unknown dataset, run or experiment, a missing file) but only after opening the data directory.
  const commands: Array<[string, (dir: string) => string[]]> = [
    ['import.ts', (dir) => ['--covarep', join(dir, 'missing.csd'), '--labels', join(dir, 'missing2.csd'), '--data-dir', dir]],
    ['synthetic.ts', (dir) => ['--segments', '3', '--data-dir', dir]],
    ['train.ts', (dir) => ['--kind', 'baseline', '--dataset', 'nonsense', '--data-dir', dir]],
    ['experiment.ts', (dir) => ['--preset', 'quick', '--dataset', 'nonsense', '--data-dir', dir]],
    ['export.ts', (dir) => ['--experiment', '9', '--format', 'md', '--out', dir, '--data-dir', dir]],
    ['bundle.ts', (dir) => ['export', '--run', '99', '--out', join(dir, 'b.json'), '--data-dir', dir]],
  ];

  it.each(commands)('%s', async (cli, args) => {
    const { dir } = await dataDirWithRun();
    const debris = leaveCrashDebris(dir);
    const result = await run(cli, args(dir));
    expect(present(dir, debris)).toEqual([]);
    expect(result.stderr.match(/^Removed /gm)).toHaveLength(debris.length);
  }, 120_000);
});
