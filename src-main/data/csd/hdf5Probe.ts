import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { nonRegularFileKind } from '../fileKind';

/**
 * Checks a file's first bytes before handing it to libhdf5, whose own errors ("unable to open
 * file") do not tell a researcher what went wrong. Reads a few bytes only, never the whole file.
 */
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Returns why the file cannot be an intact HDF5 file, or null when its header looks sound. */
export function hdf5Problem(path: string): string | null {
  let size: number;
  try {
    const stat = statSync(path);
    const kind = nonRegularFileKind(stat);
    if (kind) return `is ${kind}, not a .csd file. Choose the .csd file itself.`;
    size = stat.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'file not found. Check the path.' : `cannot be read (${code ?? String(error)}). Check the path and that you may read the file.`;
  }
  if (size === 0) return 'is empty (0 bytes); the download probably failed.';

  const fd = openSync(path, 'r');
  try {
    const signatureAt = findSignature(fd, size);
    if (signatureAt === null) return `is not an HDF5 file, so not a computational sequence (.csd).${guessContent(readBytes(fd, 0, 8))}`;
    const storedEof = declaredEndOfFile(fd, signatureAt);
    if (storedEof !== null && size < storedEof) {
      return (
        `is truncated: it holds ${size.toLocaleString('en-US')} bytes but its HDF5 header says the file is ` +
        `${storedEof.toLocaleString('en-US')} bytes long. The download was probably interrupted; download it again.`
      );
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

function readBytes(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read);
}

/** HDF5 allows a user block before the superblock: the signature sits at 0, 512, 1024, 2048, ... */
function findSignature(fd: number, size: number): number | null {
  for (let offset = 0; offset + HDF5_SIGNATURE.length <= size; offset = offset === 0 ? 512 : offset * 2) {
    if (readBytes(fd, offset, HDF5_SIGNATURE.length).equals(HDF5_SIGNATURE)) return offset;
  }
  return null;
}

/** The superblock's "end of file address" (HDF5 spec, superblock versions 0-3), or null if unknown. */
function declaredEndOfFile(fd: number, superblock: number): number | null {
  const header = readBytes(fd, superblock, 48);
  if (header.length < 16) return null;
  const version = header[8];
  const offsetSize = version <= 1 ? header[13] : header[9];
  const firstAddress = version === 0 ? 24 : version === 1 ? 28 : 12;
  if (version > 3 || ![2, 4, 8].includes(offsetSize)) return null;
  // Addresses in order: base, free-space info (v0/1) or superblock extension (v2/3), end of file.
  const at = firstAddress + 2 * offsetSize;
  if (header.length < at + offsetSize) return null;
  const field = header.subarray(at, at + offsetSize);
  if (field.every((byte) => byte === 0xff)) return null; // "undefined address"
  return offsetSize === 8 ? Number(field.readBigUInt64LE(0)) : field.readUIntLE(0, offsetSize);
}

/** A hint for the usual ways a download goes wrong. */
function guessContent(head: Buffer): string {
  if (head.length === 0) return '';
  if (head[0] === 0x1f && head[1] === 0x8b) return ' It is gzip-compressed: decompress it first.';
  if (head[0] === 0x50 && head[1] === 0x4b) return ' It is a zip archive: extract the .csd from it first.';
  const text = head.toString('latin1').trimStart();
  if (text.startsWith('<')) return ' It looks like a web page (HTML/XML), perhaps an error page saved in place of the download.';
  if (/^[\x20-\x7e\s]+$/.test(head.toString('latin1'))) return ' It looks like a text file.';
  return '';
}
