/**
 * The dispatch against a real redis-server, with BullMQ workers of the test's own standing in
 * for `npm run worker` (they hand back a bundle string, not a trained run).
 */
import { Redis } from 'ioredis';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TrainerJob } from '@shared/api/trainerProtocol';
import { EventSink } from '../platform/events';
import type { RemoteRunSink } from '../training/remoteDispatch';
import { REDIS_SERVER, startLocalRedis } from '../bench/localRedis';
import { ClusterDispatch, jobIdOf } from './clusterDispatch';
import { bundleKey, cancelKey, queueName, workerKey, type RemoteResult } from './protocol';
import { parseRedisUrl } from './redisUrl';
import { until } from '../../test/until';

let redis: Awaited<ReturnType<typeof startLocalRedis>>;
let client: Redis;
const closers: Array<() => Promise<unknown>> = [];

function dispatchOn(fingerprint: string, complete: (runId: number, bundle: string) => void = () => undefined): ClusterDispatch {
  const dispatch = new ClusterDispatch({
    redis: parseRedisUrl(redis.url),
    workbenchId: 'wb',
    events: new EventSink(),
    dataset: () => ({ fingerprint, name: 'd' }),
    run: () => ({ name: 'r', createdAt: new Date().toISOString() }),
    complete,
    pollMs: 200,
  });
  closers.push(() => dispatch.close());
  return dispatch;
}

function recordingSink() {
  const finished: Array<{ runId: number; status: string; error: string | null }> = [];
  const logs: string[] = [];
  const hosts: string[] = [];
  const starts: Array<{ host: string; cores: number | null; threads: number | null }> = [];
  const sink: RemoteRunSink = {
    started: (_runId, _backend, reason, on) => void (hosts.push(reason), starts.push(on)),
    progress: () => undefined,
    epoch: () => undefined,
    log: (_runId, _level, message) => void logs.push(message),
    finished: (runId, status, error) => void finished.push({ runId, status, error }),
  };
  return { sink, finished, logs, hosts, starts };
}

const job = (runId: number) => ({ runId, kind: 'pretrain', datasetId: 'd', config: {}, split: { train: [0], validation: [1], test: [] } }) as unknown as TrainerJob;

/** A BullMQ worker on `fingerprint`'s queue that answers every job with `process`. */
function fakeWorker(fingerprint: string, process: (job: Job) => Promise<unknown>): Worker {
  const worker = new Worker(queueName(fingerprint), process, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } });
  closers.push(() => worker.close(true));
  return worker;
}

describe.skipIf(!REDIS_SERVER)('ClusterDispatch on a real redis-server', () => {
  beforeAll(async () => {
    redis = await startLocalRedis();
    client = new Redis(redis.url);
  }, 30_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    client?.disconnect();
    redis?.stop();
  });

  it('delivers a finished run once, on the next look, when fetching its bundle failed (Redis dropped) the first time', async () => {
    fakeWorker('fp-deliver', async (j) => {
      await client.set(bundleKey(j.id!), 'the bundle');
      return { host: 'worker-host', bundleKey: bundleKey(j.id!), bytes: 10 } satisfies RemoteResult;
    });
    const completed: string[] = [];
    const dispatch = dispatchOn('fp-deliver', (_runId, bundle) => completed.push(bundle));
    await dispatch.ready();
    const own = (dispatch as unknown as { redis: Redis }).redis;
    const get = vi.spyOn(own, 'get').mockRejectedValueOnce(new Error('Connection is closed.'));
    const { sink, finished } = recordingSink();
    dispatch.submit(job(1), sink);

    await until('the run to be delivered', () => finished.length > 0);
    expect(finished).toEqual([{ runId: 1, status: 'done', error: null }]);
    expect(get.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(completed).toEqual(['the bundle']);
    // A second look (event and poll both) imports nothing more.
    await new Promise((r) => setTimeout(r, 500));
    expect(completed).toHaveLength(1);
    expect(await client.exists(bundleKey(jobIdOf('wb', 1)))).toBe(0);
  });

  it('hands on where a worker started a run (host, cores, threads; unknown from an older worker), and which live workers hold a dataset', async () => {
    fakeWorker('fp-start', async (j) => {
      const older = (j.data as { runId: number }).runId === 5;
      await j.updateProgress({ type: 'started', host: 'gpu-01', workerId: 'w1', backend: 'wasm', backendReason: 'fastest', ...(older ? {} : { cores: 16, threads: 2 }) });
      await client.set(bundleKey(j.id!), 'the bundle');
      return { host: 'gpu-01', bundleKey: bundleKey(j.id!), bytes: 10 } satisfies RemoteResult;
    });
    const announce = (id: string, fingerprint: string) =>
      client.set(workerKey(id), JSON.stringify({ id, host: `host-${id}`, backend: { name: 'wasm', reason: 'test' }, poolSize: 3, datasets: [{ fingerprint, name: 'd' }], running: [], startedAt: new Date().toISOString() }), 'PX', 60_000);
    await announce('a', 'fp-start');
    await announce('b', 'fp-elsewhere');
    const dispatch = dispatchOn('fp-start');
    await dispatch.ready();
    expect(dispatch.workersFor('d')).toEqual([{ host: 'host-a', backend: 'wasm', poolSize: 3 }]);
    const { sink, starts, finished } = recordingSink();
    dispatch.submit(job(4), sink);
    dispatch.submit(job(5), sink);
    await until('both runs to be delivered', () => finished.length === 2);
    expect(starts).toEqual(expect.arrayContaining([{ host: 'gpu-01', cores: 16, threads: 2 }, { host: 'gpu-01', cores: null, threads: null }]));
    await client.del(workerKey('a'), workerKey('b'));
  });

  it('follows the job a run left queued (the workbench stopped without taking it back) instead of queuing it a second time', async () => {
    const before = dispatchOn('fp-follow');
    await before.ready();
    before.submit(job(2), recordingSink().sink);
    const queue = new Queue(queueName('fp-follow'), { connection: { host: '127.0.0.1', port: redis.port } });
    closers.push(() => queue.close());
    await until('the job to be queued', async () => (await queue.getJobCounts('waiting')).waiting === 1);

    const after = dispatchOn('fp-follow');
    await after.ready();
    const { sink, logs } = recordingSink();
    after.submit(job(2), sink);
    await until('the resumed run to be placed', () => logs.length > 0);
    expect(logs[0]).toMatch(/^Run #2 was still on the cluster .* from before; it goes on there\.$/);
    expect(await queue.getJobCounts('waiting', 'active', 'delayed')).toEqual({ waiting: 1, active: 0, delayed: 0 });
  });

  it('queues a run again when its job ended: the old job, its bundle and a cancel request left for it are removed first, and its events are not taken for the new one', async () => {
    const queue = new Queue(queueName('fp-again'), { connection: { host: '127.0.0.1', port: redis.port } });
    closers.push(() => queue.close());
    const id = jobIdOf('wb', 3);
    const failing = fakeWorker('fp-again', async (j) => {
      await j.updateProgress({ type: 'started', host: 'old-host', workerId: 'w0', backend: 'wasm', backendReason: 'old attempt' });
      throw new UnrecoverableError('the old attempt failed');
    });
    await queue.add('pretrain', { old: true }, { jobId: id });
    await until('the old job to fail', async () => (await queue.getJobState(id)) === 'failed');
    await failing.close(true);
    await client.set(cancelKey(id), '1');
    await client.set(bundleKey(id), 'an old bundle');

    const dispatch = dispatchOn('fp-again');
    await dispatch.ready();
    const { sink, logs, finished, hosts } = recordingSink();
    dispatch.submit(job(3), sink);
    await until('the run to be queued', () => logs.length > 0);
    // The queue's events are read from the start of its stream: the old job's start is among them.
    await new Promise((r) => setTimeout(r, 500));
    expect(hosts).toEqual([]);
    expect(dispatch.status()).toMatchObject({ queued: 1, running: 0 });
    expect(logs[0]).toMatch(/^Run #3 is queued on the cluster/);
    expect(await queue.getJobState(id)).toBe('waiting');
    expect((await Job.fromId(queue, id))!.data).toMatchObject({ workbenchId: 'wb', runId: 3 });
    expect(await client.exists(cancelKey(id), bundleKey(id))).toBe(0);
    expect(finished).toEqual([]);
  });
});
