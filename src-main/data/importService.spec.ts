import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportStatus } from '@shared/api/entities';
import { EventSink } from '../platform/events';
import { forkSourceProcess } from '../cli/sourceProcesses';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { ImportService } from './importService';
import { FIXTURES_DIR } from '../../test/fixturePaths';
import { defaultCovarep, goodRows, labelsFor, NEUTRAL, writeCsdPair } from '../../test/csdVariants';

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
    expect(done.notes.join(' ')).toMatch(/1 video has features but no labels and was dropped/);
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

  it.skipIf(process.platform === 'win32')('says what a path that is not a regular file is, instead of calling it a folder', async () => {
    const { dataDir, service } = setup();
    const fifo = join(dataDir, 'pipe.csd');
    execFileSync('mkfifo', [fifo]);
    expect(() => service.start({ covarepPath: fifo, labelsPath: LABELS })).toThrow(/The COVAREP path is a FIFO \(named pipe\), not a file: .*pipe\.csd\. Choose the \.csd file itself/);
    const socket = join(dataDir, 'socket.csd');
    const server = createServer();
    await new Promise<void>((listening) => server.listen(socket, listening));
    try {
      expect(() => service.start({ covarepPath: COVAREP, labelsPath: socket })).toThrow(/The labels path is a socket, not a file/);
    } finally {
      await new Promise<void>((closed) => server.close(() => closed()));
    }
    expect(() => service.start({ covarepPath: '/dev/null', labelsPath: LABELS })).toThrow(/The COVAREP path is a device, not a file/);
  });

  it('finishes with unusable labels left out and counted per kind in its status, notes and summary', async () => {
    const { dataDir, repo, service, finished } = setup();
    const rows = (video: string) =>
      video === 'vidA'
        ? [
            { interval: [0, 1] as [number, number], values: [Number.NaN, 1, 0, 0, 0, 0, 0] },
            { interval: [1, 2] as [number, number], values: [1, 1, 0, 0, 0, 0, 4] },
            { interval: [2, 3] as [number, number], values: [...NEUTRAL] },
          ]
        : goodRows();
    const pair = await writeCsdPair(join(dataDir, 'pair'), defaultCovarep(), labelsFor(rows));
    service.start(pair);
    const done = await finished();
    expect(done.status).toBe('done');
    expect(done.summary).toMatchObject({ segments: 4, videos: 2, segmentsDroppedForLabels: 2 });
    expect(done.summary?.labelProblems.sentiment).toEqual({ nonFinite: 1, outOfRange: 0 });
    expect(done.summary?.labelProblems.fear).toEqual({ nonFinite: 0, outOfRange: 1 });
    expect(done.notes.join(' ')).toMatch(/2 segments were left out because a label is NaN, infinite or outside its range .*never clamped.*: sentiment: 1 NaN or infinite; fear: 1 outside 0\.\.3\./);
    expect(repo.get(done.datasetId!)).toMatchObject({ segments: 4, videos: 2 });
  });

  it('fails a pair with no usable segment: the reason in its status, nothing recorded, nothing on disk', async () => {
    const { dataDir, repo, service, finished } = setup();
    const reversed = () => [0, 1, 2].map((s) => ({ interval: [s + 1, s] as [number, number], values: [...NEUTRAL] }));
    const pair = await writeCsdPair(join(dataDir, 'pair'), defaultCovarep(), labelsFor(reversed));
    service.start(pair);
    const failed = await finished();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/CMU_MOSEI_Labels\.csd: no usable segment, so nothing was imported/);
    expect(failed.error).toMatch(/6 have an interval that is not finite or ends before it starts \(e\.g\. "vidA" row 0 \[1, 0\]\)/);
    expect(repo.list()).toHaveLength(0);
    expect(existsSync(join(dataDir, 'datasets')) ? readdirSync(join(dataDir, 'datasets')) : []).toEqual([]);
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
