import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
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
    expect(again.stderr).toContain('An experiment with this plan (dataset, preset, label counts, repeats, overrides) did not finish:');
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
    expect(runs.detail(killed).epochs).toHaveLength(30);
    db.close();

    const nowhere = await run(['--resume', String(experimentId), '--data-dir', join(dir, 'typo')]);
    expect(nowhere).toMatchObject({ code: 2, stderr: expect.stringMatching(/typo does not exist\. Pass --data-dir/) });
    const done = await run(['--resume', String(experimentId), '--data-dir', dir]);
    expect(done).toMatchObject({ code: 2, stderr: expect.stringMatching(/is done: all its 2 runs finished, so there is nothing to resume/) });
  }, 180_000);
});
