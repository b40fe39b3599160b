import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const scriptRoot = mkdtempSync(join(tmpdir(), 'wb-wasm-threads-'));
afterAll(() => rmSync(scriptRoot, { recursive: true, force: true }));

interface Probe {
  threads: number | null;
  pretrainLosses: number[];
  baselineLosses: number[];
  encoder: number[];
  model: number[];
}

/** Runs threadedStepProbe.ts in a process of its own (a backend is chosen once per process). */
async function probe(threads: number, mode: 'threaded' | 'single' = 'threaded'): Promise<Probe> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src-main/training/threadedStepProbe.ts', String(threads), scriptRoot, mode], {
    cwd: ROOT,
    timeout: 120_000,
    maxBuffer: 64 * 2 ** 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Probe;
}

/** Largest |a - b| / max(|b|, 1e-3) over two equally long arrays. */
function largestRelativeError(a: number[], b: number[]): number {
  expect(a).toHaveLength(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]) / Math.max(Math.abs(b[i]), 1e-3)), 0);
}

describe('multi-threaded WASM in Node', () => {
  it('starts with 2 XNNPACK threads, and its training steps equal one thread and the single-threaded build', async () => {
    const [two, one, single] = await Promise.all([probe(2), probe(1), probe(1, 'single')]);
    // Fails if a tfjs upgrade changes how the threaded build loads its scripts or sizes its pool.
    expect(two.threads).toBe(2);
    expect(one.threads).toBe(1);
    expect(single.threads).toBeNull();
    for (const other of [one, single]) {
      expect(largestRelativeError(two.pretrainLosses, other.pretrainLosses)).toBeLessThan(1e-5);
      expect(largestRelativeError(two.baselineLosses, other.baselineLosses)).toBeLessThan(1e-5);
      expect(largestRelativeError(two.encoder, other.encoder)).toBeLessThan(1e-4);
      expect(largestRelativeError(two.model, other.model)).toBeLessThan(1e-4);
    }
    // The scripts it runs from are files: the package's own, behind a prelude of the globals they expect.
    const [folder] = readdirSync(scriptRoot);
    expect(readdirSync(join(scriptRoot, folder)).sort()).toEqual(['main.js', 'worker.cjs']);
    const worker = readFileSync(join(scriptRoot, folder, 'worker.cjs'), 'utf8');
    expect(worker).toContain('require$$4');
    expect(worker).toContain(JSON.stringify(join(scriptRoot, folder, 'main.js')));
    expect(readFileSync(join(scriptRoot, folder, 'main.js'), 'utf8')).toMatch(/^var WasmBackendModuleThreadedSimd/);
  }, 180_000);
});
