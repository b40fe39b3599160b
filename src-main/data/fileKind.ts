import type { Stats } from 'node:fs';

/**
 * What a path that is not a regular file is, for messages ("is a FIFO (named pipe), not a file"),
 * or null for a regular file. Reading a FIFO would wait forever for a writer; a device never ends.
 */
export function nonRegularFileKind(stat: Stats): string | null {
  if (stat.isFile()) return null;
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}
