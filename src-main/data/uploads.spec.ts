import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChosenFile, ImportStatus } from '@shared/api/entities';
import { MAX_UPLOAD_BYTES } from '@shared/api/limits';
import { FileHandles } from '../platform/fileHandles';
import { createWorkbench, type Workbench } from '../app/workbench';
import type { ProcessChannel } from '../platform/workerProcesses';
import { startBridge, type Bridge } from '../bridge/server';
import { forkSourceProcess } from '../cli/sourceProcesses';
import { UploadService } from './uploads';
import { fixture } from '../../test/fixturePaths';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-uploads-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Every file under the data directory's uploads folder. */
const uploadedFiles = (dataDir: string) => {
  const root = join(dataDir, 'uploads');
  return existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
};

describe('UploadService', () => {
  it('refuses an upload larger than its kind allows, or more uploads at once than it keeps open', () => {
    const uploads = new UploadService(tempDir(), new FileHandles());
    expect(() => uploads.begin({ purpose: 'bundle', fileName: 'run.json', bytes: MAX_UPLOAD_BYTES.bundle + 1 })).toThrow(/run.json is 256\.0 MB, more than the 256\.0 MB an upload may hold.*npm run/);
    for (let i = 0; i < 8; i++) uploads.begin({ purpose: 'csd', fileName: `f${i}.csd`, bytes: 10 });
    expect(() => uploads.begin({ purpose: 'csd', fileName: 'one-more.csd', bytes: 10 })).toThrow(/8 uploads are already under way/);
  });

  it('stores exactly the bytes announced and hands out a read handle naming the original file', async () => {
    const dataDir = tempDir();
    const handles = new FileHandles();
    const uploads = new UploadService(dataDir, handles);
    const { uploadId } = uploads.begin({ purpose: 'csd', fileName: '../../etc/CMU_MOSEI_Labels.csd', bytes: 5 });
    const file = await uploads.receive(uploadId, Readable.from([Buffer.from('he'), Buffer.from('llo')]), 5);
    expect(file).toMatchObject({ name: '../../etc/CMU_MOSEI_Labels.csd', bytes: 5 });
    const path = await handles.use(file.handle, 'read', 'labels file', (p) => p);
    // Stored inside this process's upload folder under a safe name, whatever the name sent.
    expect(path.startsWith(join(dataDir, 'uploads', String(process.pid)))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('hello');
    // The same reservation does not take a second body.
    await expect(uploads.receive(uploadId, Readable.from([Buffer.from('again')]), 5)).rejects.toThrow(/not reserved, has expired or is already under way/);
    uploads.discard(path);
    expect(uploadedFiles(dataDir)).toEqual([]);
  });

  it('keeps nothing of an upload whose size is not the one reserved, or that is cut off', async () => {
    const dataDir = tempDir();
    const uploads = new UploadService(dataDir, new FileHandles());
    const a = uploads.begin({ purpose: 'csd', fileName: 'a.csd', bytes: 5 });
    await expect(uploads.receive(a.uploadId, Readable.from([Buffer.from('hello')]), 6)).rejects.toThrow(/announced 6 bytes, not the 5 reserved/);
    const b = uploads.begin({ purpose: 'csd', fileName: 'b.csd', bytes: 10 });
    await expect(uploads.receive(b.uploadId, Readable.from([Buffer.from('short')]), 10)).rejects.toThrow(/ended after 5 of 10 bytes/);
    const c = uploads.begin({ purpose: 'csd', fileName: 'c.csd', bytes: 10 });
    const cut = new Readable({ read() {} });
    const receiving = uploads.receive(c.uploadId, cut, 10);
    cut.push(Buffer.from('abc'));
    cut.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(receiving).rejects.toThrow(/c.csd was interrupted; nothing was kept/);
    expect(uploadedFiles(dataDir)).toEqual([]);
  });
});

describe('uploads through the browser bridge', () => {
  const silent = (): ProcessChannel => ({ send: () => undefined, onMessage: () => undefined, onExit: () => undefined, kill: () => undefined });
  let workbench: Workbench | undefined;
  let bridge: Bridge | undefined;
  afterEach(async () => {
    await bridge?.close();
    workbench?.close();
    bridge = workbench = undefined;
  });

  async function serve(dataDir: string) {
    workbench = await createWorkbench({ dataDir, mode: 'browser', spawnProcess: (entry) => (entry === 'importer' ? forkSourceProcess('importer') : silent()) });
    const staticDir = join(dataDir, 'static');
    mkdirSync(staticDir);
    bridge = await startBridge({ workbench, staticDir });
    return { workbench, bridge };
  }

  function put(b: Bridge, url: string, body: Buffer, options: { origin?: string; cutAfter?: number } = {}): Promise<{ status: number; body: { file?: ChosenFile; error?: string } } | 'cut'> {
    return new Promise((resolve, reject) => {
      const req = request(`http://127.0.0.1:${b.port}${url}`, {
        method: 'PUT',
        headers: { 'Content-Length': body.length, Authorization: `Bearer ${b.token}`, Origin: options.origin ?? `http://127.0.0.1:${b.port}` },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : { error: text } }));
      });
      if (options.cutAfter !== undefined) {
        req.on('error', () => resolve('cut'));
        req.write(body.subarray(0, options.cutAfter), () => setTimeout(() => req.destroy(), 50));
        return;
      }
      req.on('error', reject);
      req.end(body);
    });
  }

  async function begin(wb: Workbench, fileName: string, bytes: number) {
    const reply = await wb.dispatch('uploads.begin', { purpose: 'csd', fileName, bytes });
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.result as { uploadId: string; url: string };
  }

  it('uploads the two .csd files, imports them by handle, then removes the uploaded copies', async () => {
    const dataDir = tempDir();
    const { workbench: wb, bridge: b } = await serve(dataDir);
    const handles: Record<string, string> = {};
    for (const [role, name] of [['labels', 'CMU_MOSEI_Labels.csd'], ['covarep', 'CMU_MOSEI_COVAREP.csd']] as const) {
      const bytes = readFileSync(fixture('mosei-mini', name));
      const { url } = await begin(wb, name, bytes.length);
      const answer = await put(b, url, bytes);
      expect(answer).toMatchObject({ status: 201, body: { file: { name, bytes: bytes.length } } });
      handles[role] = (answer as { body: { file: ChosenFile } }).body.file.handle;
    }
    expect(uploadedFiles(dataDir)).toHaveLength(2);
    const statuses: ImportStatus[] = [];
    wb.events.subscribe((name, payload) => name === 'import.status' && statuses.push(payload as ImportStatus));
    const reply = await wb.dispatch('datasets.import', { covarep: handles.covarep, labels: handles.labels, name: 'uploaded mini' });
    expect(reply.ok).toBe(true);
    await vi.waitFor(() => expect(statuses.at(-1)?.status).toBe('done'), { timeout: 30_000 });
    expect(uploadedFiles(dataDir)).toEqual([]);
    const datasets = await wb.dispatch('datasets.list', {});
    expect(datasets.ok && (datasets.result as Array<{ name: string }>).map((d) => d.name)).toContain('uploaded mini');
  });

  it('names an uploaded file by its own name in an import failure, never by its copy in the data directory', async () => {
    const dataDir = tempDir();
    const { workbench: wb, bridge: b } = await serve(dataDir);
    const upload = async (name: string, bytes: Buffer) => {
      const { url } = await begin(wb, name, bytes.length);
      return ((await put(b, url, bytes)) as { body: { file: ChosenFile } }).body.file.handle;
    };
    const covarep = await upload('my words.csd', readFileSync(fixture('real', 'CMU_MOSI_ModifiedTimestampedWords.csd')));
    const labels = await upload('CMU_MOSEI_Labels.csd', readFileSync(fixture('mosei-mini', 'CMU_MOSEI_Labels.csd')));
    const statuses: ImportStatus[] = [];
    wb.events.subscribe((name, payload) => name === 'import.status' && statuses.push(payload as ImportStatus));
    expect((await wb.dispatch('datasets.import', { covarep, labels })).ok).toBe(true);
    await vi.waitFor(() => expect(statuses.at(-1)?.status).toBe('failed'), { timeout: 30_000 });
    const error = statuses.at(-1)!.error!;
    expect(error).toMatch(/^my words\.csd: the features of .* are text/);
    expect(error).not.toContain(dataDir);
    expect(uploadedFiles(dataDir)).toEqual([]);
  });

  it('keeps nothing of an upload the page cancels mid-way, and refuses one from another origin', async () => {
    const dataDir = tempDir();
    const { workbench: wb, bridge: b } = await serve(dataDir);
    const body = Buffer.alloc(4 * 1024 * 1024, 7);
    const { url } = await begin(wb, 'big.csd', body.length);
    expect(await put(b, url, body, { cutAfter: 1024 * 1024 })).toBe('cut');
    await vi.waitFor(() => expect(uploadedFiles(dataDir)).toEqual([]));
    // The reservation is gone with the cut upload.
    expect(await put(b, url, body)).toMatchObject({ status: 404 });
    const other = await begin(wb, 'x.csd', 3);
    expect(await put(b, other.url, Buffer.from('abc'), { origin: 'http://evil.example' })).toMatchObject({ status: 403 });
    expect(uploadedFiles(dataDir)).toEqual([]);
    // The desktop app takes no uploads.
    const desktop = await createWorkbench({ dataDir: tempDir(), mode: 'electron', spawnProcess: silent, pickPath: async () => null });
    expect(await desktop.dispatch('uploads.begin', { purpose: 'csd', fileName: 'a.csd', bytes: 3 })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    desktop.close();
  });
});
