import { createWriteStream, mkdirSync, renameSync, rmSync, statfsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WorkbenchError } from '@shared/api/contract';
import type { ChosenFile } from '@shared/api/entities';
import { MAX_UPLOAD_BYTES, type UploadPurpose } from '@shared/api/limits';
import { formatBytes } from '@shared/format';
import type { FileHandles } from '../platform/fileHandles';
import { diskError, sanitiseFileName } from '../platform/savedFile';

/** Space left free on the data directory's disk after an upload, for the import that follows it. */
const DISK_MARGIN_BYTES = 512 * 1024 ** 2;
/** A reserved upload whose bytes do not start arriving within this time is released. */
const RESERVATION_MS = 10 * 60 * 1000;
/** Received files nobody imported are removed after this time (their handles expire too). */
const UNUSED_FILE_MS = 6 * 60 * 60 * 1000;
/** Uploads reserved or under way at once. */
const MAX_OPEN_UPLOADS = 8;

interface Slot {
  purpose: UploadPurpose;
  fileName: string;
  bytes: number;
  reservedAt: number;
  receiving: boolean;
}

/**
 * Where a live workbench keeps its uploads: one folder per process, so two workbenches on
 * one data directory never touch each other's (reconcileDataDir removes those of processes gone).
 */
const uploadsDir = (dataDir: string) => join(dataDir, 'uploads', String(process.pid));

/**
 * Browser mode's way to bring a file onto the machine running the workbench: the page
 * reserves an upload (`uploads.begin`, checked against the size limit and the free disk space),
 * then streams the bytes with an HTTP PUT; main writes them into the data directory and hands
 * back a one-time file handle. A cancelled, cut or oversize upload leaves nothing behind, and
 * an uploaded file is removed once the request that used it is over.
 */
/** What a transport needs to hand an upload's bytes to main (the browser bridge's PUT route). */
export interface UploadReceiver {
  receive(uploadId: string, body: Readable, declaredBytes: number | null): Promise<ChosenFile>;
}

export class UploadService implements UploadReceiver {
  private readonly dir: string;
  private readonly slots = new Map<string, Slot>();
  private readonly received = new Map<string, number>();

  constructor(
    private readonly dataDir: string,
    private readonly handles: FileHandles,
    private readonly now: () => number = Date.now,
  ) {
    this.dir = uploadsDir(dataDir);
  }

  begin(request: { purpose: UploadPurpose; fileName: string; bytes: number }): { uploadId: string; url: string; maxBytes: number } {
    this.sweep();
    const maxBytes = MAX_UPLOAD_BYTES[request.purpose];
    if (request.bytes > maxBytes) {
      throw new WorkbenchError('invalid_params', `${request.fileName} is ${formatBytes(request.bytes)}, more than the ${formatBytes(maxBytes)} an upload may hold. Is it the right file? Files that large import on the machine running the workbench (npm run import or npm run bundle, which take paths).`);
    }
    if (this.slots.size >= MAX_OPEN_UPLOADS) {
      throw new WorkbenchError('conflict', `${MAX_OPEN_UPLOADS} uploads are already under way; wait for them to finish or cancel them.`);
    }
    const free = freeBytes(this.dataDir);
    if (free !== null && request.bytes + DISK_MARGIN_BYTES > free) {
      throw new WorkbenchError('storage', `The disk holding the data directory has ${formatBytes(free)} free, not enough for ${request.fileName} (${formatBytes(request.bytes)}) and its import. Free some space and try again.`);
    }
    const uploadId = randomBytes(12).toString('hex');
    this.slots.set(uploadId, { ...request, reservedAt: this.now(), receiving: false });
    return { uploadId, url: `/uploads/${uploadId}`, maxBytes };
  }

  /**
   * Receives a reserved upload's bytes. `declaredBytes` is the request's Content-Length, which
   * must equal the size reserved; the stream may not carry a byte more.
   */
  async receive(uploadId: string, body: Readable, declaredBytes: number | null): Promise<ChosenFile> {
    this.sweep();
    const slot = this.slots.get(uploadId);
    if (!slot || slot.receiving) throw new WorkbenchError('not_found', 'This upload was not reserved, has expired or is already under way. Choose the file again.');
    if (declaredBytes !== slot.bytes) {
      this.slots.delete(uploadId);
      throw new WorkbenchError('invalid_params', `The upload of ${slot.fileName} announced ${declaredBytes ?? 'no'} bytes, not the ${slot.bytes} reserved. Choose the file again.`);
    }
    slot.receiving = true;
    mkdirSync(this.dir, { recursive: true });
    const partial = join(this.dir, `${uploadId}.partial`);
    let count = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        count += chunk.length;
        if (count > slot.bytes) done(new WorkbenchError('invalid_params', `The upload of ${slot.fileName} carried more than the ${slot.bytes} bytes announced.`));
        else done(null, chunk);
      },
    });
    const out = createWriteStream(partial, { flags: 'wx' });
    try {
      await pipeline(body, limit, out);
      if (count !== slot.bytes) throw new WorkbenchError('invalid_params', `The upload of ${slot.fileName} ended after ${count} of ${slot.bytes} bytes. Try again.`);
      const file = join(this.dir, `${uploadId}-${sanitiseFileName(slot.fileName, 'upload')}`);
      renameSync(partial, file);
      this.received.set(file, this.now());
      return this.handles.grant(file, 'read', slot.bytes, { name: slot.fileName, location: `${slot.fileName} (uploaded)` });
    } catch (err) {
      // A stream destroyed while still opening its file creates it afterwards: wait for it to close.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      rmSync(partial, { force: true });
      if (err instanceof WorkbenchError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ECONNABORTED') {
        throw new WorkbenchError('conflict', `The upload of ${slot.fileName} was interrupted; nothing was kept.`);
      }
      throw diskError(err, 'the data directory', `${slot.fileName} was not uploaded`, 'choose another data directory');
    } finally {
      this.slots.delete(uploadId);
    }
  }

  /** Whether a path is one of this workbench's uploaded files. */
  isUpload(path: string): boolean {
    const inside = relative(this.dir, path);
    return inside !== '' && !inside.startsWith('..') && !inside.includes(sep);
  }

  /** Removes an uploaded file once the request that used it is over (a path that is not an upload is left alone). */
  discard(path: string): void {
    if (!this.isUpload(path)) return;
    rmSync(path, { force: true });
    this.received.delete(path);
  }

  /** Removes this process's uploads (the workbench is closing). */
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Releases stale reservations and removes received files nobody used. */
  private sweep(): void {
    const now = this.now();
    for (const [id, slot] of this.slots) if (!slot.receiving && now - slot.reservedAt > RESERVATION_MS) this.slots.delete(id);
    for (const [file, at] of this.received) if (now - at > UNUSED_FILE_MS) this.discard(file);
  }
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}
