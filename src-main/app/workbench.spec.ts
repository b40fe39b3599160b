import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessChannel } from './processes';
import { createWorkbench, type Workbench } from './workbench';

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
  it('creates the built-in dataset with its default split on first start', async () => {
    const wb = await start();
    const reply = await wb.dispatch('datasets.list', {});
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    const [builtin] = reply.result as Array<{ synthetic: boolean; segments: number; defaultSplit: { train: number; validation: number } }>;
    expect(builtin.synthetic).toBe(true);
    expect(builtin.defaultSplit).toEqual({ train: 320, validation: 80 });
    const info = await wb.dispatch('app.info', {});
    expect(info).toMatchObject({ ok: true, result: { mode: 'browser', backend: null, workers: 1 } });
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

  it('offers file dialogs only where a desktop provides them', async () => {
    const browser = await start();
    expect(await browser.dispatch('app.pickPath', { kind: 'csd-file', title: 'COVAREP' })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/type the path/) } });
    const desktop = await start(async (kind) => (kind === 'folder' ? '/chosen/folder' : null));
    expect(await desktop.dispatch('app.pickPath', { kind: 'folder', title: 'Download to' })).toEqual({ ok: true, result: { path: '/chosen/folder' } });
    expect(await desktop.dispatch('app.pickPath', { kind: 'csd-file', title: 'x' })).toEqual({ ok: true, result: { path: null } });
  });

  it('refuses a run on a dataset that does not exist, before queueing anything', async () => {
    const wb = await start();
    const config = { epochs: 1, batchSize: 1, learningRate: 0.001, model: { hiddenUnits: 1, gruLayers: 1, headInput: 'reconstruction', pooling: 'last-valid' }, labels: { count: null, seed: 0 }, seed: 0, mask: null, sequence: { maxFrames: 10, keep: 'first', poolFrames: 1, padding: 'right' }, split: { kind: 'random-segment', validationFraction: 0.2, seed: 0 }, validation: 'each-epoch' };
    expect(await wb.dispatch('runs.start', { datasetId: 'nope', kind: 'baseline', config })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await wb.dispatch('runs.list', {})).toEqual({ ok: true, result: [] });
  });

  it('reads and writes files at a path only for the desktop, whose dialog chose it', async () => {
    const browser = await start();
    const refused = { ok: false, error: { code: 'invalid_params', message: expect.stringMatching(/browser mode files are downloaded and uploaded/) } };
    expect(await browser.dispatch('experiments.exportTable1', { id: 1, format: 'md', path: '/root/.ssh/authorized_keys' })).toMatchObject(refused);
    expect(await browser.dispatch('runs.exportBundle', { id: 1, path: '/etc/cron.d/x' })).toMatchObject(refused);
    expect(await browser.dispatch('runs.importBundle', { path: '/etc/shadow' })).toMatchObject(refused);
    // Without a path the request reaches its service (here: no such experiment or run).
    expect(await browser.dispatch('runs.exportBundle', { id: 1 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
