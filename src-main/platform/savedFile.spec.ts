import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diskError, sanitiseFileName, saveForUser } from './savedFile';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wb-saved-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('file names the workbench makes up', () => {
  it.each([
    ['table1-experiment-3.md', 'table1-experiment-3.md'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\boot.ini', 'boot.ini'],
    ['.hidden', 'hidden'],
    ['run 12: "best" <seed>|?.json', 'run-12-best-seed-.json'],
    ['CON.md', 'export'],
    ['', 'export'],
    ['...', 'export'],
  ])('%j becomes %j', (name, safe) => {
    expect(sanitiseFileName(name)).toBe(safe);
  });

  it('keep at most 120 characters and their extension', () => {
    const safe = sanitiseFileName(`${'x'.repeat(300)}.mosei-run.json`);
    expect(safe).toHaveLength(120);
    expect(safe.endsWith('.json')).toBe(true);
  });
});

describe('saving an export', () => {
  it('hands the content back for a browser download, under a sanitised name', () => {
    expect(saveForUser({ fileName: '../t1.md', mimeType: 'text/markdown', content: '| a |' }, undefined)).toEqual({
      fileName: 't1.md', mimeType: 'text/markdown', path: null, content: '| a |',
    });
  });

  it('writes the file the user chose, under the name they gave, in that folder only', () => {
    const folder = tempDir();
    const saved = saveForUser({ fileName: 'table1.md', mimeType: 'text/markdown', content: 'x' }, join(folder, 'Table 1 (final).md'));
    expect(saved).toEqual({ fileName: 'Table 1 (final).md', mimeType: 'text/markdown', path: join(folder, 'Table 1 (final).md'), content: null });
    expect(readFileSync(saved.path!, 'utf8')).toBe('x');
    expect(readdirSync(folder)).toEqual(['Table 1 (final).md']);
  });

  it('refuses a folder that does not exist instead of creating it', () => {
    const missing = join(tempDir(), 'no', 'such');
    expect(() => saveForUser({ fileName: 't.md', mimeType: 'text/markdown', content: 'x' }, join(missing, 't.md'))).toThrow(/does not exist/);
    expect(existsSync(missing)).toBe(false);
  });

  it.skipIf(process.getuid?.() === 0)('says so when the folder cannot be written, and leaves no partial file', () => {
    const folder = join(tempDir(), 'locked');
    mkdirSync(folder);
    chmodSync(folder, 0o500);
    try {
      expect(() => saveForUser({ fileName: 't.md', mimeType: 'text/markdown', content: 'x' }, join(folder, 't.md'))).toThrow(/cannot be written \(EACCES\)/);
      expect(readdirSync(folder)).toEqual([]);
    } finally {
      chmodSync(folder, 0o700);
    }
  });
});

describe('disk errors', () => {
  const error = (code: string) => Object.assign(new Error(code), { code });
  it('say what became of the file and what to do; other errors pass through', () => {
    expect(diskError(error('ENOSPC'), '/out', 't1.md was not saved', 'choose another folder')).toMatchObject({
      code: 'storage', message: 'The disk holding /out is full: t1.md was not saved. Free some space and try again.',
    });
    for (const code of ['EACCES', 'EPERM', 'EROFS']) {
      expect(diskError(error(code), '/out', 't1.md was not saved', 'choose another folder')).toMatchObject({
        code: 'storage', message: `/out cannot be written (${code}): t1.md was not saved. Check its permissions, or choose another folder.`,
      });
    }
    const other = error('EIO');
    expect(diskError(other, '/out', 'x', 'y')).toBe(other);
  });
});
