/**
 * `npm run bench -- cluster` (`--import tsx`): the Quick preset's wall time with the local
 * pool alone, then with two `npm run worker` processes on a local redis-server taking the
 * pre-training and baselines (on this machine they share its cores with the local pool),
 * and where a remote job's extra time goes: queue round trip, bundle transfer and import.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openHeadless, type Headless } from '../cli/headless';
import { startLocalRedis } from './localRedis';

const ROOT = resolve(import.meta.dirname, '..', '..');

async function quickPreset(h: Headless): Promise<{ seconds: number; runs: number }> {
  const started = performance.now();
  const done = new Promise<string>((res) => h.events.subscribe((name, p) => name === 'experiment.status' && (p as { status: string }).status !== 'running' && res((p as { status: string }).status)));
  const { runsTotal } = h.experiments.start({ datasetId: 'builtin-small', preset: 'quick' });
  const status = await done;
  if (status !== 'done') throw new Error(`The quick preset ended ${status}.`);
  return { seconds: (performance.now() - started) / 1000, runs: runsTotal + 1 };
}

function startWorker(dataDir: string, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/worker.ts', '--redis', url, '--data-dir', dataDir, '--workers', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Taking jobs')) res(child);
    });
    child.once('exit', (code) => rej(new Error(`A worker exited (code ${code}): ${out}`)));
  });
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

const workDir = join(process.argv[2], 'cluster');
rmSync(workDir, { recursive: true, force: true });
const children: ChildProcess[] = [];
const redis = await startLocalRedis();
try {
  const local = await openHeadless(join(workDir, 'local'));
  const alone = await quickPreset(local);
  const pool = local.training.poolSize();
  await local.close();
  console.log(`  quick preset, local pool of ${pool}: ${alone.runs} runs in ${alone.seconds.toFixed(1)} s`);

  for (const name of ['worker-a', 'worker-b']) {
    const prepared = await openHeadless(join(workDir, name));
    await prepared.close();
  }
  children.push(await startWorker(join(workDir, 'worker-a'), redis.url), await startWorker(join(workDir, 'worker-b'), redis.url));
  const main = await openHeadless(join(workDir, 'main'), null, { redis: redis.url, allowInsecure: false });
  const together = await quickPreset(main);
  const timings = main.cluster!.timings;
  await main.close();
  console.log(`  quick preset, local pool of ${pool} (fine-tunes) + 2 workers of 1 (pre-training, baselines): ${together.runs} runs in ${together.seconds.toFixed(1)} s (${timings.length} on the workers)`);
  const ms = (xs: Array<number | null>) => `median ${median(xs.filter((x): x is number => x !== null)).toFixed(0)} ms, max ${Math.max(...xs.filter((x): x is number => x !== null)).toFixed(0)} ms`;
  console.log('  overhead per remote job:');
  console.log(`    waiting in the queue for a free worker (not overhead: the workers were busy): ${ms(timings.map((t) => t.waitMs))}`);
  console.log(`    taken by a worker -> its start heard here (training process, progress event): ${ms(timings.map((t) => t.pickupMs))}`);
  console.log(`    finished on the worker -> imported here (bundle transfer and import): ${ms(timings.map((t) => t.deliverMs))}`);
  console.log(`    of which the import itself: ${ms(timings.map((t) => t.importMs))}`);
  console.log(`    bundle size: median ${(median(timings.map((t) => t.bundleBytes ?? 0)) / 1024).toFixed(0)} KiB`);
} finally {
  for (const c of children) c.kill('SIGKILL');
  redis.stop();
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(0);
