/**
 * Sweeps across machines, end to end: a real redis-server on a free loopback port, three
 * `npm run worker` processes (two holding the built-in dataset in their own data
 * directories, one holding only the negative control) and a headless workbench. Slow (a few minutes): the Quick
 * preset with two label counts and one repeat, run once locally for reference and once on
 * the cluster, where one worker is killed with SIGKILL in the middle of the pre-training.
 *
 * Determinism: both sides train on single-threaded WASM (MOSEI_BACKEND=wasm,
 * MOSEI_WASM_THREADS=0) with one training process each, so the same seeds give the same
 * numbers bit for bit whatever share of cores the local pool would hand out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterStatus, RunDetail } from '@shared/api/entities';
import { CONTROL_NAMES, NEGATIVE_CONTROL, NEGATIVE_CONTROL_ID } from '@shared/data/controls';
import { openHeadless, type Headless } from '../cli/headless';
import { openDataDir } from '../app/openDataDir';
import { BUILTIN_DATASET_ID, DatasetService } from '../data/datasetService';
import { DatasetRepository } from '../store/datasets';
import { SplitRepository } from '../store/splits';
import { EventSink } from '../platform/events';
import { ClusterDispatch } from './clusterDispatch';
import { ANNOUNCEMENT_TTL_MS, queueName, workerKey, type WorkerAnnouncement } from './protocol';
import { parseRedisUrl } from './redisUrl';
import { freePort, REDIS_SERVER, spawnRedis, startLocalRedis, withBuiltinDataset } from '../bench/localRedis';
import { until } from '../../test/until';

const ROOT = resolve(import.meta.dirname, '..', '..');
process.env.MOSEI_BACKEND = 'wasm';
// Single-threaded WASM on both sides: the local pool shares free cores out as threads, which a worker's processes do not.
process.env.MOSEI_WASM_THREADS = '0';

interface WorkerProcess {
  name: string;
  child: ChildProcess;
  output: string;
  id: string | null;
}

const root = mkdtempSync(join(tmpdir(), 'wb-cluster-'));
const started: ChildProcess[] = [];
let redisUrl = '';
const workers: WorkerProcess[] = [];

/** `npm run worker`, in its own process group so SIGKILL takes its training process down with it, as a machine that dies would. */
function startWorker(name: string, dataDir: string): WorkerProcess {
  const child = spawn('npm', ['run', '--silent', 'worker', '--', '--redis', redisUrl, '--data-dir', dataDir, '--workers', '1'], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, MOSEI_BACKEND: 'wasm', MOSEI_WASM_THREADS: '0', INIT_CWD: ROOT },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const worker: WorkerProcess = { name, child, output: '', id: null };
  const read = (chunk: Buffer) => {
    worker.output += chunk.toString();
    worker.id ??= /Worker ([0-9a-f-]{36}) on/.exec(worker.output)?.[1] ?? null;
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', read);
  return worker;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL'); // its group: npm, the worker and its training process
  } catch {
    child.kill('SIGKILL'); // not a group leader (redis-server)
  }
}

/** A data directory holding the negative control alone: a worker on it listens on a queue, but not on the sweep's. */
async function withNegativeControlOnly(dir: string): Promise<void> {
  const { db } = openDataDir(dir);
  try {
    await new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db)).ensureSynthetic(NEGATIVE_CONTROL_ID, CONTROL_NAMES.negative, NEGATIVE_CONTROL);
  } finally {
    db.close();
  }
}

/** Runs the plan to its end; returns its runs, keyed by what they are in the sweep. */
async function sweep(h: Headless, onEvent: (name: string, payload: unknown) => void = () => undefined): Promise<Map<string, RunDetail>> {
  const unsubscribe = h.events.subscribe(onEvent);
  const ended = new Promise<{ id: number; status: string; error: string | null }>((res) =>
    h.events.subscribe((name, payload) => {
      if (name === 'experiment.status' && (payload as { status: string }).status !== 'running') res(payload as { id: number; status: string; error: string | null });
    }),
  );
  const experiment = h.experiments.start({ datasetId: BUILTIN_DATASET_ID, preset: 'quick', labelCounts: [20, 50], repeats: 1 });
  const outcome = await ended;
  unsubscribe();
  expect(outcome).toMatchObject({ id: experiment.id, status: 'done', error: null });
  const runs = h.runs.ofExperiment(experiment.id).map((r) => h.runs.detail(r.id));
  return new Map(runs.map((r) => [`${r.kind}-${r.labelCount ?? ''}`, r]));
}

/** What a reproduction compares: every epoch's losses and every metric, exactly. */
const outcomeOf = (r: RunDetail) => ({
  status: r.status,
  backend: r.backend,
  epochs: r.epochs.map(({ epoch, loss, valLoss, maskedLoss, valMaskedLoss }) => ({ epoch, loss, valLoss, maskedLoss, valMaskedLoss })),
  metrics: r.metrics,
  testMetrics: r.testMetrics,
});

describe.skipIf(!REDIS_SERVER)('sweeps on a cluster of workers (real redis-server and npm run worker)', () => {
  beforeAll(async () => {
    const redis = await startLocalRedis();
    started.push(redis.process);
    redisUrl = redis.url;
    await Promise.all([...['worker-a', 'worker-b'].map((w) => withBuiltinDataset(join(root, w))), withNegativeControlOnly(join(root, 'worker-other'))]);
    workers.push(startWorker('a', join(root, 'worker-a')), startWorker('b', join(root, 'worker-b')), startWorker('other', join(root, 'worker-other')));
    await until('three workers to announce themselves', () => workers.every((w) => /Worker [0-9a-f-]{36} on/.test(w.output)), 90_000, 200);
  }, 120_000);

  afterAll(async () => {
    for (const child of started) killGroup(child);
    await new Promise((r) => setTimeout(r, 300));
    rmSync(root, { recursive: true, force: true });
  });

  it('runs pre-training and baselines on the workers and fine-tunes here, equal to a local run; a worker killed mid-job loses nothing; one holding another dataset takes nothing', async () => {
    await withBuiltinDataset(join(root, 'local'));
    const local = await openHeadless(join(root, 'local'), 1);
    const reference = await sweep(local);
    await local.close();

    await withBuiltinDataset(join(root, 'main'));
    const main = await openHeadless(join(root, 'main'), 1, { redis: redisUrl, allowInsecure: false });
    try {
      const cluster = main.cluster!;
      const status = await until('the workbench to see three workers', () => {
        const s: ClusterStatus = cluster.status();
        return s.state === 'connected' && s.workers.length === 3 && s;
      }, 30_000, 200);
      expect(status.workers.map((w) => w.backend)).toEqual(['wasm', 'wasm', 'wasm']);
      expect(status.workers.map((w) => w.datasets).filter((d) => !d.includes(main.datasets.get(BUILTIN_DATASET_ID).name))).toEqual([[CONTROL_NAMES.negative]]);

      // SIGKILL the worker training the pre-training once its first epoch is checkpointed.
      let killed: WorkerProcess | null = null;
      let pretrainId: number | null = null;
      const onEvent = (name: string, payload: unknown) => {
        if (name === 'run.status' && (payload as { status: string }).status === 'running' && pretrainId === null) {
          const id = (payload as { runId: number }).runId;
          if (main.runs.summary(id).kind === 'pretrain') pretrainId = id;
        }
        if (name === 'run.epoch' && !killed && (payload as { runId: number }).runId === pretrainId) {
          void until('a worker to announce the pre-training', () => cluster.status().workers.find((w) => w.runIds.includes(pretrainId!)), 10_000, 200).then((w) => {
            killed = workers.find((p) => p.id === w.id)!;
            killGroup(killed.child);
          });
        }
      };
      const onCluster = await sweep(main, onEvent);

      expect(killed, 'a worker was killed mid pre-training').not.toBeNull();
      const survivor = workers.find((w) => w !== killed && w.name !== 'other')!;
      expect(survivor.output).toContain(`Started run #${pretrainId} (pretrain`);
      // Every run once: five runs in the store, each done, with its own epochs once.
      expect(main.runs.list()).toHaveLength(5);
      expect([...onCluster.keys()].sort()).toEqual([...reference.keys()].sort());
      for (const [key, run] of onCluster) {
        expect(outcomeOf(run), key).toEqual(outcomeOf(reference.get(key)!));
        // Each epoch once, from the first on (early stopping may end a run before its last planned epoch).
        expect(run.epochs.length).toBeLessThanOrEqual(run.config.epochs);
        expect(run.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: run.epochs.length }, (_, i) => i + 1));
        // Where it ran: pre-training and baselines on a worker (their bundle imported here), fine-tunes here.
        if (run.kind === 'finetune') expect(run.origin).toBeNull();
        else expect(run.origin).toMatchObject({ via: 'cluster', sourceRunId: run.id });
      }
      const other = workers.find((w) => w.name === 'other')!;
      expect(other.output).toContain(`Taking jobs for "${CONTROL_NAMES.negative}"`);
      expect(other.output).not.toContain('Started run');
      // Nothing left behind in Redis: no job in the sweep's queue, no bundle waiting.
      const redis = new Redis(redisUrl);
      const queue = new Queue(queueName(main.datasets.get(BUILTIN_DATASET_ID).fingerprint), { connection: { host: '127.0.0.1', port: Number(new URL(redisUrl).port) } });
      try {
        expect(await redis.keys('mosei:cluster:bundle:*')).toEqual([]);
        const left = Object.entries(await queue.getJobCounts()).filter(([, n]) => n > 0);
        expect(left).toEqual([]);
      } finally {
        redis.disconnect();
        await queue.close();
      }
    } finally {
      await main.close();
    }
  }, 300_000);
});

describe.skipIf(!REDIS_SERVER)('Redis unreachable', () => {
  it('is reported (with the reason), is retried until Redis answers, and while it lasts work a worker would take stays here', async () => {
    const port = await freePort();
    const events = new EventSink();
    const seen: string[] = [];
    events.subscribe((name, payload) => name === 'cluster.status' && payload && seen.push((payload as ClusterStatus).state));
    const dispatch = new ClusterDispatch({
      redis: parseRedisUrl(`redis://127.0.0.1:${port}`),
      workbenchId: 'test',
      events,
      dataset: () => ({ fingerprint: 'fp', name: 'd' }),
      run: () => ({ name: 'r', createdAt: new Date().toISOString() }),
      complete: () => undefined,
      pollMs: 200,
    });
    const baseline = { kind: 'baseline', datasetId: 'd' } as never;
    let redis: ChildProcess | null = null;
    let client: Redis | null = null;
    try {
      await dispatch.ready();
      const down = await until('the dispatch to call Redis unreachable', () => dispatch.status().state === 'unreachable' && dispatch.status(), 10_000, 200);
      expect(down.error).toMatch(/ECONNREFUSED/);
      redis = spawnRedis(port, true);
      await until('the dispatch to reconnect by itself', () => dispatch.status().state === 'connected', 15_000, 200);
      expect(seen).toEqual(expect.arrayContaining(['unreachable', 'connected']));
      expect(dispatch.status()).toMatchObject({ state: 'connected', error: null });

      // A worker holding the dataset: the baseline would go to it...
      client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      const worker: WorkerAnnouncement = { id: 'w1', host: 'gpu-1', backend: { name: 'wasm', reason: 'test' }, poolSize: 1, datasets: [{ fingerprint: 'fp', name: 'd' }], running: [], startedAt: new Date().toISOString() };
      await client.set(workerKey('w1'), JSON.stringify(worker), 'PX', ANNOUNCEMENT_TTL_MS);
      await until('the dispatch to see the worker', () => dispatch.takes(baseline), 10_000, 200);
      // ...until Redis goes away: then it trains here.
      killGroup(redis);
      redis = null;
      await until('the dispatch to call Redis unreachable again', () => dispatch.status().state === 'unreachable', 10_000, 200);
      expect(dispatch.takes(baseline)).toBe(false);
    } finally {
      client?.disconnect();
      await dispatch.close();
      if (redis) killGroup(redis);
    }
  }, 60_000);
});
