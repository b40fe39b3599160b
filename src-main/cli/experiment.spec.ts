import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_STANDARD_FOLD_VIDEOS_MESSAGE } from '@shared/data/splits';
import { experimentPlan, supervisedConfig } from '@shared/experiments/presets';
import { DatasetService } from '../data/datasetService';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { ExperimentRepository } from '../store/experiments';
import { RunRepository } from '../store/runs';
import { SplitRepository } from '../store/splits';

const root = resolve(import.meta.dirname, '../..');
const tsx = resolve(root, 'node_modules/.bin/tsx');
const run = (args: string[]) =>
  promisify(execFile)(tsx, [resolve(root, 'src-main/cli/experiment.ts'), ...args], { cwd: root, env: { ...process.env, MOSEI_BACKEND: 'cpu' } }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * The store as `npm run experiment -- --preset quick --dataset builtin-small --labels 2 --repeats 1` leaves it when
 * killed during its last run: pre-training and fine-tune done, the baseline running for a
 * process that no longer exists. Small data, so the one run left trains in seconds.
 */
async function killedDuringLastRun() {
  const dir = mkdtempSync(join(tmpdir(), 'wb-exp-cli-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  const datasets = new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db));
  await datasets.ensureBuiltin({ seed: 5, segments: 12, segmentsPerVideo: 4, minFrames: 10, maxFrames: 20 });
  const runs = new RunRepository(db);
  const plan = experimentPlan('quick', [2], 1);
  const experiment = new ExperimentRepository(db).create('Quick sweep', 'builtin-small', 'quick', plan);
  const splitId = datasets.split('builtin-small', plan.supervised.split).id;
  const runOf = (kind: 'pretrain' | 'finetune' | 'baseline', parentRunId: number | null = null) =>
    runs.create({ name: kind, kind, datasetId: 'builtin-small', parentRunId, splitId, experiment: { id: experiment.id, repeat: kind === 'pretrain' ? null : 0 }, config: kind === 'pretrain' ? plan.pretrain : supervisedConfig(plan, 2, 0) });
  const pretrain = runOf('pretrain');
  new ExperimentRepository(db).setPretrainRun(experiment.id, pretrain.id);
  const finetune = runOf('finetune', pretrain.id);
  const baseline = runOf('baseline');
  for (const done of [pretrain, finetune]) {
    runs.markRunning(done.id, 'cpu', 'test');
    runs.recordMetrics(done.id, [{ scope: 'overall', name: 'mae', value: 0.5 }]);
    runs.finish(done.id, 'done');
  }
  runs.markRunning(baseline.id, 'cpu', 'test');
  db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(spawnSync(process.execPath, ['-e', '']).pid, baseline.id);
  db.close();
  return { dir, experimentId: experiment.id, finished: [pretrain.id, finetune.id], killed: baseline.id };
}

describe('npm run experiment after a crash', () => {
  it('refuses to start the same plan again, naming the command that resumes it; --resume then finishes only what was left', async () => {
    const { dir, experimentId, finished, killed } = await killedDuringLastRun();
    const before = openDatabase(dir);
    const finishedAt = (db: typeof before) => finished.map((id) => new RunRepository(db).summary(id).finishedAt);
    const finishedBefore = finishedAt(before);
    before.close();

    const again = await run(['--preset', 'quick', '--dataset', 'builtin-small', '--labels', '2', '--repeats', '1', '--data-dir', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('An experiment with this plan (dataset, preset, label counts, repeats, overrides, factors) did not finish:');
    expect(again.stderr).toMatch(new RegExp(`#${experimentId} "Quick sweep", created .*: interrupted \\(the process running it stopped\\); 1 of 2 runs done\\.`));
    expect(again.stderr).toContain(`npm run experiment -- --resume ${experimentId} --data-dir ${JSON.stringify(dir)}`);
    expect(again.stderr).toContain('--new');

    const mixed = await run(['--resume', String(experimentId), '--preset', 'quick', '--data-dir', dir]);
    expect(mixed).toMatchObject({ code: 2, stderr: expect.stringContaining(`--resume continues experiment ${experimentId} with its own plan; leave out --preset.`) });

    const resumed = await run(['--resume', String(experimentId), '--data-dir', dir, '--workers', '1']);
    expect(resumed.stderr).not.toMatch(/Error/);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Resuming experiment #${experimentId} "Quick sweep": 1 of 2 runs were done.`);
    expect(resumed.stdout).toContain(`Experiment #${experimentId} done`);

    const db = openDatabase(dir);
    const runs = new RunRepository(db);
    expect(new ExperimentRepository(db).list().map((e) => [e.id, e.status])).toEqual([[experimentId, 'done']]);
    expect(runs.list().map((r) => r.id).sort()).toEqual([...finished, killed].sort());
    expect(finishedAt(db)).toEqual(finishedBefore); // finished runs kept as they were
    expect(runs.detail(killed)).toMatchObject({ status: 'done', epochs: expect.any(Array) });
    // Every epoch it trained, from the first: the quick preset stops early once validation stops improving.
    const epochs = runs.detail(killed).epochs.map((e) => e.epoch);
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    expect(epochs.length).toBeLessThanOrEqual(runs.detail(killed).config.epochs);
    db.close();

    const nowhere = await run(['--resume', String(experimentId), '--data-dir', join(dir, 'typo')]);
    expect(nowhere).toMatchObject({ code: 2, stderr: expect.stringMatching(/typo does not exist\. Pass --data-dir/) });
    const done = await run(['--resume', String(experimentId), '--data-dir', dir]);
    expect(done).toMatchObject({ code: 2, stderr: expect.stringMatching(/is done: all its 2 runs finished, so there is nothing to resume/) });
  }, 180_000);
});

describe('npm run experiment with a test part and model selection', () => {
  it('holds out the test share, keeps the best epochs, and reports every number on test, beside the reference predictors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-test-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    await new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db)).ensureBuiltin({ seed: 5, segments: 16, segmentsPerVideo: 4, minFrames: 10, maxFrames: 20 });
    db.close();
    const bad = await run(['--preset', 'quick', '--dataset', 'builtin-small', '--labels', '2', '--test-fraction', '0.9', '--data-dir', dir]);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('A validation share of 0.2 and a test share of 0.9 leave no segment to train on') });
    expect((await run(['--preset', 'quick', '--selection', 'best', '--data-dir', dir])).stderr).toContain('--selection must be last-epoch or best-validation-loss, not "best".');

    // The small dataset this spec made: the command's default is the 2,400-segment positive control.
    const result = await run(['--preset', 'quick', '--dataset', 'builtin-small', '--labels', '2', '--repeats', '2', '--mask-span', '5', '--test-fraction', '0.25', '--selection', 'best-validation-loss', '--patience', '5', '--json', '--workers', '1', '--data-dir', dir]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.split).toBe('test');
    expect(json.methods.split).toBe("Every number was measured on the experiment's test split.");
    expect(json.ssl[0].metrics.acc4.overall.n).toBe(2);
    expect(json.baseline[0].metrics.mae.overall.n).toBe(2);
    expect(json.ssl[0].checked).toBe(2);
    // Both reference predictors, fitted to the same labelled samples and scored on the same test segments.
    expect(json.references.labelMean[0]).toMatchObject({ labelCount: 2, runIds: [], metrics: { acc4: { overall: { n: 2 } } } });
    expect(json.references.majorityClass[0].metrics.f1Weighted.fear.n).toBe(2);
    // Every run trained here, in this machine's pool.
    const trained = (done: number) => ({ done, running: 0, queued: 0, stopped: 0, seconds: expect.any(Number) });
    expect(json.hosts).toEqual([{ host: hostname(), thisMachine: true, pretrain: trained(1), baseline: trained(2), finetune: trained(2) }]);

    const store = openDatabase(dir);
    const runs = new RunRepository(store);
    const all = runs.list();
    const split = new DatasetService(dir, new DatasetRepository(store), new SplitRepository(store)).split('builtin-small', { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0.25 });
    expect(split.assignment.test).toHaveLength(4);
    for (const r of all) expect(r.config.split.testFraction).toBe(0.25);
    for (const r of all.filter((x) => x.kind !== 'pretrain')) {
      const detail = runs.detail(r.id);
      expect(detail.config).toMatchObject({ selection: 'best-validation-loss', earlyStopping: { patience: 5 }, validation: 'each-epoch' });
      expect(detail.predictions.map((p) => [p.split, p.segments])).toEqual([['validation', 3], ['test', 4]]);
      expect(detail.acc4Test).toBe(detail.testMetrics.find((m) => m.scope === 'overall' && m.name === 'acc4')!.value);
      expect(detail.flags?.split).toBe('test');
    }
    // The pre-training was tested on the held-out part too, and recorded its masked-step error per epoch.
    const pretrain = runs.detail(all.find((r) => r.kind === 'pretrain')!.id);
    expect(pretrain.testMetrics.map((m) => m.name).sort()).toEqual(['maskedReconstructionMse', 'reconstructionMse']);
    expect(pretrain.epochs.every((e) => e.maskedLoss! > 0 && e.valMaskedLoss! > 0)).toBe(true);
    store.close();
  }, 240_000);
});

describe('npm run experiment --split sdk-standard', () => {
  it("drops the Quick preset's test share for the SDK's folds, which bring their own, and refuses one typed with them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-sdk-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    await new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db)).ensureBuiltin({ seed: 5, segments: 12, segmentsPerVideo: 4, minFrames: 10, maxFrames: 20 });
    db.close();
    // The split is accepted and computed: what stops it is that the synthetic videos are in none of the SDK's folds.
    const sdk = await run(['--preset', 'quick', '--dataset', 'builtin-small', '--split', 'sdk-standard', '--data-dir', dir]);
    expect(sdk).toMatchObject({ code: 2, stderr: expect.stringContaining(NO_STANDARD_FOLD_VIDEOS_MESSAGE) });
    expect(sdk.stderr).not.toContain('test share');
    const typed = await run(['--preset', 'quick', '--dataset', 'builtin-small', '--split', 'sdk-standard', '--test-fraction', '0.3', '--data-dir', dir]);
    expect(typed).toMatchObject({ code: 2, stderr: expect.stringContaining("The SDK's standard folds have their own test fold, so a test share (0.3) does not apply") });
  }, 120_000);
});

describe('npm run experiment --vary', () => {
  it('runs an ablation over two spans and prints, per value, the JSON of a single experiment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-vary-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    await new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db)).ensureBuiltin({ seed: 5, segments: 16, segmentsPerVideo: 4, minFrames: 10, maxFrames: 20 });
    db.close();
    const bad = await run(['--preset', 'quick', '--vary', 'mask.spanLength=5,abc', '--data-dir', dir]);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--vary mask.spanLength=5,abc: Mask span length (steps): "abc" is not allowed; use whole numbers from 1 to 10000.') });

    const result = await run(['--preset', 'quick', '--dataset', 'builtin-small', '--labels', '2', '--repeats', '2', '--vary', 'mask.spanLength=5,15', '--json', '--workers', '1', '--data-dir', dir]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.factors).toEqual([{ field: 'mask.spanLength', values: [5, 15], label: 'Mask span length (steps)' }]);
    expect(json.values.map((v: { label: string }) => v.label)).toEqual(['span = 5', 'span = 15']);
    for (const v of json.values) {
      expect(Object.keys(v.results).sort()).toEqual(['baseline', 'comparisons', 'conclusions', 'experiment', 'labelsSaved', 'methods', 'references', 'split', 'ssl', 'testFamilies']);
      expect(v.results.ssl[0].metrics.acc4.overall.n).toBe(2);
    }
    // One baseline arm, shared: both values show the same baseline runs.
    expect(json.values[0].results.baseline[0].runIds).toEqual(json.values[1].results.baseline[0].runIds);

    const store = openDatabase(dir);
    const runs = new RunRepository(store).list();
    expect(runs.filter((r) => r.kind === 'pretrain').map((r) => r.config.mask!.spanLength).sort((a, b) => a - b)).toEqual([5, 15]);
    expect(runs.filter((r) => r.kind === 'baseline')).toHaveLength(2);
    expect(runs.filter((r) => r.kind === 'finetune')).toHaveLength(4);
    store.close();
  }, 300_000);
});
