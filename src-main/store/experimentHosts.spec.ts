import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import type { RunKind, RunOrigin } from '@shared/api/entities';
import { experimentPlan } from '@shared/experiments/presets';
import { openDatabase } from './database';
import { DatasetRepository } from './datasets';
import { ExperimentRepository } from './experiments';
import { ImportedRunRepository } from './importedRuns';
import { RunRepository } from './runs';
import { experimentHosts } from './experimentHosts';

const dirs: string[] = [];
const dbs: Database.Database[] = [];
afterEach(() => {
  dbs.splice(0).forEach((db) => db.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function store() {
  const dir = mkdtempSync(join(tmpdir(), 'wb-hosts-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  dbs.push(db);
  new DatasetRepository(db).insert({ id: 'd1', name: 'test', source: 'synthetic', segments: 1, videos: 1, frames: 1, features: 74, nonFiniteReplaced: 0, fingerprint: 'f', params: {} });
  const plan = experimentPlan('quick');
  const experiments = new ExperimentRepository(db);
  const experiment = experiments.create('hosts', 'd1', 'quick', plan);
  const other = experiments.create('other', 'd1', 'quick', plan);
  const runs = new RunRepository(db);
  const imported = new ImportedRunRepository(db, runs);
  const add = (kind: RunKind, experimentId = experiment.id) =>
    runs.create({ name: kind, kind, datasetId: 'd1', config: kind === 'pretrain' ? plan.pretrain : plan.supervised, splitId: null, experiment: { id: experimentId, repeat: 0 } }).id;
  /** Started and finished `seconds` apart, as the clock recorded it. */
  const took = (id: number, seconds: number) =>
    db.prepare(`UPDATE runs SET started_at = ?, finished_at = ? WHERE id = ?`).run('2026-01-01T00:00:00.000Z', new Date(Date.parse('2026-01-01T00:00:00.000Z') + seconds * 1000).toISOString(), id);
  const origin = (host: string, sourceRunId: number): RunOrigin => ({ bundleSha256: `sha-${host}-${sourceRunId}`, sourceRunId, sourceHost: host, sourceDataDir: '/data', exportedAt: '2026-01-01T00:00:00.000Z', workbenchVersion: '1', importedAt: '2026-01-01T00:00:00.000Z', via: 'cluster' });
  /** A run a worker on `host` trained and whose bundle was imported here. */
  const remoteDone = (id: number, host: string, seconds: number) => {
    runs.markOnCluster(id);
    runs.markRunning(id, 'wasm', `fastest; on ${host}`, { host, cores: 8 });
    imported.completeRemote(id, { epochs: [], metrics: [], testMetrics: [], predictions: [], backend: 'wasm', backendReason: 'fastest', origin: origin(host, id) });
    runs.finish(id, 'done');
    took(id, seconds);
  };
  const localDone = (id: number, seconds: number) => {
    runs.markRunning(id, 'cpu', 'test', { host: null, cores: 2 });
    runs.finish(id, 'done');
    took(id, seconds);
  };
  return { db, runs, experiment, other, add, remoteDone, localDone };
}

const counts = (done: number, running: number, queued: number, stopped: number, seconds: number) => ({ done, running, queued, stopped, seconds });

describe('an experiment\'s runs per host', () => {
  it('counts local runs under this machine, remote ones under each worker\'s host, and those waiting for a worker apart', () => {
    const s = store();
    s.localDone(s.add('pretrain'), 100);
    s.localDone(s.add('finetune'), 2);
    s.localDone(s.add('finetune'), 3);
    s.runs.markRunning(s.add('finetune'), 'cpu', 'test', { host: null, cores: 2 });
    s.add('finetune'); // queued here
    s.remoteDone(s.add('baseline'), 'gpu-01', 40);
    s.remoteDone(s.add('baseline'), 'gpu-01', 20);
    s.remoteDone(s.add('baseline'), 'cpu-07', 60);
    s.runs.markRunning(s.add('baseline'), 'wasm', 'fastest; on cpu-07', { host: 'cpu-07', cores: 4 }); // its start heard before its hand-over was recorded
    const queuedThenStarted = s.add('baseline');
    s.runs.markOnCluster(queuedThenStarted);
    s.runs.markRunning(queuedThenStarted, 'wasm', 'fastest; on cpu-07', { host: 'cpu-07', cores: 4 });
    s.runs.markOnCluster(s.add('baseline')); // waiting for a worker
    const failed = s.add('baseline');
    s.runs.finish(failed, 'failed', 'boom');
    s.localDone(s.add('finetune', s.other.id), 5); // another experiment's run

    const hosts = experimentHosts(s.db, s.experiment.id, 'workbench-host');
    expect(hosts.map((h) => [h.host, h.thisMachine])).toEqual([['workbench-host', true], ['cpu-07', false], ['gpu-01', false], [null, false]]);
    const [here, cpu, gpu, waiting] = hosts;
    expect(here.pretrain).toEqual(counts(1, 0, 0, 0, 100));
    expect(here.finetune).toEqual(counts(2, 1, 1, 0, 5));
    expect(here.baseline).toEqual(counts(0, 0, 0, 1, 0)); // failed before any placement
    expect(gpu.baseline).toEqual(counts(2, 0, 0, 0, 60));
    expect(cpu.baseline).toEqual(counts(1, 2, 0, 0, 60));
    expect(waiting.baseline).toEqual(counts(0, 0, 1, 0, 0));
    expect(waiting.pretrain).toEqual(counts(0, 0, 0, 0, 0));
  });

  it('puts a run queued again after a worker trained it back under this machine until it is placed anew', () => {
    const s = store();
    const id = s.add('baseline');
    s.runs.markOnCluster(id);
    s.runs.markRunning(id, 'wasm', 'on gpu-01', { host: 'gpu-01', cores: 8 });
    s.runs.finish(id, 'failed', 'worker lost');
    expect(experimentHosts(s.db, s.experiment.id, 'here').map((h) => [h.host, h.baseline.stopped])).toEqual([['gpu-01', 1]]);
    s.runs.requeue(id);
    expect(experimentHosts(s.db, s.experiment.id, 'here').map((h) => [h.host, h.thisMachine, h.baseline.queued])).toEqual([['here', true, 1]]);
  });

  it('is empty for an experiment without runs', () => {
    const s = store();
    expect(experimentHosts(s.db, s.experiment.id + 5, 'here')).toEqual([]);
  });
});
