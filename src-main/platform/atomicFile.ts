import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file whole or not at all: under a hidden temporary name beside it (this process's
 * own, so two writers never share one), then renamed into place. A kill leaves the old file or
 * the new one, never half of one; a failed write (a full disk) removes the temporary file and
 * throws the file system's error for the caller to put in words.
 */
export function writeFileAtomically(path: string, data: string | Uint8Array): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}
