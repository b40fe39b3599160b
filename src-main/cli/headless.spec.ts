import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { NEGATIVE_CONTROL_ID, POSITIVE_CONTROL_ID } from '@shared/data/controls';
import { datasetExists } from '../data/datasetFiles';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { withHeadless, type Headless } from './headless';

const root = resolve(import.meta.dirname, '../..');
/** A command that opens the data directory like every other (openHeadless), then stops: the experiment it asks for does not exist. */
const exportMissing = (dataDir: string) =>
  promisify(execFile)(resolve(root, 'node_modules/.bin/tsx'), [resolve(root, 'src-main/cli/export.ts'), '--experiment', '7', '--format', 'md', '--out', dataDir, '--data-dir', dataDir], { cwd: root }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('commands opening a data directory without the built-in datasets at once', () => {
  it('all create them, they are recorded once, and none fails for the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-headless-race-'));
    dirs.push(dir);
    openDatabase(dir).close(); // a store from before the controls existed
    const outcomes = await Promise.all([exportMissing(dir), exportMissing(dir), exportMissing(dir)]);
    for (const outcome of outcomes) {
      expect(outcome.stderr).not.toMatch(/already exists|ENOTEMPTY|EEXIST/);
      expect(outcome).toMatchObject({ code: 1, stderr: expect.stringMatching(/Experiment 7 does not exist/) });
    }
    const db = openDatabase(dir);
    const datasets = new DatasetRepository(db).list();
    db.close();
    expect(datasets.map((d) => d.id)).toEqual([POSITIVE_CONTROL_ID, NEGATIVE_CONTROL_ID]);
    for (const { id } of datasets) expect(datasetExists(dir, id)).toBe(true);
  }, 120_000);
});

describe('withHeadless', () => {
  it('has closed the store and stopped training when it returns what `use` gave, or throws what `use` threw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-headless-with-'));
    dirs.push(dir);
    const opened: Headless[] = [];
    expect(await withHeadless(dir, (headless) => (opened.push(headless), 7))).toBe(7);
    await expect(withHeadless(dir, async (headless) => {
      opened.push(headless);
      throw new Error('Run 3 does not exist.');
    })).rejects.toThrow('Run 3 does not exist.');
    expect(opened.map((h) => h.db.open)).toEqual([false, false]);
  }, 120_000);
});
