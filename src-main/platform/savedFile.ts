import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { WorkbenchError } from '@shared/api/contract';
import type { SavedFile } from '@shared/api/entities';
import { writeFileAtomically } from './atomicFile';

/**
 * A file name safe on every desktop system: no folders, no characters Windows or a shell
 * would trip on, no leading dots, not empty, at most 120 characters (extension kept).
 */
export function sanitiseFileName(name: string, fallback = 'export'): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKD')
    .replace(/[^\w.\- ]+/g, '-')
    .replace(/\s+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.\-]+/, '')
    .replace(/[.\- ]+$/, '');
  const reserved = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
  const safe = cleaned && !reserved.test(cleaned) ? cleaned : fallback;
  if (safe.length <= 120) return safe;
  const dot = safe.lastIndexOf('.');
  const ext = dot > 0 && safe.length - dot <= 10 ? safe.slice(dot) : '';
  return safe.slice(0, 120 - ext.length) + ext;
}

/**
 * A full or unwritable disk as a message that says what became of the user's file and what to
 * do about it; any other error is returned unchanged.
 */
export function diskError(err: unknown, folder: string, outcome: string, remedy: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new WorkbenchError('storage', `The disk holding ${folder} is full: ${outcome}. Free some space and try again.`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new WorkbenchError('storage', `${folder} cannot be written (${code}): ${outcome}. Check its permissions, or ${remedy}.`);
  return err;
}

/**
 * Writes an export where the user chose (the desktop save dialog's path), or hands the
 * content back for the browser to download under a sanitised name. The chosen path's folder
 * must exist and the file lands directly in it, so nothing is written anywhere else.
 * The write goes to a temporary file first: a full disk leaves no half-written file.
 */
export function saveForUser(file: { fileName: string; mimeType: string; content: string }, chosenPath: string | undefined): SavedFile {
  const fileName = sanitiseFileName(file.fileName);
  if (chosenPath === undefined) return { fileName, mimeType: file.mimeType, path: null, content: file.content };
  const folder = resolve(dirname(chosenPath));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new WorkbenchError('not_found', `The folder ${folder} does not exist. Choose an existing folder to save ${fileName} in.`);
  }
  // The dialog (or --out) named the file: keep the user's name; only a bare folder gets ours.
  const chosenName = basename(chosenPath);
  const name = chosenName && chosenName !== '.' && chosenName !== '..' ? chosenName : fileName;
  const target = join(folder, name);
  try {
    writeFileAtomically(target, file.content);
  } catch (err) {
    throw diskError(err, folder, `${name} was not saved`, 'choose another folder');
  }
  return { fileName: name, mimeType: file.mimeType, path: target, content: null };
}
