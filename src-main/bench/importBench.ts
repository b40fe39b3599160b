import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportSyntheticCsd } from '../data/syntheticCsd';
import type { SyntheticParams } from '../data/synthetic';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** About 230 MB of COVAREP at gzip level 1 (random-like floats barely compress). */
const BENCH_CSD: SyntheticParams = { seed: 99, segments: 2200, segmentsPerVideo: 7, minFrames: 150, maxFrames: 600 };

/** Import throughput (MB/s of .csd read) and the import process's peak memory, on a generated CSD of at least 200 MB. */
export async function importBenchmark(workDir: string): Promise<Record<string, number>> {
  const csdDir = join(workDir, 'csd');
  mkdirSync(csdDir, { recursive: true });
  let paths = { covarepPath: join(csdDir, 'SYNTHETIC_COVAREP.csd'), labelsPath: join(csdDir, 'SYNTHETIC_Labels.csd') };
  if (!existsSync(paths.covarepPath) || !existsSync(paths.labelsPath)) {
    process.stderr.write('Generating a synthetic COVAREP .csd for the import benchmark (kept for later runs)…\n');
    paths = await exportSyntheticCsd(BENCH_CSD, csdDir, 1);
  }
  const dataDir = join(workDir, 'import-data');
  rmSync(dataDir, { recursive: true, force: true });
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src-main/bench/importOnce.ts'), paths.covarepPath, paths.labelsPath, dataDir], { cwd: ROOT, encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').at(-1)!) as { seconds: number; bytes: number; segments: number; maxRssMB: number };
  rmSync(dataDir, { recursive: true, force: true });
  return {
    'csd size (MB)': statSync(paths.covarepPath).size / 2 ** 20,
    'segments': r.segments,
    'import seconds': r.seconds,
    'import throughput (MB/s)': r.bytes / 2 ** 20 / r.seconds,
    'import peak RSS (MB)': r.maxRssMB,
  };
}
