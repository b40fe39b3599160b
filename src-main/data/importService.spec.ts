import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportStatus } from '@shared/api/entities';
import { EventSink } from '../app/events';
import { forkSourceProcess } from '../cli/sourceProcesses';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { ImportService } from './importService';
import { FIXTURES_DIR } from '../../test/fixturePaths';

const FIXTURES = FIXTURES_DIR;
const COVAREP = join(FIXTURES, 'mosei-mini/CMU_MOSEI_COVAREP.csd');
const LABELS = join(FIXTURES, 'mosei-mini/CMU_MOSEI_Labels.csd');

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'wb-import-'));
  dirs.push(dataDir);
  const repo = new DatasetRepository(openDatabase(dataDir));
  const events = new EventSink();
  const statuses: ImportStatus[] = [];
  const phases = new Set<string>();
  events.subscribe((name, payload) => {
    if (name === 'import.status') statuses.push(payload as ImportStatus);
    if (name === 'import.progress') phases.add((payload as { phase: string }).phase);
  });
  const service = new ImportService(dataDir, repo, () => forkSourceProcess('importer'), events);
  const finished = () =>
    new Promise<ImportStatus>((done) => {
      const check = setInterval(() => {
        const last = statuses.at(-1);
        if (last && last.status !== 'running') {
          clearInterval(check);
          done(last);
        }
      }, 20);
    });
  return { dataDir, repo, service, statuses, phases, finished };
}

describe('ImportService', () => {
  it('imports the SDK fixture pair, reports progress, and recognises the same files again', async () => {
    const { dataDir, repo, service, phases, finished, statuses } = setup();
    service.start({ covarepPath: COVAREP, labelsPath: LABELS, name: 'mini' });
    const done = await finished();
    expect(done.status).toBe('done');
    expect(done.notes.join(' ')).toMatch(/77 NaN or infinite/);
    expect(done.notes.join(' ')).toMatch(/1 videos have features but no labels/);
    expect(phases).toEqual(new Set(['fingerprint', 'align']));
    const dataset = repo.get(done.datasetId!);
    expect(dataset).toMatchObject({ name: 'mini', source: 'import', segments: 17, nonFiniteReplaced: 77, features: 74 });
    expect(existsSync(join(dataDir, 'datasets', dataset.id, 'features.f32'))).toBe(true);

    statuses.length = 0;
    service.start({ covarepPath: COVAREP, labelsPath: LABELS });
    const again = await finished();
    expect(again).toMatchObject({ status: 'duplicate', datasetId: dataset.id });
    expect(repo.list().filter((d) => d.source === 'import')).toHaveLength(1);
  });

  it('fails a file that is not HDF5 with the reader message and leaves no dataset behind', async () => {
    const { dataDir, repo, service, finished } = setup();
    const text = join(dataDir, 'notes.csd');
    writeFileSync(text, 'this is not an HDF5 file\n');
    service.start({ covarepPath: text, labelsPath: LABELS });
    const failed = await finished();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/not an HDF5 file/);
    expect(repo.list()).toHaveLength(0);
    expect(existsSync(join(dataDir, 'datasets')) ? readdirSync(join(dataDir, 'datasets')) : []).toEqual([]);
  });

  it('refuses missing, empty or identical paths before starting anything', () => {
    const { dataDir, service } = setup();
    expect(() => service.start({ covarepPath: join(dataDir, 'nope.csd'), labelsPath: LABELS })).toThrow(/COVAREP file does not exist/);
    const empty = join(dataDir, 'empty.csd');
    writeFileSync(empty, '');
    expect(() => service.start({ covarepPath: COVAREP, labelsPath: empty })).toThrow(/labels file is empty/);
    expect(() => service.start({ covarepPath: COVAREP, labelsPath: COVAREP })).toThrow(/same file/);
    expect(() => service.start({ covarepPath: dataDir, labelsPath: LABELS })).toThrow(/folder, not a file/);
  });

  it('cancels an import: nothing recorded, nothing left on disk', async () => {
    const { dataDir, repo, service, finished } = setup();
    const { jobId } = service.start({ covarepPath: COVAREP, labelsPath: LABELS });
    expect(service.cancel(jobId)).toBe(true);
    expect((await finished()).status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 200));
    expect(repo.list()).toHaveLength(0);
    expect(existsSync(join(dataDir, 'datasets')) ? readdirSync(join(dataDir, 'datasets')) : []).toEqual([]);
    expect(() => service.cancel(jobId)).toThrow(/No import/);
  });
});
