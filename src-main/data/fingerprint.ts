import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

/** Bumped when the import's output would change for the same input files. */
export const IMPORT_FORMAT_VERSION = 'align-sdk-1';

/**
 * A content fingerprint of the files an import reads: SHA-256 over their bytes, so a
 * re-import of the same files is recognised however they were copied or renamed, and a
 * changed file is noticed even if its size and date were kept.
 */
export async function fingerprintFiles(
  paths: string[],
  onProgress?: (bytesDone: number, bytesTotal: number) => void,
): Promise<string> {
  const total = paths.reduce((sum, p) => sum + statSync(p).size, 0);
  const hash = createHash('sha256').update(IMPORT_FORMAT_VERSION);
  let done = 0;
  for (const path of paths) {
    hash.update(`\0${statSync(path).size}\0`);
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) {
      hash.update(chunk as Buffer);
      done += (chunk as Buffer).length;
      onProgress?.(done, total);
    }
  }
  return hash.digest('hex').slice(0, 16);
}
