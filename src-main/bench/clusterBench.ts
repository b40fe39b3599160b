/**
 * `npm run bench -- cluster` (`--import tsx`): the Quick preset's wall time with the local
 * pool alone, then with two `npm run worker` processes on a local redis-server taking the
 * pre-training and baselines (on this machine they share its cores with the local pool),
 * and where a remote job's extra time goes: queue round trip, bundle transfer and import.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BUILTIN_DATASET_ID } from '../data/datasetService';
import { openHeadless, type Headless } from '../cli/headless';
import type { RemoteJobTiming } from '../cluster/clusterDispatch';
import { startLocalRedis, withBuiltinDataset } from './localRedis';

const ROOT = resolve(import.meta.dirname, '..', '..');

async function quickPreset(h: Headless): Promise<{ seconds: number; runs: number }> {
  const started = performance.now();
  const done = new Promise<string>((res) => h.events.subscribe((name, p) => name === 'experiment.status' && (p as { status: string }).status !== 'running' && res((p as { status: string }).status)));
  const experiment = h.experiments.start({ datasetId: BUILTIN_DATASET_ID, preset: 'quick' });
  const status = await done;
  if (status !== 'done') throw new Error(`The quick preset ended ${status}.`);
  // Counted, not derived from the plan: pre-trainings, baselines and fine-tunes as they were trained.
  return { seconds: (performance.now() - started) / 1000, runs: h.runs.ofExperiment(experiment.id).length };
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Median and max of the jobs that measured it; says so when none did (no job went to a worker). */
function ms(xs: Array<number | null>): string {
  const measured = xs.filter((x): x is number => x !== null);
  return measured.length ? `median ${median(measured).toFixed(0)} ms, max ${Math.max(...measured).toFixed(0)} ms` : 'not measured (no job went to a worker)';
}

const workDir = join(process.argv[2], 'cluster');
rmSync(workDir, { recursive: true, force: true });
const children: ChildProcess[] = [];
const redis = await startLocalRedis();
try {
  await withBuiltinDataset(join(workDir, 'local'));
  const local = await openHeadless(join(workDir, 'local'));
  const alone = await quickPreset(local);
  const pool = local.training.poolSize();
  await local.close();
  console.log(`  quick preset, local pool of ${pool}: ${alone.runs} runs in ${alone.seconds.toFixed(1)} s`);

  for (const name of ['worker-a', 'worker-b', 'main']) await withBuiltinDataset(join(workDir, name));
  children.push(await startWorker(join(workDir, 'worker-a'), redis.url), await startWorker(join(workDir, 'worker-b'), redis.url));
  const main = await openHeadless(join(workDir, 'main'), null, { redis: redis.url, allowInsecure: false });
  const timings: RemoteJobTiming[] = [];
  main.cluster!.onDelivered((t) => timings.push(t));
  const together = await quickPreset(main);
  await main.close();
  console.log(`  quick preset, local pool of ${pool} (fine-tunes) + 2 workers of 1 (pre-training, baselines): ${together.runs} runs in ${together.seconds.toFixed(1)} s (${timings.length} on the workers)`);
  console.log('  overhead per remote job:');
  console.log(`    waiting in the queue for a free worker (not overhead: the workers were busy): ${ms(timings.map((t) => t.waitMs))}`);
  console.log(`    taken by a worker -> its start heard here (training process, progress event): ${ms(timings.map((t) => t.pickupMs))}`);
  console.log(`    finished on the worker -> imported here (bundle transfer and import): ${ms(timings.map((t) => t.deliverMs))}`);
  console.log(`    of which the import itself: ${ms(timings.map((t) => t.importMs))}`);
  const bytes = timings.flatMap((t) => (t.bundleBytes === null ? [] : [t.bundleBytes]));
  console.log(`    bundle size: ${bytes.length ? `median ${(median(bytes) / 1024).toFixed(0)} KiB` : 'not measured (no job went to a worker)'}`);
} finally {
  for (const c of children) c.kill('SIGKILL');
  redis.stop();
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(0);
