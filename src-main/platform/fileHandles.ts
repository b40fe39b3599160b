import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { WorkbenchError } from '@shared/api/contract';
import type { ChosenFile, FileHandle } from '@shared/api/entities';

/**
 * What a handle lets a request do with its path: read a file, write (save) a file, or put
 * files into a folder.
 */
export type FileAccess = 'read' | 'save' | 'folder';

interface Grant {
  path: string;
  /** The name the user knows the file by (an upload's original name). */
  name: string;
  access: FileAccess;
  expires: number;
  /** A request is working on the file right now. */
  inUse: boolean;
}

/** A handle not used within this time is forgotten: the user chooses the file again. */
const HANDLE_LIFETIME_MS = 6 * 60 * 60 * 1000;

const ACCESS_WORDS: Record<FileAccess, string> = { read: 'a file to read', save: 'a place to save a file', folder: 'a folder' };

/**
 * The only way a request from a window reaches a path on this machine. Main hands out an
 * opaque handle for each path it vouches for (one the desktop's dialog returned, an upload it
 * received, a download it made) and a request carries the handle; the handle is good for one
 * successful use, for the kind of access it was made for, for a few hours. A page that never got a handle from main (any
 * page holding the browser-mode token, a compromised renderer) can name no path at all.
 */
export class FileHandles {
  private readonly grants = new Map<FileHandle, Grant>();

  constructor(private readonly now: () => number = Date.now) {}

  grant(path: string, access: FileAccess, bytes: number | null = null, label?: { name: string; location: string }): ChosenFile {
    this.forgetExpired();
    const handle = `fh-${randomBytes(18).toString('base64url')}`;
    const name = label?.name ?? basename(path);
    this.grants.set(handle, { path, name, access, expires: this.now() + HANDLE_LIFETIME_MS, inUse: false });
    return { handle, name, location: label?.location ?? path, bytes };
  }

  /**
   * Runs `work` on the path behind a handle. The handle is used up when the work succeeds;
   * when it fails (a refusal the user can answer, such as importing a duplicate as a copy),
   * the handle stays good so the same file can be tried again without choosing it anew.
   * `what` names the file in the message for a handle that is unknown, spent, expired, in use
   * or of another kind of access.
   */
  async use<T>(handle: FileHandle, access: FileAccess, what: string, work: (path: string, name: string) => T | Promise<T>): Promise<T> {
    const grant = this.grants.get(handle);
    if (!grant || grant.expires < this.now()) {
      this.grants.delete(handle);
      throw new WorkbenchError('invalid_params', `The ${what} is no longer available to this window (it was used already, or chosen too long ago). Choose it again.`);
    }
    if (grant.access !== access) {
      throw new WorkbenchError('invalid_params', `The ${what} was chosen as ${ACCESS_WORDS[grant.access]}, not as ${ACCESS_WORDS[access]}. Choose it again.`);
    }
    if (grant.inUse) throw new WorkbenchError('conflict', `The ${what} is being used by another request; wait for it to finish.`);
    grant.inUse = true;
    try {
      const result = await work(grant.path, grant.name);
      this.grants.delete(handle);
      return result;
    } finally {
      grant.inUse = false;
    }
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [handle, grant] of this.grants) if (grant.expires < now) this.grants.delete(handle);
  }
}
