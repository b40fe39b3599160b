import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DownloadStatus } from '@shared/api/entities';
import { EventSink } from '../platform/events';
import { DownloadService } from './downloadService';
import { FileHandles } from '../platform/fileHandles';
import { downloadFile, type DownloadSource } from './download';
import { fixture } from '../../test/fixturePaths';

const LABELS = readFileSync(fixture('mosei-mini/CMU_MOSEI_Labels.csd'));
let server: Server;
let base = '';
let cutAfter: number | null = null;
const rangeHeaders: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/error-page') {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': LABELS.length }).end(Buffer.alloc(LABELS.length, 60));
      return;
    }
    if (req.url === '/moved') {
      res.writeHead(302, { Location: '/labels' }).end();
      return;
    }
    const range = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    if (range && req.url === '/labels') {
      rangeHeaders.push(req.headers.range!);
      const from = Number(range[1]);
      if (from >= LABELS.length) return void res.writeHead(416).end();
      res.writeHead(206, { 'Content-Length': LABELS.length - from, 'Content-Range': `bytes ${from}-${LABELS.length - 1}/${LABELS.length}` }).end(LABELS.subarray(from));
      return;
    }
    res.writeHead(200, { 'Content-Length': LABELS.length });
    if (cutAfter !== null) {
      // Send part of the file, then drop the connection, as a flaky network would.
      res.write(LABELS.subarray(0, cutAfter), () => res.destroy());
      return;
    }
    res.end(LABELS);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const source = (path: string, minBytes = 1000): DownloadSource => ({ url: `${base}${path}`, minBytes, maxBytes: 10 * 2 ** 20 });
const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-dl-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('downloadFile', () => {
  it('downloads a file whole with progress, following a redirect', async () => {
    const dir = tempDir();
    const seen: number[] = [];
    const dest = join(dir, 'labels.csd');
    const result = await downloadFile(source('/moved'), dest, { onProgress: (d) => seen.push(d) });
    expect(readFileSync(dest).equals(LABELS)).toBe(true);
    expect(result).toEqual({ bytes: LABELS.length, resumedFrom: 0 });
    expect(seen.at(-1)).toBe(LABELS.length);
    expect(existsSync(`${dest}.part`)).toBe(false);
    rmSync(dir, { recursive: true });
  });

  it('keeps what arrived when the connection drops, and resumes with a Range request', async () => {
    const dir = tempDir();
    const dest = join(dir, 'labels.csd');
    cutAfter = 20_000;
    await expect(downloadFile(source('/labels'), dest)).rejects.toThrow(/download again to resume/);
    cutAfter = null;
    expect(existsSync(dest)).toBe(false);
    const kept = statSync(`${dest}.part`).size;
    expect(kept).toBeGreaterThan(0);
    const result = await downloadFile(source('/labels'), dest);
    expect(result.resumedFrom).toBe(kept);
    expect(rangeHeaders.at(-1)).toBe(`bytes=${kept}-`);
    expect(readFileSync(dest).equals(LABELS)).toBe(true);
    rmSync(dir, { recursive: true });
  });

  it('starts over when the server ignores Range', async () => {
    const dir = tempDir();
    const dest = join(dir, 'x.csd');
    writeFileSync(`${dest}.part`, LABELS.subarray(0, 5000));
    const result = await downloadFile(source('/plain'), dest);
    expect(result.resumedFrom).toBe(0);
    expect(readFileSync(dest).equals(LABELS)).toBe(true);
    rmSync(dir, { recursive: true });
  });

  it('refuses a file of implausible size before writing it', async () => {
    const dir = tempDir();
    const dest = join(dir, 'covarep.csd');
    await expect(downloadFile(source('/plain', 500 * 2 ** 20), dest)).rejects.toThrow(/outside the expected .* not the file expected/);
    expect(existsSync(dest)).toBe(false);
    rmSync(dir, { recursive: true });
  });

  it('discards a response that is not HDF5 (an error page of the right size)', async () => {
    const dir = tempDir();
    const dest = join(dir, 'labels.csd');
    await expect(downloadFile(source('/error-page'), dest)).rejects.toThrow(/did not give an HDF5 file/);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
    rmSync(dir, { recursive: true });
  });

  it('says clearly when the server cannot be reached', async () => {
    await expect(downloadFile({ url: 'http://127.0.0.1:1/x', minBytes: 1, maxBytes: 2 }, join(tmpdir(), 'never.csd'))).rejects.toThrow(/Could not download/);
  });
});

describe('DownloadService', () => {
  const sources = () => ({
    labels: { ...source('/labels'), fileName: 'CMU_MOSEI_Labels.csd' },
    covarep: { ...source('/plain'), fileName: 'CMU_MOSEI_COVAREP.csd' },
  });

  it('fetches both files into the chosen folder with progress, then hands them out as file handles for the import', async () => {
    const events = new EventSink();
    const seen: Array<[string, unknown]> = [];
    events.subscribe((n, p) => seen.push([n, p]));
    const dir = join(tempDir(), 'new', 'folder');
    const handles = new FileHandles();
    const service = new DownloadService(events, (path) => handles.grant(path, 'read'), sources());
    const { jobId } = service.start(dir);
    await vi.waitFor(() => expect(seen.some(([n, p]) => n === 'download.status' && (p as DownloadStatus).status !== 'running')).toBe(true));
    const last = seen.filter(([n]) => n === 'download.status').at(-1)![1] as DownloadStatus;
    expect(last).toMatchObject({ jobId, status: 'done', error: null, folder: dir, files: { labels: { name: 'CMU_MOSEI_Labels.csd' } } });
    expect(await handles.use(last.files!.labels.handle, 'read', 'labels file', (path) => path)).toBe(join(dir, 'CMU_MOSEI_Labels.csd'));
    expect(await handles.use(last.files!.covarep.handle, 'read', 'COVAREP file', (path) => readFileSync(path).equals(LABELS))).toBe(true);
    const files = new Set(seen.filter(([n]) => n === 'download.progress').map(([, p]) => (p as { file: string }).file));
    expect(files).toEqual(new Set(['labels', 'covarep']));
  });

  it('reports a failure with the reason and refuses a second download while one runs', async () => {
    const events = new EventSink();
    const statuses: DownloadStatus[] = [];
    events.subscribe((n, p) => n === 'download.status' && statuses.push(p as DownloadStatus));
    const service = new DownloadService(events, (path) => new FileHandles().grant(path, 'read'), { ...sources(), labels: { ...source('/error-page'), fileName: 'l.csd' } });
    service.start(tempDir());
    expect(() => service.start(tempDir())).toThrow(/already running/);
    await vi.waitFor(() => expect(statuses.at(-1)?.status).toBe('failed'));
    expect(statuses.at(-1)?.error).toMatch(/HDF5/);
    expect(() => service.cancel('nope')).toThrow(/No download/);
  });
});
