import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessChannel } from '../platform/workerProcesses';
import { createWorkbench, type Workbench } from './workbench';
import { experimentPlan } from '@shared/experiments/presets';
import { POSITIVE_CONTROL_ID } from '@shared/data/controls';

/** A process that never answers: the composition is tested without TensorFlow.js. */
const silentProcess = (): ProcessChannel => ({ send: () => undefined, onMessage: () => undefined, onExit: () => undefined, kill: () => undefined });

const open: Array<{ wb: Workbench; dir: string }> = [];
afterEach(() => open.splice(0).forEach(({ wb, dir }) => { wb.close(); rmSync(dir, { recursive: true, force: true }); }));

async function start(pickPath?: Parameters<typeof createWorkbench>[0]['pickPath']) {
  const dir = mkdtempSync(join(tmpdir(), 'wb-app-'));
  const wb = await createWorkbench({ dataDir: dir, mode: pickPath ? 'electron' : 'browser', spawnProcess: silentProcess, pickPath });
  open.push({ wb, dir });
  return wb;
}

describe('createWorkbench', () => {
  it('creates the controls with their default splits on a first start, and opens the positive control then only', async () => {
    const wb = await start();
    const reply = await wb.dispatch('datasets.list', {});
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    const datasets = reply.result as Array<{ id: string; synthetic: boolean; defaultSplit: { train: number; validation: number } }>;
    expect(datasets.map((d) => d.id)).toEqual(['positive-control', 'negative-control']);
    for (const d of datasets) expect(d).toMatchObject({ synthetic: true, defaultSplit: { train: 1920, validation: 480 } });
    const info = await wb.dispatch('app.info', {});
    expect(info).toMatchObject({ ok: true, result: { mode: 'browser', backend: null, workers: 1, openAtStart: 'positive-control' } });
    const later = await createWorkbench({ dataDir: wb.dataDir, mode: 'browser', spawnProcess: silentProcess });
    expect(await later.dispatch('app.info', {})).toMatchObject({ ok: true, result: { openAtStart: null } });
    later.close();
  });

  it('keeps the chosen number of training processes with the data directory', async () => {
    const wb = await start();
    expect(await wb.dispatch('settings.setWorkers', { workers: 3 })).toEqual({ ok: true, result: { workers: 3, overriddenBy: null } });
    expect(await wb.dispatch('app.info', {})).toMatchObject({ ok: true, result: { workers: 3 } });
    expect(await wb.dispatch('settings.setWorkers', { workers: 0 })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    const again = await createWorkbench({ dataDir: wb.dataDir, mode: 'browser', spawnProcess: silentProcess });
    expect(await again.dispatch('app.info', {})).toMatchObject({ ok: true, result: { workers: 3 } });
    again.close();
    const overridden = await createWorkbench({ dataDir: wb.dataDir, mode: 'browser', spawnProcess: silentProcess, workers: 1 });
    expect(await overridden.dispatch('settings.setWorkers', { workers: null })).toEqual({ ok: true, result: { workers: 1, overriddenBy: '--workers or MOSEI_WORKERS' } });
    overridden.close();
  });

  it('offers file dialogs only where a desktop provides them, and hands out handles, not paths', async () => {
    const browser = await start();
    expect(await browser.dispatch('app.pickPath', { kind: 'csd-file', title: 'COVAREP' })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/upload buttons/) } });
    const desktop = await start(async (kind) => (kind === 'folder' ? '/chosen/folder' : null));
    expect(await desktop.dispatch('app.pickPath', { kind: 'folder', title: 'Download to' })).toEqual({
      ok: true,
      result: { file: { handle: expect.stringMatching(/^fh-[\w-]{24}$/), name: 'folder', location: '/chosen/folder', bytes: null } },
    });
    expect(await desktop.dispatch('app.pickPath', { kind: 'csd-file', title: 'x' })).toEqual({ ok: true, result: { file: null } });
  });

  it('refuses a run on a dataset that does not exist, before queueing anything', async () => {
    const wb = await start();
    const config = { epochs: 1, batchSize: 1, learningRate: 0.001, model: { hiddenUnits: 1, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' }, labels: { count: null, seed: 0 }, seed: 0, mask: null, sequence: { maxFrames: 10, keep: 'first', poolFrames: 1, padding: 'right' }, split: { kind: 'random-segment', validationFraction: 0.2, seed: 0, testFraction: 0 }, validation: 'each-epoch', adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, initialisation: 'keras', selection: 'last-epoch', earlyStopping: null } as const;
    expect(await wb.dispatch('runs.start', { datasetId: 'nope', kind: 'baseline', config })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await wb.dispatch('runs.list', {})).toEqual({ ok: true, result: [] });
  });

  it('refuses impossible training settings where they enter, before anything is recorded', async () => {
    const wb = await start();
    const config = { ...experimentPlan('quick').supervised, labels: { count: 5000, seed: 0 } };
    // The positive control's 2,400 segments, 60% of them for training in the quick preset's split.
    expect(await wb.dispatch('runs.start', { datasetId: POSITIVE_CONTROL_ID, kind: 'baseline', config })).toMatchObject({
      ok: false,
      error: { code: 'invalid_params', issues: [{ path: 'config.labels.count', message: expect.stringMatching(/has 1440 segments, so a run cannot learn from 5000/) }] },
    });
    const pretrain = { ...experimentPlan('quick').pretrain, mask: { spanLength: 60, spanCount: 1, value: -30, lossScope: 'all-valid' as const } };
    expect(await wb.dispatch('runs.start', { datasetId: POSITIVE_CONTROL_ID, kind: 'pretrain', config: pretrain })).toMatchObject({ ok: false, error: { issues: [{ path: 'config.mask.spanLength' }] } });
    expect(await wb.dispatch('experiments.start', { datasetId: POSITIVE_CONTROL_ID, preset: 'quick', overrides: { mask: pretrain.mask } })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(await wb.dispatch('runs.list', {})).toEqual({ ok: true, result: [] });
    expect(await wb.dispatch('experiments.list', {})).toEqual({ ok: true, result: [] });
  });

  it('refuses every request that names a path on this machine, in either mode', async () => {
    for (const wb of [await start(), await start(async () => '/chosen')]) {
      const pathRefused = { ok: false, error: { code: 'invalid_params' } };
      expect(await wb.dispatch('datasets.import', { covarepPath: '/etc/passwd', labelsPath: '/etc/group' })).toMatchObject(pathRefused);
      expect(await wb.dispatch('datasets.import', { covarep: '/etc/passwd', labels: '/etc/group' })).toMatchObject(pathRefused);
      expect(await wb.dispatch('datasets.import', { covarep: FORGED, labels: FORGED, reportPath: '/tmp/x.json' })).toMatchObject(pathRefused);
      expect(await wb.dispatch('datasets.download', { folder: '/etc/cron.d' })).toMatchObject(pathRefused);
      expect(await wb.dispatch('experiments.exportTable1', { id: 1, format: 'md', path: '/root/.ssh/authorized_keys' })).toMatchObject(pathRefused);
      expect(await wb.dispatch('runs.exportBundle', { id: 1, path: '/etc/cron.d/x' })).toMatchObject(pathRefused);
      expect(await wb.dispatch('runs.importBundle', { path: '/etc/shadow' })).toMatchObject(pathRefused);
      expect(await wb.dispatch('runs.importBundle', { content: '{}' })).toMatchObject(pathRefused);
      // A well-formed handle main never handed out is refused too.
      const unknown = { ok: false, error: { code: 'invalid_params', message: expect.stringMatching(/no longer available to this window.*Choose it again/) } };
      expect(await wb.dispatch('datasets.import', { covarep: FORGED, labels: FORGED })).toMatchObject(unknown);
      expect(await wb.dispatch('runs.exportBundle', { id: 1, saveTo: FORGED })).toMatchObject(unknown);
      expect(await wb.dispatch('datasets.download', { folder: FORGED })).toMatchObject(unknown);
      // Without a place to save, the request reaches its service (here: no such run) and the browser downloads.
      expect(await wb.dispatch('runs.exportBundle', { id: 1 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
  });

  it('lets a handle do what it was chosen for, once it succeeds, and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-files-'));
    const csd = join(dir, 'labels.csd');
    writeFileSync(csd, 'not HDF5');
    const chosen: Record<string, string> = { 'csd-file': csd, 'save-file': join(dir, 'table1.md'), folder: dir };
    const wb = await start(async (kind) => chosen[kind] ?? null);
    const pick = async (kind: 'csd-file' | 'save-file' | 'folder') => {
      const reply = await wb.dispatch('app.pickPath', { kind, title: kind });
      if (!reply.ok) throw new Error(reply.error.message);
      return (reply.result as { file: { handle: string } }).file.handle;
    };
    // A file chosen to read is not a place to save, nor a folder.
    const toRead = await pick('csd-file');
    expect(await wb.dispatch('runs.exportBundle', { id: 1, saveTo: toRead })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/chosen as a file to read, not as a place to save/) } });
    // A refused request (no such run) leaves the handle good, so the user can try again without choosing anew.
    const place = await pick('save-file');
    expect(await wb.dispatch('runs.exportBundle', { id: 99, saveTo: place })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await wb.dispatch('runs.exportBundle', { id: 98, saveTo: place })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // Both files of an import are used up once the import starts, and only then.
    const other = await pick('csd-file');
    expect(await wb.dispatch('datasets.import', { covarep: toRead, labels: toRead })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/being used by another request/) } });
    const started = await wb.dispatch('datasets.import', { covarep: toRead, labels: other });
    expect(started).toMatchObject({ ok: false, error: { message: expect.stringMatching(/same file/) } });
    writeFileSync(join(dir, 'covarep.csd'), 'not HDF5 either');
    chosen['csd-file'] = join(dir, 'covarep.csd');
    const covarep = await pick('csd-file');
    expect(await wb.dispatch('datasets.import', { covarep, labels: other })).toMatchObject({ ok: true, result: { jobId: expect.any(String) } });
    expect(await wb.dispatch('datasets.import', { covarep, labels: other })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no longer available/) } });
    rmSync(dir, { recursive: true, force: true });
  });
});

const FORGED = 'fh-AAAAAAAAAAAAAAAAAAAAAAAA';
