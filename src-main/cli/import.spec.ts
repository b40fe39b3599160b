import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCovarep, goodRows, labelsFor, NEUTRAL, writeCsdPair, type CsdPair } from '../../test/csdVariants';

/** `npm run import` as a researcher runs it: the same checks and summary as the app. */

const ROOT = resolve(import.meta.dirname, '..', '..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wb-import-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runImport(pair: CsdPair, dataDir: string): Promise<CliResult> {
  const args = ['--import', 'tsx', 'src-main/cli/import.ts', '--covarep', pair.covarepPath, '--labels', pair.labelsPath, '--data-dir', dataDir];
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: ROOT, env: { ...process.env, INIT_CWD: dir } }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run import', () => {
  it('prints the segments left out for their labels, per kind, and imports the rest', async () => {
    const rows = (video: string) =>
      video === 'vidA'
        ? [
            { interval: [0, 1] as [number, number], values: [Number.POSITIVE_INFINITY, 1, 0, 0, 0, 0, 0] },
            { interval: [1, 2] as [number, number], values: [1, 1, -1, 0, 0, 0, 0] },
            { interval: [2, 3] as [number, number], values: [...NEUTRAL] },
          ]
        : goodRows();
    const pair = await writeCsdPair(join(dir, 'labels-pair'), defaultCovarep(), labelsFor(rows));
    const result = await runImport(pair, join(dir, 'data-labels'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/4 segments of 2 videos imported/);
    expect(result.stdout).toMatch(/2 segments were left out because a label .*: sentiment: 1 NaN or infinite; sadness: 1 outside 0\.\.3\./);
    expect(result.stdout).toMatch(/Imported: dataset /);
  });

  it('refuses a pair with no usable segment, saying why, and exits 1', async () => {
    const empty = () => [0, 1, 2].map((s) => ({ interval: [s, s] as [number, number], values: [...NEUTRAL] }));
    const pair = await writeCsdPair(join(dir, 'empty-pair'), defaultCovarep(), labelsFor(empty));
    const result = await runImport(pair, join(dir, 'data-empty'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Import failed: .*CMU_MOSEI_Labels\.csd: no usable segment, so nothing was imported.*6 have a zero-length interval/);
    expect(result.stdout).not.toMatch(/Imported/);
  });

  it.skipIf(process.platform === 'win32')('says a FIFO is a FIFO, not a folder', async () => {
    const fifo = join(dir, 'labels.fifo');
    execFileSync('mkfifo', [fifo]);
    const pair = await writeCsdPair(join(dir, 'fifo-pair'), defaultCovarep(), labelsFor(goodRows));
    const result = await runImport({ covarepPath: pair.covarepPath, labelsPath: fifo }, join(dir, 'data-fifo'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The labels path is a FIFO \(named pipe\), not a file: .*labels\.fifo/);
    expect(result.stderr).not.toMatch(/folder/);
  });
});
